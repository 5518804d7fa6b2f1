"""Benchmark `dojo lint` (ruff's review profile + mypy --strict + the rule pack) on a 100-file project.

    uv run python benchmarks/bench_lint.py                 # 100 files, 3 runs of each case
    uv run python benchmarks/bench_lint.py --files 300 --runs 5

The project is built in a temporary folder: a package of ``--files`` modules, each a copy of one of the
kit's real backend files (the flawed reviews, their fixes and the kata references, which import
FastAPI, SQLAlchemy and Pydantic), so every tool has realistic work and the pack has findings to report.
``dojo lint PROJECT --format json`` runs as a user runs it, in a fresh process, against a scratch kit
folder (``DOJO_ROOT``) so the mypy cache it uses starts empty. What is timed, wall clock:

- ``cold``: the first run, with no mypy cache (mypy analyses FastAPI, SQLAlchemy, Pydantic and the stdlib);
- ``warm``: the same run again, nothing changed (the everyday case: lint, fix, lint);
- ``one edit``: one file changed between runs (mypy re-checks that module and its dependants);
- each tool alone on the warm cache (ruff, mypy, the pack), to show where the time goes.

The issue's target is under 5 s for the warm run. It is run by hand, never by the test suite: timings
depend on the machine, so record them with the machine in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))

from dojo import reviews, rulepack  # noqa: E402  (the kit's own modules, found from this script's folder)


def sources() -> list[Path]:
    """Self-contained backend modules of the kit (no relative imports), flawed and fixed."""
    found = [
        *sorted((KIT / "pristine" / "reviews").glob("[!_]*.py")),
        *sorted((KIT / "solutions" / "reviews").glob("[!_]*.py")),
        *sorted((KIT / "solutions" / "katas").glob("[!_]*.py")),
    ]
    return [path for path in found if "from ." not in path.read_text(encoding="utf-8")]


def build_project(folder: Path, count: int) -> Path:
    package = folder / "project" / "app"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    pool = sources()
    for index in range(count):
        source = pool[index % len(pool)]
        (package / f"m{index:03d}_{source.stem}.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return package.parent


def scratch_kit(folder: Path) -> Path:
    """A kit root with the real curriculum and pyproject (the review profile, mypy's settings), no cache."""
    root = folder / "kit"
    root.mkdir()
    for name in ("curriculum.toml", "pyproject.toml"):
        shutil.copy(KIT / name, root / name)
    return root


def lint_once(root: Path, project: Path) -> tuple[float, int]:
    env = {**os.environ, "DOJO_ROOT": str(root)}
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "dojo", "lint", str(project), "--format", "json"],
        cwd=KIT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"dojo lint failed (exit {completed.returncode}): {completed.stderr.strip()}")
    return elapsed, len(json.loads(completed.stdout))


def timed(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100, help="modules in the project (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the median is shown (default 3)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dojo-bench-lint-") as scratch:
        folder = Path(scratch)
        project = build_project(folder, options.files)
        root = scratch_kit(folder)
        files = list(rulepack.python_files([project]))
        cold, findings = lint_once(root, project)
        warm = statistics.median(lint_once(root, project)[0] for _ in range(options.runs))
        edited = sorted(project.glob("app/m*.py"))[0]
        edits = []
        for run in range(options.runs):
            edited.write_text(edited.read_text(encoding="utf-8") + f"\n# edit {run}\n", encoding="utf-8")
            edits.append(lint_once(root, project)[0])
        resolved = [path.resolve() for path in files]
        tools = {
            "ruff alone": timed(lambda: reviews._ruff(root, resolved), options.runs),
            "mypy alone (warm)": timed(lambda: reviews._mypy(root, resolved), options.runs),
            "rule pack alone": timed(lambda: rulepack.scan(resolved), options.runs),
        }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"project: {len(files)} Python files ({options.files} modules), {findings} findings, {len(rulepack.rules())} pack rules")
    print(f"{'case':<22} {'seconds':>8}")
    print(f"{'cold (no mypy cache)':<22} {cold:>8.2f}")
    print(f"{'warm':<22} {warm:>8.2f}   target < 5 s: {'met' if warm < 5 else 'NOT met'}")
    print(f"{'one edit':<22} {statistics.median(edits):>8.2f}")
    for name, seconds in tools.items():
        print(f"{name:<22} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
