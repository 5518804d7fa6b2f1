"""One exercise's tests run inside the ``dojo`` process itself, for ``dojo check``.

A child pytest means a second interpreter and every import twice; ``dojo check`` runs once and
exits, so it can call ``pytest.main`` directly and pay for pytest, Hypothesis and the exercise's
libraries once. Commands that run pytest several times in one process (watch, list, verify) keep
using :func:`dojo.runner.run_pytest`: a learner's module imported by one run must not leak into the next.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from dojo.runner import RunResult, read_report


@contextlib.contextmanager
def _as_a_child_would_run(root: Path, extra_env: dict[str, str]) -> Iterator[None]:
    """The cwd, environment and bytecode setting a child pytest would have, restored afterwards."""
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    saved_bytecode = sys.dont_write_bytecode
    try:
        os.environ.pop("DOJO_TARGET", None)
        os.environ.update(extra_env)
        os.chdir(root)
        sys.dont_write_bytecode = True  # no __pycache__ among the learner's files or the tests
        yield
    finally:
        sys.dont_write_bytecode = saved_bytecode
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_pytest_here(
    root: Path, args: Sequence[str], *, target: str, extra_env: dict[str, str] | None = None
) -> RunResult:
    """``pytest ARGS --target TARGET`` in this process, its output on this process's stdout."""
    import pytest

    with tempfile.TemporaryDirectory(prefix="dojo-run-") as scratch, _as_a_child_would_run(root, extra_env or {}):
        report = Path(scratch) / "report.json"
        command = [f"--rootdir={root}", *args, f"--dojo-report={report}", "-p", "no:cacheprovider", f"--target={target}"]
        exitstatus = int(pytest.main(command))
        return read_report(report, exitstatus, "")
