"""Test-writing katas: the learner writes the tests, and the kit grades them by running them.

A test-writing kata (kind ``testing``) is a package ``katas/<slug>/`` holding a given module, correct
and read-only, and the learner's test file beside it. Its spec, ``tests/testing/<slug>.toml``, names
both, lists the techniques the kata is about and holds the hidden mutants: exact text replacements of
the given module, each with ``says``, the bug in words. The kata's own test file
(``tests/testing/test_<slug>.py``, what ``dojo check`` runs) asks :func:`grade` once and has one test per
rule:

1. the learner's tests pass against the kit's copy of the given module (and there is at least one), and
   against an equivalent copy (:func:`equivalent`: the same behaviour, written differently), and the
   file does not read the module's source, file or bytecode (``test_writing_checks.reads_source``),
   so that a test of how the code is written instead of what it does cannot pass for a test;
2. they catch the mutants: each runs against a mutated copy in a temporary folder, and a mutant is
   caught when a test fails; all but at most :data:`MAX_SURVIVORS` must be caught. A survivor is
   reported by its ``says`` only, never by its code;
3. the techniques, read from the learner's file (:mod:`dojo.test_writing_checks`), one line each.

``dojo verify`` holds each kata to more (:func:`verify_problems`): the given module is the same in
``pristine/`` and ``solutions/``, every mutant applies, the model test file catches every mutant, and
the pristine (empty) test file catches none, so that no mutant is caught just by importing.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from dojo.curriculum import Curriculum, Exercise
from dojo.paths import pristine_root, solutions_root
from dojo.problems import Problem
from dojo.test_writing_checks import CHECKS, Technique

KIND = "testing"  # the curriculum's name for it (dojo/kinds/testing.py)
SPEC_DIR = "tests/testing"
MAX_SURVIVORS = 1
MIN_MUTANTS = 5
# A variant whose tests have not finished by then counts as hung: caught, for a mutant (the tests did
# notice something), failed, for the real module. Generous: a loaded machine runs everything slowly.
TIMEOUT_ENV = "DOJO_GRADING_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
_INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"


class SpecError(ValueError):
    """A test-writing kata's spec is malformed, or one of its mutants no longer applies."""


@dataclass(frozen=True)
class HiddenMutant:
    name: str
    says: str
    old: str
    new: str


@dataclass(frozen=True)
class Spec:
    slug: str
    package: str  # katas/<slug>, relative to a tree
    given: str  # the given module's file name inside the package
    learner: str  # the learner's test file name inside the package
    mutants: tuple[HiddenMutant, ...]
    techniques: tuple[Technique, ...]

    @property
    def given_path(self) -> str:
        return f"{self.package}/{self.given}"

    @property
    def learner_path(self) -> str:
        return f"{self.package}/{self.learner}"


def spec_file(root: Path, slug: str) -> Path:
    return root / SPEC_DIR / f"{slug}.toml"


def load_spec(root: Path, exercise: Exercise) -> Spec:
    path = spec_file(root, exercise.slug)
    where = path.relative_to(root).as_posix()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{where} is missing: a test-writing kata needs its spec") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{where} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"given", "learner", "mutant", "technique"})
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}")
    given, learner = data.get("given"), data.get("learner")
    if not isinstance(given, str) or not isinstance(learner, str) or not given or not learner:
        raise SpecError(f"{where}: 'given' and 'learner' must name the two files of {exercise.path}/")
    mutants: list[HiddenMutant] = []
    for index, entry in enumerate(_tables(data, "mutant", where), start=1):
        here = f"{where}: mutant #{index}"
        extra = sorted(set(entry) - {"name", "says", "old", "new"})
        if extra:
            raise SpecError(f"{here}: unknown key(s) {', '.join(extra)}")
        values = [entry.get(key) for key in ("name", "says", "old", "new")]
        if not all(isinstance(value, str) and value for value in values[:3]) or not isinstance(values[3], str):
            raise SpecError(f"{here}: 'name', 'says' and 'old' must be non-empty strings, 'new' a string")
        mutant = HiddenMutant(*cast(list[str], values))
        if mutant.old == mutant.new:
            raise SpecError(f"{here}: 'old' and 'new' are the same, so nothing would change")
        if any(m.name == mutant.name for m in mutants):
            raise SpecError(f"{here}: the name '{mutant.name}' is used twice")
        mutants.append(mutant)
    techniques: list[Technique] = []
    for index, entry in enumerate(_tables(data, "technique", where), start=1):
        check = entry.get("check")
        if check not in CHECKS:
            raise SpecError(f"{where}: technique #{index}: 'check' must be one of {', '.join(sorted(CHECKS))}")
        options = {key: str(value) for key, value in entry.items() if key not in ("check", "name")}
        name = str(entry.get("name", check))
        if any(t.name == name for t in techniques):
            raise SpecError(f"{where}: technique #{index}: the name '{name}' is used twice")
        techniques.append(Technique(name, str(check), options))
    return Spec(exercise.slug, exercise.path, given, learner, tuple(mutants), tuple(techniques))


def _tables(data: Mapping[str, object], key: str, where: str) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SpecError(f"{where}: expected [[{key}]] tables")
    return cast(list[dict[str, Any]], entries)


def mutated(spec: Spec, text: str, mutant: HiddenMutant) -> str:
    count = text.count(mutant.old)
    if count != 1:
        found = "is not found" if count == 0 else f"matches {count} times"
        raise SpecError(f"{spec.slug}: hidden mutant '{mutant.name}': its 'old' text {found} in {spec.given}")
    return text.replace(mutant.old, mutant.new)


EQUIVALENT = "equivalent"  # the name of the run against the equivalent copy


def equivalent(text: str, token: str) -> str:
    """The given module rewritten to behave the same and read differently: parsed and printed again
    (comments gone, quotes and layout normalised, lines moved), and one unused local assignment,
    named after ``token``, first in every function (after its docstring), so that its bytecode differs
    too. Tests that pass on the real module and fail here test how the code is written, not what it
    does. ``token`` changes per grading, so no test can know the copy's text in advance."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
            unused = ast.Assign(targets=[ast.Name(f"_unused_{token}", ast.Store())], value=ast.Constant(None))
            node.body.insert(1 if docstring else 0, unused)
    return f"# An equivalent copy ({token}).\n\n\n" + ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# ---- running the learner's tests ----


@dataclass(frozen=True)
class Run:
    """One variant's outcome: how many tests ran, which failed and why (one line each)."""

    name: str
    collected: int = 0
    passed: int = 0
    failures: Mapping[str, str] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    hung: bool = False
    seconds: float = 0.0  # the run's wall time inside the worker

    @property
    def caught(self) -> bool:
        """The tests noticed something: a failure, an error, or a hang."""
        return self.hung or bool(self.failures) or bool(self.errors)


def _timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _run_variants(plan: list[dict[str, Any]], scratch: Path, uses_hypothesis: bool, stop_early: bool) -> list[Run]:
    """Run the planned variants in one worker process; a hang kills it and a new one takes the rest.

    ``stop_early``: once the first variant (the real module) fails, run nothing else."""
    ini = scratch / "pytest.ini"
    ini.write_text(_INI, encoding="utf-8")
    done: list[Run] = []
    pending = list(plan)
    while pending:
        first_worker = not done
        process, lines = _start_worker(scratch, ini, pending, uses_hypothesis, stop_early and first_worker)
        ended = False
        while pending:
            try:
                line = lines.get(timeout=_timeout())
            except queue.Empty:
                process.kill()
                done.append(Run(pending.pop(0)["name"], hung=True))
                break
            if line is None:
                ended = True
                break
            data = json.loads(line)
            pending.pop(0)
            done.append(
                Run(
                    data["name"],
                    data["collected"],
                    data["passed"],
                    dict(data["failures"]),
                    tuple(data["errors"]),
                    seconds=float(data.get("seconds", 0.0)),
                )
            )
        process.wait()
        if stop_early and done and not _passes(done[0]):
            break  # the tests fail against the real module: the mutants would say nothing
        if ended and pending:
            log = (scratch / "worker.log").read_text(encoding="utf-8").strip().splitlines()
            raise RuntimeError(
                f"the grading worker stopped before it had run everything: {log[-1] if log else 'no output'}"
            )
    return done


def _start_worker(
    scratch: Path, ini: Path, runs: list[dict[str, Any]], uses_hypothesis: bool, stop_early: bool
) -> tuple[subprocess.Popen[bytes], queue.Queue[str | None]]:
    read_end, write_end = os.pipe()
    plan_file = scratch / "plan.json"
    payload = {
        "ini": str(ini),
        "results_fd": write_end,
        "hypothesis": uses_hypothesis,
        "stop_unless_first_passes": stop_early,
        "runs": runs,
    }
    plan_file.write_text(json.dumps(payload), encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    for name in ("DOJO_TARGET", "DOJO_POSTGRES_URL", "DOJO_REDIS_URL", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    with (scratch / "worker.log").open("a", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dojo.test_writing_worker", str(plan_file)],
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            pass_fds=(write_end,),
        )
    os.close(write_end)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(read_end, lines), daemon=True).start()
    return process, lines


def _read_lines(fd: int, lines: queue.Queue[str | None]) -> None:
    with os.fdopen(fd, encoding="utf-8") as stream:
        for line in stream:
            lines.put(line)
    lines.put(None)


def _passes(run: Run) -> bool:
    return run.collected > 0 and not run.caught


@dataclass(frozen=True)
class Grade:
    """What the grading tests assert on: one learner test file, run against the real module and the mutants."""

    spec: Spec
    learner_file: Path
    real: Run
    mutants: Mapping[str, Run]  # by mutant name; empty when the real run failed
    techniques: Mapping[str, str | None]  # technique name -> problem (None when it is used as asked)
    given_edited: bool
    equivalent: Run | None = None  # the run against equivalent(); None when the real run failed
    source_problem: str | None = None  # test_writing_checks.reads_source on the learner's file

    @property
    def survivors(self) -> list[HiddenMutant]:
        return [m for m in self.spec.mutants if m.name in self.mutants and not self.mutants[m.name].caught]

    def real_problem(self) -> str | None:
        """Why rule 1 fails, in the learner's terms; None when their tests pass against the real module."""
        file = self.spec.learner_path
        if self.real.hung:
            return f"your tests in {file} did not finish within {_timeout():.0f} s against the real {self.spec.given}"
        if self.real.errors:
            return f"pytest could not collect {file}: {self.real.errors[0]}"
        if self.real.collected == 0:
            return f"{file} has no tests yet: write test functions (def test_...) there"
        if self.real.failures:
            failing = len(self.real.failures)
            lines = [
                f"{failing} of your {self.real.collected} tests {'fails' if failing == 1 else 'fail'} against the"
                f" real {self.spec.given}, which is correct, so {'that test is' if failing == 1 else 'those tests are'}"
                " what to fix:"
            ]
            lines += [f"  {name}: {why}" for name, why in list(self.real.failures.items())[:5]]
            return "\n".join(lines)
        if self.source_problem is not None:
            return self.source_problem
        same = self.equivalent
        if same is not None and (same.caught or same.collected != self.real.collected):
            lines = [
                f"your tests pass against {self.spec.given} but fail against a copy of it that behaves exactly the"
                " same, only written differently (reformatted, an unused line in each function): test what the"
                " code does, never its source text, its file or its bytecode"
            ]
            lines += [f"  {name}: {why}" for name, why in list(same.failures.items())[:5]]
            lines += [f"  {error}" for error in same.errors[:2]]
            if same.hung:
                lines.append(f"  they did not finish within {_timeout():.0f} s against the copy")
            return "\n".join(lines)
        return None

    def mutant_problem(self) -> str | None:
        """Why rule 2 fails: the survivors in words; None when at most MAX_SURVIVORS survive."""
        if self.real_problem() is not None:
            return "first make your tests pass against the real module; then they are run against its broken copies"
        survivors = self.survivors
        if len(survivors) <= MAX_SURVIVORS:
            return None
        total = len(self.spec.mutants)
        lines = [
            f"{len(survivors)} of {total} broken copies of {self.spec.given} pass all your tests"
            f" (at most {MAX_SURVIVORS} may). No test of yours notices:"
        ]
        lines += [f"  - {mutant.says}" for mutant in survivors]
        return "\n".join(lines)

    def technique_problem(self, name: str) -> str | None:
        """Why the technique ``name`` (a ``[[technique]]`` of the spec) is not used as asked; None when it is."""
        if name not in self.techniques:
            raise KeyError(f"{self.spec.slug} does not ask for the technique '{name}'")
        return self.techniques[name]

    def given_problem(self) -> str | None:
        if not self.given_edited:
            return None
        return (
            f"{self.spec.given_path} differs from the kit's copy: it is read-only (the grade uses the kit's copy"
            f" anyway); put it back with `dojo reset {self.spec.slug}` after saving your tests elsewhere"
        )


def holds(problem: str | None) -> None:
    """The grading tests' assertion: fail with ``problem`` alone as the message (no ``assert ... is None`` echo)."""
    __tracebackhide__ = True
    if problem is not None:
        raise AssertionError(problem)


def _technique_results(spec: Spec, source: str) -> dict[str, str | None]:
    from dojo.test_writing_checks import run_check

    return {technique.name: run_check(technique, source) for technique in spec.techniques}


def grade_file(
    root: Path,
    spec: Spec,
    learner_file: Path,
    *,
    every_mutant: bool = False,
    given_edited: bool = False,
) -> Grade:
    """Run ``learner_file`` against the kit's given module and each hidden mutant.

    ``every_mutant``: run the mutants even when the tests fail against the real module (verify does,
    on the empty pristine file, to prove that no mutant is caught just by importing)."""
    given_text = (pristine_root(root) / spec.given_path).read_text(encoding="utf-8")
    source = learner_file.read_text(encoding="utf-8")
    token = secrets.token_hex(4)
    variants = [("real", given_text), (EQUIVALENT, equivalent(given_text, token))]
    variants += [(m.name, mutated(spec, given_text, m)) for m in spec.mutants]
    with tempfile.TemporaryDirectory(prefix=f"dojo-grade-{spec.slug}-") as name:
        scratch = Path(name)
        plan: list[dict[str, Any]] = []
        for variant, text in variants:
            # Folder names say nothing about the variant: a test cannot tell the real module by its path.
            folder = scratch / secrets.token_hex(6)
            package = folder / spec.package
            package.mkdir(parents=True)
            for parent in (package, *package.parents):
                if parent == folder:
                    break
                (parent / "__init__.py").write_text("", encoding="utf-8")
            (package / spec.given).write_text(text, encoding="utf-8")
            shutil.copyfile(learner_file, package / spec.learner)
            plan.append(
                {
                    "name": variant,
                    "folder": str(folder),
                    "test_file": str(package / spec.learner),
                    "first_failure_only": variant not in ("real", EQUIVALENT),
                }
            )
        runs = _run_variants(plan, scratch, "hypothesis" in source, stop_early=not every_mutant)
    real = runs[0] if runs else Run("real", errors=("the grading worker crashed before running your tests",))
    by_name = {run.name: run for run in runs[1:]}
    same = by_name.pop(EQUIVALENT, None)
    return Grade(
        spec=spec,
        learner_file=learner_file,
        real=real,
        mutants=by_name,
        techniques=_technique_results(spec, source),
        given_edited=given_edited,
        equivalent=same,
        source_problem=_source_problem(source),
    )


def _source_problem(source: str) -> str | None:
    from dojo.test_writing_checks import reads_source

    try:
        return reads_source(ast.parse(source))
    except SyntaxError:
        return None  # pytest reports it, as a collection error of the real run



_GRADES: dict[tuple[str, str, str], Grade] = {}


def last_grade(slug: str) -> Grade | None:
    """The grade this process last computed for ``slug`` (what ``dojo check``'s notes read), if any."""
    return next((g for g in reversed(_GRADES.values()) if g.spec.slug == slug), None)


def grade(root: Path, curriculum: Curriculum, slug: str) -> Grade:
    """The grade of the learner's file in the active tree (the tree ``import katas`` resolves to).

    Cached per file contents, so the grading tests of one kata share a single run."""
    import katas

    tree = Path(katas.__file__).resolve().parent.parent
    spec = load_spec(root, curriculum.get(slug))
    learner_file = tree / spec.learner_path
    if not learner_file.is_file():
        raise FileNotFoundError(f"{spec.learner_path} is missing from {tree}")
    given_copy = tree / spec.given_path
    kit_copy = pristine_root(root) / spec.given_path
    edited = not given_copy.is_file() or given_copy.read_bytes() != kit_copy.read_bytes()
    key = (str(learner_file), learner_file.read_text(encoding="utf-8"), str(edited))
    if key not in _GRADES:
        _GRADES.pop(next((k for k, g in _GRADES.items() if g.spec.slug == slug), ("", "", "")), None)
        _GRADES[key] = grade_file(root, spec, learner_file, given_edited=edited)
    return _GRADES[key]


# ---- dojo verify ----


def testing_katas(curriculum: Curriculum) -> list[Exercise]:
    return [exercise for exercise in curriculum if exercise.kind == KIND]


def verify_problems(root: Path, curriculum: Curriculum, *, min_mutants: int = MIN_MUTANTS) -> list[Problem]:
    """The promises of every test-writing kata in ``curriculum`` beyond its grading tests' own."""
    problems: list[Problem] = []
    for exercise in testing_katas(curriculum):
        problems += _verify_one(root, exercise, min_mutants)
    return problems


def _verify_one(root: Path, exercise: Exercise, min_mutants: int) -> list[Problem]:
    slug = exercise.slug

    def problem(message: str) -> Problem:
        return Problem(KIND, slug, message)

    try:
        spec = load_spec(root, exercise)
    except SpecError as error:
        return [problem(str(error))]
    found: list[Problem] = []
    pristine, solutions = pristine_root(root) / spec.given_path, solutions_root(root) / spec.given_path
    if not pristine.is_file() or not solutions.is_file():
        return [problem(f"{spec.given_path} must exist in pristine/ and solutions/")]
    if pristine.read_bytes() != solutions.read_bytes():
        found.append(
            problem(f"{spec.given_path} differs between pristine/ and solutions/: the given module is one file")
        )
    if len(spec.mutants) < min_mutants:
        found.append(
            problem(f"{len(spec.mutants)} hidden mutant(s) in {SPEC_DIR}/{slug}.toml; ship at least {min_mutants}")
        )
    text = pristine.read_text(encoding="utf-8")
    for mutant in spec.mutants:
        try:
            compile(mutated(spec, text, mutant), spec.given_path, "exec")
        except SpecError as error:
            found.append(problem(str(error)))
        except SyntaxError as error:
            found.append(problem(f"hidden mutant '{mutant.name}' does not parse: {error.msg} (line {error.lineno})"))
    if found:
        return found
    model = grade_file(root, spec, solutions_root(root) / spec.learner_path)
    if model.real_problem() is not None:
        found.append(problem(f"the model tests fail against the given module: {model.real_problem()}"))
    else:
        found += [
            problem(f"hidden mutant '{mutant.name}' survives the model tests ({mutant.says})")
            for mutant in model.survivors
        ]
        found += [problem(f"the model tests miss a technique: {why}") for why in model.techniques.values() if why]
    empty = grade_file(root, spec, pristine_root(root) / spec.learner_path, every_mutant=True)
    if empty.real.collected:
        found.append(problem(f"pristine/{spec.learner_path} must hold no tests, but {empty.real.collected} ran"))
    if empty.real.errors:
        found.append(problem(f"pristine/{spec.learner_path} cannot be collected: {empty.real.errors[0]}"))
    found += [
        problem(f"hidden mutant '{name}' is caught by the empty test file: it breaks the import, not the behaviour")
        for name, run in empty.mutants.items()
        if run.caught
    ]
    return found
