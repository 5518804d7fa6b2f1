"""How fast the learner hears back: ``dojo check`` against yardsticks, timed side by side.

    uv run python benchmarks/bench_feedback.py              # every comparison, 7 pairs each
    uv run python benchmarks/bench_feedback.py --runs 11 --only red

Each comparison runs two commands in turn, A B A B ..., from a fresh process each time, and takes the
ratio A/B pair by pair: on a shared, busy machine the speed drifts, and a ratio of neighbours is what
stays meaningful. The median wall-clock ratio is checked against the issue's goal; the CPU-time ratio
(user + system of each command's processes) is printed beside it, as it moves less with the load:

| comparison | A | B (the yardstick) | goal |
| --- | --- | --- | --- |
| green, pure Python | ``dojo check class_creation`` on the reference | a one-test pytest run in the same venv (``-p no:schemathesis``, as the kit's pytest runs) | ≤ 1.3 |
| green, Hypothesis | ``dojo check lru_cache`` on the reference | the same one-test run | reported |
| green, FastAPI | ``dojo check SLUG`` on the reference, for crud, pagination, url_shortener and file_pipeline | a one-test run whose module imports FastAPI and SQLAlchemy | ≤ 1.3 |
| the kit's share | ``dojo check crud`` on the reference | ``pytest -m crud``: the same tests without the kit's command | reported |
| red | ``dojo check lru_cache`` on a classic wrong answer (its mutant ``get_does_not_refresh``) | the green check | ≤ 1.5 |
| pytest -m | ``pytest -m lru_cache`` (green) | ``dojo check lru_cache`` (green) | ≤ 1.0 (as fast) |

Everything runs in a throwaway copy of the kit (``DOJO_ROOT``), whose learner files are the reference
answers, or for the red run the reference with the mutant applied; your own files are never touched.
The venv's interpreter runs every command directly (``uv run`` would add the same cost to both sides).
The exit status is 0 when every goal is met.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dojo.curriculum import load as load_curriculum  # noqa: E402
from dojo.mutants import load as load_mutants  # noqa: E402

PYTHON = sys.executable
TRIVIAL_TEST = "def test_one():\n    assert 1 + 1 == 2\n"
FASTAPI_KATAS = ("crud", "pagination", "url_shortener", "file_pipeline")
IMPORTS_TEST = "import fastapi\nimport sqlalchemy.ext.asyncio\n\n\ndef test_one():\n    assert fastapi and sqlalchemy.ext.asyncio\n"


@dataclass(frozen=True)
class Comparison:
    name: str
    a: list[str]
    a_root: Path
    b: list[str]
    b_root: Path
    goal: float | None


@dataclass(frozen=True)
class Measured:
    comparison: Comparison
    a_median: float
    b_median: float
    ratios: list[float]
    cpu_ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def met(self) -> bool:
        return self.comparison.goal is None or self.ratio <= self.comparison.goal


def _copy_kit(destination: Path) -> Path:
    caches = shutil.ignore_patterns("__pycache__", "*.pyc", ".*cache")

    def skip(folder: str, names: list[str]) -> set[str]:
        # The learner's own trees, state and venv stay behind: the copy's learner files are the reference.
        mine = {".venv", ".git", ".dojo", "katas", "reviews"} if Path(folder) == ROOT else set()
        return mine.intersection(names) | caches(folder, names)

    shutil.copytree(ROOT, destination, ignore=skip)
    shutil.copytree(destination / "solutions" / "katas", destination / "katas")
    shutil.copytree(destination / "solutions" / "reviews", destination / "reviews")
    return destination


def _wrong_lru(kit: Path) -> Path:
    """A second kit copy whose lru_cache is the reference with its classic 'get does not refresh' bug."""
    wrong = _copy_kit(kit.parent / "kit-red")
    mutant = next(
        m for m in load_mutants(ROOT, load_curriculum(ROOT).get("lru_cache")) if m.name == "get_does_not_refresh"
    )
    target = wrong / mutant.file
    target.write_text(target.read_text(encoding="utf-8").replace(mutant.old, mutant.new), encoding="utf-8")
    return wrong


def _yardstick(folder: Path, test: str) -> Path:
    folder.mkdir()
    (folder / "test_yardstick.py").write_text(test, encoding="utf-8")
    return folder


def _env(root: Path) -> dict[str, str]:
    env = {**os.environ, "DOJO_ROOT": str(root), "NO_COLOR": "1"}
    # A learner's shell: no CI, no target override, bytecode caching on (as Python's default).
    for name in ("CI", "DOJO_TARGET", "HYPOTHESIS_PROFILE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def _time(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the command's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=_env(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(comparison: Comparison, runs: int) -> Measured:
    _time(comparison.a, comparison.a_root)  # warm the file cache; not counted
    _time(comparison.b, comparison.b_root)
    a_runs, b_runs = [], []
    for _ in range(runs):
        a_runs.append(_time(comparison.a, comparison.a_root))
        b_runs.append(_time(comparison.b, comparison.b_root))
    ratios = [a[0] / b[0] for a, b in zip(a_runs, b_runs, strict=True)]
    cpu_ratios = [a[1] / b[1] for a, b in zip(a_runs, b_runs, strict=True)]
    a_median = statistics.median(a for a, _ in a_runs)
    b_median = statistics.median(b for b, _ in b_runs)
    return Measured(comparison, a_median, b_median, ratios, cpu_ratios)


def comparisons(scratch: Path) -> list[Comparison]:
    kit = _copy_kit(scratch / "kit")
    red = _wrong_lru(kit)
    trivial = _yardstick(scratch / "trivial", TRIVIAL_TEST)
    imports = _yardstick(scratch / "imports", IMPORTS_TEST)
    # -p no:schemathesis, as the kit's own pytest configuration says: a bare folder would otherwise
    # load the fuzzer's plugin, a second of imports that no run of the kit pays.
    pytest_run = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:schemathesis"]

    def check(slug: str) -> list[str]:
        return [PYTHON, "-m", "dojo", "check", slug]

    return [
        Comparison("green, pure Python", check("class_creation"), kit, pytest_run, trivial, 1.3),
        Comparison("green, Hypothesis", check("lru_cache"), kit, pytest_run, trivial, None),
        # Every FastAPI kata with a database, heaviest tests first: the kit's share is the same for each
        # (the row after them), and what differs is how much HTTP their tests send.
        *(Comparison(f"green, FastAPI: {slug}", check(slug), kit, pytest_run, imports, 1.3) for slug in FASTAPI_KATAS),
        Comparison("the kit's share of the FastAPI check", check("crud"), kit, [*pytest_run, "-m", "crud"], kit, None),
        Comparison("red vs green", check("lru_cache"), red, check("lru_cache"), kit, 1.5),
        Comparison("pytest -m vs check", [*pytest_run, "-m", "lru_cache"], kit, check("lru_cache"), kit, 1.0),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs per comparison (default 7)")
    parser.add_argument("--only", help="run the comparisons whose name contains this word")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dojo-bench-") as folder:
        chosen = [c for c in comparisons(Path(folder)) if not options.only or options.only in c.name]
        print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}, {options.runs} pairs each")  # fmt: skip
        print("| comparison | A median | B median | A/B wall, median (min-max) | A/B CPU | goal |")
        print("| --- | --- | --- | --- | --- | --- |")
        results = []
        for comparison in chosen:
            result = measure(comparison, options.runs)
            results.append(result)
            goal = f"≤ {comparison.goal}" if comparison.goal else "-"
            verdict = "" if comparison.goal is None else (" ✔" if result.met else " ✗")
            print(
                f"| {comparison.name} | {result.a_median:.2f} s | {result.b_median:.2f} s | "
                f"{result.ratio:.2f} ({min(result.ratios):.2f}-{max(result.ratios):.2f}) | "
                f"{statistics.median(result.cpu_ratios):.2f} | {goal}{verdict} |",
                flush=True,
            )
    return 0 if all(result.met for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
