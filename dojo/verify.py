"""`dojo verify`: the kit proves its own tests.

It holds the kit to five promises and reports every broken one:

1. layout: every curriculum entry has its stub, its reference, its tests and at least two mutants,
   and nothing stray sits in the trees;
2. solutions: every test passes against ``solutions/``;
3. pristine: every test fails against the untouched stubs, except guards, which must pass there too;
4. mutants: each classic wrong answer is caught by at least one of its exercise's tests (a failure in
   a fixture's setup or teardown counts only in a test marked ``fixture_check``), and the automated
   mutation pass (dojo/verify_mutation.py) leaves no survivor its baseline does not excuse;
5. lint: ruff and mypy --strict are clean on the tooling, the solutions and the tests, plus the
   review and capstone checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dojo import forkserver, kinds, verify_mutation
from dojo.checksums import stale as stale_checksums
from dojo.curriculum import Curriculum, Exercise
from dojo.forkserver import ForkServer
from dojo.mutants import MUTANTS_DIR, Mutant, MutantError, apply
from dojo.mutants import load as load_mutants
from dojo.paths import LEARNER_PACKAGES, pristine_root, solutions_root
from dojo.problems import Problem
from dojo.runner import RunResult, TestOutcome, run_pytest, selection
from dojo.workspace import pristine_files

MIN_MUTANTS = 2
_STALE_CHECKSUM = (
    "is not as tests/SHA256SUMS says (a learner would see it as 'tests modified'): "
    "run `uv run dojo checksums --write` after changing or adding a test"
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    caught_by: str | None  # the first test that failed, None if the mutant survived
    error: str | None = None
    skipped: str | None = None  # why it was not tried (it needs a database this run does not have)


@dataclass
class ExerciseSummary:
    exercise: Exercise
    tests: int = 0
    guards: int = 0
    passed_on_solutions: int = 0
    failed_on_stub: int = 0
    mutants: list[MutantResult] = field(default_factory=list)


@dataclass
class Report:
    summaries: list[ExerciseSummary]
    problems: list[Problem]
    kit_tests: int = 0
    checks_held: int = 0
    skipped: list[str] = field(default_factory=list)
    automated: verify_mutation.AutomatedReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Options:
    only: tuple[str, ...] = ()
    lint: bool = True
    mutants: bool = True
    allow_skips: bool = True
    deep: bool = False  # run the automated mutation pass on every unit, not only what changed plus a sample
    jobs: int = max(1, min(4, os.cpu_count() or 1))


def _layout(root: Path, curriculum: Curriculum, exercises: Sequence[Exercise]) -> list[Problem]:
    problems: list[Problem] = []
    for exercise in exercises:
        slug = exercise.slug
        if not pristine_files(root, exercise):
            problems.append(Problem("layout", slug, f"pristine/{exercise.path} is missing"))
        if not (solutions_root(root) / exercise.path).exists():
            problems.append(Problem("layout", slug, f"solutions/{exercise.path} is missing"))
        problems.extend(
            Problem("layout", slug, f"{test} is missing") for test in exercise.tests if not (root / test).is_file()
        )
    problems.extend(
        Problem("layout", exercise.slug, f"{test} {_STALE_CHECKSUM}")
        for exercise in exercises
        for test in stale_checksums(root, [exercise])
    )
    if len(exercises) < len(curriculum):
        return problems
    # Whole-kit checks: nothing in the trees that the curriculum does not know about.
    claimed = {exercise.path for exercise in curriculum}
    for tree_name, tree in (("pristine", pristine_root(root)), ("solutions", solutions_root(root))):
        for package in LEARNER_PACKAGES:
            base = tree / package
            if not base.is_dir():
                continue
            for entry in sorted(base.iterdir()):
                rel = entry.relative_to(tree).as_posix()
                if entry.name in {"__init__.py", "__pycache__"} or rel in claimed:
                    continue
                if entry.is_dir() and any(path.startswith(rel + "/") for path in claimed):
                    continue  # a folder of exercises (katas/koans/): koans.verify_problems checks inside it
                if (
                    entry.name.endswith(".answers.toml")
                    and f"{package}/{entry.name[: -len('.answers.toml')]}.py" in claimed
                ):
                    continue
                problems.append(Problem("layout", "", f"{tree_name}/{rel} belongs to no exercise in curriculum.toml"))
    slugs = {exercise.slug for exercise in curriculum}
    problems.extend(
        Problem("layout", "", f"{MUTANTS_DIR}/{path.name} belongs to no exercise")
        for path in sorted((root / MUTANTS_DIR).glob("*.toml"))
        if path.stem not in slugs
    )
    for path in sorted((root / "tests").glob("*/test_*.py")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith("tests/dojo/") and rel not in curriculum.by_test_file():
            problems.append(Problem("layout", "", f"{rel} belongs to no exercise in curriculum.toml"))
    return problems


def _check_run(
    name: str, result: RunResult, summaries: dict[str, ExerciseSummary], expect_pass: bool, allow_skips: bool
) -> tuple[list[Problem], int, list[str]]:
    problems = [Problem(name, "", f"could not collect {error}") for error in result.collection_errors]
    held = 0
    skipped: list[str] = []
    for test in result.tests:
        if test.slug is None:
            if expect_pass and not test.passed and test.outcome != "skipped":
                problems.append(Problem(name, "", f"kit test {test.nodeid} {test.outcome}"))
            held += test.passed
            continue
        summary = summaries.get(test.slug)
        if summary is None:
            continue
        if test.outcome == "skipped":
            skipped.append(test.nodeid)
            if not allow_skips:
                problems.append(Problem(name, test.slug, f"{test.nodeid} was skipped"))
            continue
        ok = _judge(test, summary, expect_pass)
        held += ok
        if not ok:
            problems.append(Problem(name, test.slug, _why(test, expect_pass)))
    return problems, held, skipped


def _judge(test: TestOutcome, summary: ExerciseSummary, expect_pass: bool) -> bool:
    if expect_pass:
        summary.tests += 1
        summary.guards += test.guard
        summary.passed_on_solutions += test.passed
        return test.passed
    if test.guard:
        return test.passed
    summary.failed_on_stub += not test.passed
    return not test.passed


def _why(test: TestOutcome, expect_pass: bool) -> str:
    if expect_pass:
        return f"{test.nodeid} {test.outcome} against the reference solution"
    if test.guard:
        return f"guard {test.nodeid} {test.outcome} on the untouched stub (a guard must pass on both)"
    return f"{test.nodeid} PASSES on the untouched stub: it checks nothing the learner has to write"


CATCHERS_FILE = f"{MUTANTS_DIR}/catchers.json"


def load_catchers(root: Path) -> dict[str, str]:
    """Which test caught each hand-written mutant last time (``slug/name`` to node id): a speed-up only.

    A stale or missing entry costs one extra test run, never a wrong verdict: a mutant counts as caught
    only when a test fails on it."""
    path = root / CATCHERS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_catchers(root: Path, results: Sequence[MutantResult]) -> None:
    """Record this run's catchers (kept for mutants not tried this time); written only when it changed."""
    known = load_catchers(root)
    updated = {**known, **{r.mutant.label: r.caught_by for r in results if r.caught_by}}
    if updated != known:
        text = json.dumps(dict(sorted(updated.items())), indent=1) + "\n"
        (root / CATCHERS_FILE).write_text(text, encoding="utf-8")


POSTGRES_ENV = "DOJO_POSTGRES_URL"
REDIS_ENV = "DOJO_REDIS_URL"


def _run_mutant(
    root: Path, mutant: Mutant, exercise: Exercise, catcher: str | None = None, server: ForkServer | None = None
) -> MutantResult:
    if mutant.postgres and not os.environ.get(POSTGRES_ENV):
        return MutantResult(mutant, None, skipped=f"needs PostgreSQL ({POSTGRES_ENV} is not set)")
    # Mutants run on SQLite (and fakeredis) alone unless they say otherwise: which server is not what they test.
    drop = (REDIS_ENV,) if mutant.postgres else (POSTGRES_ENV, REDIS_ENV)
    with tempfile.TemporaryDirectory(prefix=f"dojo-mutant-{exercise.slug}-") as scratch:
        try:
            tree = apply(mutant, solutions_root(root), Path(scratch) / "tree")
        except MutantError as error:
            return MutantResult(mutant, None, str(error))
        # --dojo-mutant-run: a fixture failing at setup or teardown is not a catch unless deliberate.
        if catcher:
            # The test that caught this mutant last time, alone first: most mutants fall to it in one test's
            # time. Only a real failure of that test counts; anything else falls through to the full run.
            first = run_pytest(
                root, ["-q", "-x", "--dojo-mutant-run", catcher], tree=tree, drop_env=drop, server=server
            )
            failing = [t.nodeid for t in first.tests if t.slug == exercise.slug and t.outcome in ("failed", "error")]
            if failing:
                return MutantResult(mutant, failing[0])
        result = run_pytest(
            root, ["-q", "-x", "--dojo-mutant-run", *selection([exercise])], tree=tree, drop_env=drop, server=server
        )
    failing = [t.nodeid for t in result.tests if t.slug == exercise.slug and t.outcome in ("failed", "error")]
    if failing:
        return MutantResult(mutant, failing[0])
    if result.collection_errors:
        return MutantResult(mutant, None, f"the mutated code does not even import: {result.collection_errors[0]}")
    if result.uncounted:
        nodeid, note = next(iter(result.uncounted.items()))
        return MutantResult(mutant, None, f"'{mutant.name}' survived: only a fixture noticed ({nodeid}: {note})")
    return MutantResult(mutant, None)


def _lint_commands(root: Path, exercises: Sequence[Exercise] | None) -> list[tuple[str, list[str]]]:
    """ruff and mypy over the whole kit, or (with --only) over just those exercises' solutions and tests."""
    if exercises is None:
        ruff_paths = ["dojo", "solutions", "tests"]
        mypy_paths = [
            "dojo",
            *(f"solutions/{p}" for p in LEARNER_PACKAGES if (root / "solutions" / p).is_dir()),
            "tests",
        ]
    else:
        mine = [f"solutions/{e.path}" for e in exercises] + [t for e in exercises for t in e.tests]
        ruff_paths = mypy_paths = sorted(set(mine))
    return [
        ("ruff", [sys.executable, "-m", "ruff", "check", "--quiet", "--output-format=concise", *ruff_paths]),
        ("mypy", [sys.executable, "-m", "mypy", *mypy_paths]),
    ]


def _run_lint(root: Path, name: str, command: list[str]) -> list[Problem]:
    completed = subprocess.run(command, cwd=root, text=True, capture_output=True, check=False)
    if completed.returncode == 0:
        return []
    lines = [line for line in (completed.stdout + completed.stderr).splitlines() if line.strip()]
    findings = [line for line in lines if not line.startswith(("Found ", "Success", "[*]"))] or lines
    return [Problem("lint", "", f"{name}: {line}") for line in findings[:40]]


KIT_TEST_CHUNKS = 3  # the kit's own tests, split by file, so no one run is the long pole
EXERCISE_CHUNKS = 2


def _balanced(items: Sequence[tuple[str, int]], chunks: int) -> list[list[str]]:
    """Split named items into at most ``chunks`` groups of about equal weight (largest first, onto the lightest)."""
    groups: list[tuple[int, list[str]]] = [(0, []) for _ in range(max(1, min(chunks, len(items))))]
    for name, weight in sorted(items, key=lambda item: (-item[1], item[0])):
        lightest = min(range(len(groups)), key=lambda index: groups[index][0])
        total, names = groups[lightest]
        groups[lightest] = (total + weight, [*names, name])
    return [sorted(names) for _, names in groups if names]


def _size(root: Path, files: Sequence[str]) -> int:
    return sum((root / file).stat().st_size for file in files if (root / file).is_file())


def solution_runs(
    root: Path, curriculum: Curriculum, exercises: Sequence[Exercise], whole_kit: bool
) -> list[list[str]]:
    """The pytest arguments of the runs against solutions/: together, every test exactly once.

    With --only, one run of those exercises. For the whole kit, the exercises in EXERCISE_CHUNKS runs
    and the kit's own tests (every test file no exercise claims) in KIT_TEST_CHUNKS, balanced by the size
    of their test files, so that two workers finish together instead of one run holding the end."""
    if not whole_kit:
        return [["-q", *selection(exercises)]]
    by_slug = {e.slug: e for e in exercises}
    exercise_groups = _balanced([(e.slug, _size(root, e.tests)) for e in exercises], EXERCISE_CHUNKS)
    runs = [["-q", *selection([by_slug[slug] for slug in group])] for group in exercise_groups]
    claimed = set(curriculum.by_test_file())
    kit_files = sorted(
        rel for path in (root / "tests").rglob("test_*.py") if (rel := path.relative_to(root).as_posix()) not in claimed
    )
    runs += [["-q", *group] for group in _balanced([(f, _size(root, [f])) for f in kit_files], KIT_TEST_CHUNKS)]
    return runs


def verify(root: Path, curriculum: Curriculum, options: Options, progress: Progress | None = None) -> Report:
    say = progress or (lambda _message: None)
    exercises = [e for e in curriculum if not options.only or e.slug in options.only]
    summaries = {e.slug: ExerciseSummary(e) for e in exercises}
    whole_kit = len(exercises) == len(curriculum)
    problems = _layout(root, curriculum, exercises)
    mutant_plan: list[tuple[Exercise, Mutant]] = []
    for exercise in exercises:
        try:
            found = load_mutants(root, exercise)
        except MutantError as error:
            problems.append(Problem("mutants", exercise.slug, str(error)))
            continue
        if len(found) < MIN_MUTANTS:
            problems.append(
                Problem(
                    "mutants",
                    exercise.slug,
                    f"{len(found)} mutant(s) in {MUTANTS_DIR}/{exercise.slug}.toml; ship at least {MIN_MUTANTS}",
                )
            )
        mutant_plan.extend((exercise, mutant) for mutant in found)

    # Name the test files: a broken file elsewhere in the kit must not stop the run, and nothing else is collected.
    chosen_tests = selection(exercises)
    # Mutants and capstone steps are hundreds of short runs: they fork from one interpreter that has
    # already imported pytest and the libraries (dojo/forkserver.py) instead of starting their own.
    with forkserver.running(root) as server, ThreadPoolExecutor(max_workers=options.jobs) as pool:
        say("running every test against solutions/ and against the pristine stubs")
        solution_futures = [
            pool.submit(run_pytest, root, args, target="solutions")
            for args in solution_runs(root, curriculum, exercises, whole_kit)
        ]
        pristine_run = pool.submit(run_pytest, root, ["-q", *chosen_tests], target="pristine")
        lint_runs: list[Future[list[Problem]]] = []
        if options.lint:
            scope = None if whole_kit else exercises
            lint_runs += [pool.submit(_run_lint, root, name, cmd) for name, cmd in _lint_commands(root, scope)]
            chosen = curriculum if whole_kit else Curriculum(tuple(exercises))
            # Each kind's own checks (a review's answer key, the capstone's seams and steps): dojo/kinds/.
            lint_runs += [
                pool.submit(kind.verify_problems, root, chosen, jobs=options.jobs, server=server)
                for kind in (kinds.registry().values() if whole_kit else kinds.kinds_in(exercises))
            ]
        automated: Future[verify_mutation.AutomatedReport] | None = None
        if options.mutants:
            automated = pool.submit(
                verify_mutation.check, root, curriculum, exercises, deep=options.deep, jobs=options.jobs
            )
        mutant_runs = []
        if options.mutants:
            say(f"trying {len(mutant_plan)} mutants")
            known = load_catchers(root)
            mutant_runs = [
                pool.submit(_run_mutant, root, mutant, exercise, known.get(mutant.label), server)
                for exercise, mutant in mutant_plan
            ]
        sol_problems: list[Problem] = []
        sol_held, kit_tests = 0, 0
        skipped: list[str] = []
        for solution_future in solution_futures:
            run = solution_future.result()
            run_problems, count, skips = _check_run(
                "solutions", run, summaries, expect_pass=True, allow_skips=options.allow_skips
            )
            sol_problems += run_problems
            sol_held += count
            skipped += skips
            kit_tests += sum(1 for t in run.tests if t.slug is None)
        stub_problems, stub_held, _ = _check_run(
            "pristine", pristine_run.result(), summaries, expect_pass=False, allow_skips=True
        )
        problems += sol_problems + stub_problems
        held = sol_held + stub_held
        step = max(10, len(mutant_runs) // 8)
        for done, future in enumerate(mutant_runs, start=1):
            outcome = future.result()
            if done % step == 0 and done < len(mutant_runs):
                say(f"{done}/{len(mutant_runs)} mutants tried")
            summaries[outcome.mutant.slug].mutants.append(outcome)
            if outcome.skipped:
                skipped.append(f"mutant {outcome.mutant.label}: {outcome.skipped}")
                if not options.allow_skips:
                    problems.append(
                        Problem("mutants", outcome.mutant.slug, f"'{outcome.mutant.name}' {outcome.skipped}")
                    )
            elif outcome.error:
                problems.append(Problem("mutants", outcome.mutant.slug, outcome.error))
            elif outcome.caught_by is None:
                problems.append(
                    Problem("mutants", outcome.mutant.slug, f"'{outcome.mutant.name}' survived: {outcome.mutant.why}")
                )
            else:
                held += 1
        if mutant_runs:
            save_catchers(root, [future.result() for future in mutant_runs])
        for lint_future in lint_runs:
            found_problems = lint_future.result()
            problems += found_problems
            held += not found_problems
        automated_report = automated.result() if automated is not None else None
        if automated_report is not None:
            problems += automated_report.problems
            held += automated_report.held
    for summary in summaries.values():
        if summary.tests == 0 and not any(p.slug == summary.exercise.slug and p.check == "layout" for p in problems):
            problems.append(Problem("solutions", summary.exercise.slug, "no test of this exercise ran"))
    return Report(
        summaries=list(summaries.values()),
        problems=sorted(set(problems)),
        kit_tests=kit_tests,
        checks_held=held,
        skipped=skipped,
        automated=automated_report,
    )
