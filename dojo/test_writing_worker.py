"""The child process that runs a learner's test file against the given module and its mutants.

Started by :mod:`dojo.test_writing` as ``python -m dojo.test_writing_worker PLAN.json``. One process
runs every variant in turn, so the libraries the tests import (FastAPI and SQLAlchemy cost about three
seconds of CPU) are imported once, not once per mutant. Each variant is a folder holding
``katas/<package>/`` with that variant's copy of the given module and a copy of the learner's file;
before each run the worker forgets every module imported from the previous folder, then puts the new
one first on ``sys.path``. It writes one JSON line per finished variant to the file descriptor named in
the plan (its own stdout stays for pytest's chatter, which nobody reads), so the parent can tell which
variant a hang happened in, kill this process and start another for the rest.

Plan: ``{"ini": PATH, "results_fd": N, "stop_unless_first_passes": bool,
"runs": [{"name": ..., "folder": ..., "test_file": ..., "first_failure_only": bool}, ...]}``.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

MESSAGE_CHARS = 300
# The parent sets PYTEST_DISABLE_PLUGIN_AUTOLOAD: scanning every installed package's entry points costs
# a tenth of a second a run, and would load plugins (schemathesis, mutmut's) no learner test needs. The
# two a learner's tests may use are named here. unraisableexception's clean-up calls gc.collect several
# times a run, a quarter of a second with FastAPI and SQLAlchemy in memory.
OPTIONS = (
    "-q", "--no-header", "--import-mode=importlib",
    "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:threadexception",
    "-p", "pytest_asyncio.plugin", "-p", "_hypothesis_pytestplugin",
)  # fmt: skip


class Recorder:
    """Collects one run's outcomes: tests collected, failures with a one-line reason, collection errors."""

    def __init__(self) -> None:
        self.collected = 0
        self.passed = 0
        self.failures: dict[str, str] = {}
        self.errors: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(_one_line(report.longreprtext) or report.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.split("::", 1)[-1]
        if report.failed and name not in self.failures:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = getattr(crash, "message", None)
            line = _first_line(str(message)) if message else _one_line(report.longreprtext)
            where = "" if report.when == "call" else f" (in its fixture's {report.when})"
            self.failures[name] = line + where
        elif report.passed and report.when == "call":
            self.passed += 1

    def as_json(self, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "collected": self.collected,
            "passed": self.passed,
            "failures": self.failures,
            "errors": self.errors,
        }


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:MESSAGE_CHARS]


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    # pytest's long form ends with the error ("E   AssertionError: ..."); the crash message is one line.
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    chosen = errors[0] if errors else (lines[-1] if lines else "")
    return chosen[:MESSAGE_CHARS]


def _forget(folder: Path) -> None:
    """Drop every module imported from ``folder`` (and the learner packages' names), so the next run imports afresh."""
    resolved = str(folder.resolve())
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if name == "katas" or name.startswith("katas.") or (origin and origin.startswith(resolved)):
            del sys.modules[name]
    while str(folder) in sys.path:
        sys.path.remove(str(folder))


def _configure_hypothesis() -> None:
    """Derandomized and without shrinking: the same examples on every run, and a failure found fast."""
    from hypothesis import Phase, settings

    settings.register_profile(
        "dojo-grading",
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
    )
    settings.load_profile("dojo-grading")


def run_one(run: dict[str, Any], ini: str) -> dict[str, Any]:
    folder = Path(run["folder"])
    sys.path.insert(0, str(folder))
    recorder = Recorder()
    arguments = [run["test_file"], f"--rootdir={folder}", "-c", ini, *OPTIONS]
    if run.get("first_failure_only"):
        arguments.append("-x")
    started = time.perf_counter()
    chatter = io.StringIO()
    try:
        with redirect_stdout(chatter), redirect_stderr(chatter):
            pytest.main(arguments, plugins=[recorder])
    finally:
        _forget(folder)
    return {**recorder.as_json(run["name"]), "seconds": round(time.perf_counter() - started, 3)}


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    results = os.fdopen(int(plan["results_fd"]), "w", encoding="utf-8", buffering=1)
    if plan.get("hypothesis"):
        _configure_hypothesis()
    for index, run in enumerate(plan["runs"]):
        outcome = run_one(run, plan["ini"])
        results.write(json.dumps(outcome) + "\n")
        results.flush()
        failed = outcome["failures"] or outcome["errors"] or not outcome["collected"]
        if index == 0 and plan.get("stop_unless_first_passes") and failed:
            break
    results.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
