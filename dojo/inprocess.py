"""One exercise's tests run inside the ``dojo`` process itself, for ``dojo check``.

A child pytest means a second interpreter and every import twice; ``dojo check`` runs once and
exits, so it can call ``pytest.main`` directly and pay for pytest, Hypothesis and the exercise's
libraries once. Commands that run pytest several times in one process (watch, list, verify) keep
using :func:`dojo.runner.run_pytest`: a learner's module imported by one run must not leak into the next.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from dojo.paths import LEARNER_PACKAGES, state_dir
from dojo.runner import RunResult, read_report


@contextlib.contextmanager
def _as_a_child_would_run(root: Path, extra_env: dict[str, str]) -> Iterator[None]:
    """The cwd and environment a child pytest would have, restored afterwards.

    Bytecode goes to ``.dojo/pycache`` (``sys.pycache_prefix``), never beside the learner's files,
    so pytest's rewritten test modules are cached from one check to the next (rewriting a big test
    file costs more than running it). The learner's own modules are dropped from that cache after
    every run: a .pyc is trusted by its source's size and mtime in whole seconds, and a fix saved
    in the same second as the last check, at the same size (``-`` to ``+``), must never run stale.
    """
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    saved_prefix, saved_no_bytecode = sys.pycache_prefix, sys.dont_write_bytecode
    prefix = state_dir(root) / "pycache"
    try:
        os.environ.pop("DOJO_TARGET", None)
        os.environ.update(extra_env)
        os.chdir(root)
        sys.pycache_prefix = str(prefix)
        sys.dont_write_bytecode = False  # even under PYTHONDONTWRITEBYTECODE: the prefix keeps trees clean
        yield
    finally:
        sys.pycache_prefix, sys.dont_write_bytecode = saved_prefix, saved_no_bytecode
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        mirrored = prefix / root.resolve().relative_to(root.resolve().anchor)
        for package in LEARNER_PACKAGES:
            shutil.rmtree(mirrored / package, ignore_errors=True)


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
