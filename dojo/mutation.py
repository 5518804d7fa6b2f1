"""Automated mutation testing of the reference answers, with mutmut.

The hand-written mutants (dojo/mutants.py) prove the tests catch the classic wrong answers someone
thought of; this pass proves they catch the ones nobody wrote down. mutmut makes hundreds of small
changes to a reference (a flipped comparison, +1, a removed statement, a None return, ...) and runs the
exercise's tests against each; a change that no test notices is a *survivor*.

mutmut names a mutant's module after its file path, and the tests import ``katas.x``, so it cannot mutate
``solutions/katas/x.py`` in place. It runs in a staging folder instead: the reference trees' ``katas/`` and
``reviews/`` at its top level beside ``tests/``, ``dojo/``, ``conftest.py`` and ``curriculum.toml``, with
the plugin pointed at that folder (``--dojo-tree .``) and ``--dojo-mutant-run`` so that a failure in a
fixture's setup or teardown counts only where a test is marked ``fixture_check`` (see dojo/plugin.py).

A *unit* is what one baseline covers (``tests/mutation/<unit>.toml``): an exercise and its reference
file, or a group (the capstone) with the modules its baseline lists as ``sources`` and the tests of every
member. Survivors are keyed by file, function and the mutated text, never by mutmut's running number, so
a baseline survives unrelated edits of the reference.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dojo import kinds
from dojo.curriculum import Curriculum, Exercise
from dojo.errors import DojoError
from dojo.paths import CURRICULUM_FILE, LEARNER_PACKAGES, solutions_root

# mutmut's verdicts (mutmut.stats.status_by_exit_code) as this kit judges them.
KILLED_STATUSES = frozenset({"killed", "timeout", "segfault", "caught by type check"})
SURVIVED_STATUSES = frozenset({"survived", "no tests"})  # "no tests": no test even reached the function
DEFAULT_TIMEOUT_SECONDS = 1800


class MutationError(DojoError, RuntimeError):
    """mutmut could not run (its clean run failed, the staging folder is broken, ...)."""


@dataclass(frozen=True)
class Unit:
    """What one baseline covers: reference files to mutate, and the tests that must notice."""

    name: str  # the exercise's slug, or the group's name
    sources: tuple[str, ...]  # relative to solutions/, e.g. "katas/lru_cache.py"
    tests: tuple[str, ...]  # relative to the root
    slugs: tuple[str, ...]  # the exercises whose tests these are


@dataclass(frozen=True, order=True)
class MutantKey:
    """A mutant as something stable across unrelated edits: where it is and what it changes."""

    file: str  # relative to solutions/
    function: str  # "Class.method" or "function"
    old: str  # the changed line(s) before, stripped, joined by newlines
    new: str  # ...and after ("" when mutmut removed them)


@dataclass(frozen=True)
class MutantOutcome:
    key: MutantKey
    name: str  # mutmut's own name, for `mutmut show` while debugging
    status: str  # mutmut's verdict
    killed: bool


@dataclass
class UnitResult:
    unit: Unit
    outcomes: list[MutantOutcome] = field(default_factory=list)

    @property
    def survivors(self) -> list[MutantOutcome]:
        return [o for o in self.outcomes if not o.killed]

    @property
    def killed(self) -> int:
        return sum(o.killed for o in self.outcomes)


# ---- which units the kit has ----


def baseline_path(root: Path, unit_name: str) -> Path:
    return root / "tests" / "mutation" / f"{unit_name}.toml"


def _group_sources(root: Path, group: str) -> tuple[str, ...]:
    """A group's sources are listed in its baseline: which of the package's modules the learner writes."""
    path = baseline_path(root, group)
    if not path.is_file():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return ()
    sources = data.get("sources", [])
    return tuple(s for s in sources if isinstance(s, str)) if isinstance(sources, list) else ()


def units(root: Path, curriculum: Curriculum) -> list[Unit]:
    """Every unit of the kit, in curriculum order: one per ungrouped exercise, one per group."""
    found: list[Unit] = []
    seen_groups: set[str] = set()
    for exercise in curriculum:
        if not kinds.of(exercise).mutation_pass:
            continue  # a koan (its reference is the claim) or a test-writing kata (it ships its own mutants)
        if exercise.group is None:
            found.append(Unit(exercise.slug, (exercise.path,), exercise.tests, (exercise.slug,)))
            continue
        if exercise.group in seen_groups:
            continue
        seen_groups.add(exercise.group)
        members = curriculum.groups()[exercise.group]
        tests = tuple(dict.fromkeys(t for member in members for t in member.tests))
        found.append(Unit(exercise.group, _group_sources(root, exercise.group), tests, tuple(m.slug for m in members)))
    return found


def units_for(all_units: Sequence[Unit], exercises: Iterable[Exercise]) -> list[Unit]:
    """The units that cover any of these exercises."""
    wanted = {exercise.slug for exercise in exercises}
    return [unit for unit in all_units if wanted & set(unit.slugs)]


# ---- mutmut's naming, and its diffs as stable keys ----


def function_of(mutant_name: str, module: str) -> str:
    """``katas.lru_cache.xǁLRUCacheǁput__mutmut_4`` -> ``LRUCache.put``; ``...x_make_key__mutmut_6`` -> ``_make_key``."""
    local = mutant_name.removeprefix(module + ".")
    local = local.rsplit("__mutmut_", 1)[0]
    if local.startswith("xǁ"):
        return ".".join(part for part in local[2:].split("ǁ") if part)
    return local.removeprefix("x_")


def key_from_diff(file: str, function: str, diff: str) -> MutantKey:
    """The stable key of a mutant, from mutmut's unified diff of its function."""
    old: list[str] = []
    new: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            old.append(line[1:].strip())
        elif line.startswith("+"):
            new.append(line[1:].strip())
    return MutantKey(file=file, function=function, old="\n".join(old), new="\n".join(new))


def module_of(source: str) -> str:
    return source.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def functions(root: Path, unit: Unit) -> dict[str, str]:
    """Every function and method mutmut can mutate in the unit's sources, as ``file::Class.method``, with a
    hash of its source text: a quick run re-mutates only the functions whose text changed."""
    found: dict[str, str] = {}
    for source in unit.sources:
        path = solutions_root(root) / source
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in tree.body:
            members = [("", node)] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else []
            if isinstance(node, ast.ClassDef):
                members = [
                    (node.name + ".", item) for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
            for prefix, function in members:
                segment = ast.get_source_segment(text, function) or ""
                found[f"{source}::{prefix}{function.name}"] = hashlib.sha256(segment.encode()).hexdigest()[:12]
    return found


def mutant_pattern(function_key: str) -> str:
    """mutmut's name pattern for every mutant of ``file::Class.method`` (or ``file::function``)."""
    source, _, qualname = function_key.partition("::")
    cls, _, name = qualname.rpartition(".")
    local = f"xǁ{cls}ǁ{name}" if cls else f"x_{name}"
    return f"{module_of(source)}.{local}__mutmut_*"


# ---- staging and running ----


def toml_value(value: object) -> str:
    """A small TOML writer for the values a pytest and mutmut configuration holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _pytest_options(root: Path) -> dict[str, object]:
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    options = data.get("tool", {}).get("pytest", {}).get("ini_options", {})
    return dict(options) if isinstance(options, dict) else {}


def stage(root: Path, selected: Sequence[Unit], destination: Path) -> Path:
    """Lay out a folder mutmut can run in: the reference trees at the top, the kit's tests beside them."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")
    destination.mkdir(parents=True)
    for package in LEARNER_PACKAGES:
        source = solutions_root(root) / package
        if source.is_dir():
            shutil.copytree(source, destination / package, ignore=ignore)
    # The kit's tooling too, when it lives in the checkout (a kit elsewhere uses the installed dojo).
    copied = [name for name in ("tests", "dojo") if (root / name).is_dir()]
    for name in copied:
        shutil.copytree(root / name, destination / name, ignore=ignore)
    for name in ("conftest.py", CURRICULUM_FILE):
        shutil.copy2(root / name, destination / name)
    copied += [package for package in LEARNER_PACKAGES if (destination / package).is_dir()]
    sources = sorted({s for unit in selected for s in unit.sources})
    tests = sorted({t for unit in selected for t in unit.tests})
    lines = ["[tool.pytest.ini_options]"]
    lines += [f"{name} = {toml_value(value)}" for name, value in _pytest_options(root).items()]
    mutmut = {
        "source_paths": sources,
        "also_copy": [*copied, "conftest.py", CURRICULUM_FILE],
        # The plugin imports the exercises from this folder, and judges fixture failures as verify does.
        "pytest_add_cli_args": ["--dojo-tree=.", "--dojo-mutant-run", "-p", "no:cacheprovider", "-q"],
        # Named one by one: a whole-folder selection collects every kata's tests into one process.
        "pytest_add_cli_args_test_selection": tests,
        "use_git_change_detection": False,
    }
    lines += ["", "[tool.mutmut]"] + [f"{name} = {toml_value(value)}" for name, value in mutmut.items()]
    (destination / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return destination


def _env(postgres_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # Mutants run on SQLite and fakeredis alone: which server is not what they test (as for hand-written
    # mutants), and a baseline must not depend on whether this machine has one. The PostgreSQL pass
    # (``postgres_url``) re-runs, on a server too, only the survivors that PostgreSQL alone can judge.
    for name in ("DOJO_TARGET", "DOJO_POSTGRES_URL", "DOJO_REDIS_URL"):
        env.pop(name, None)
    if postgres_url:
        env["DOJO_POSTGRES_URL"] = postgres_url
    return env


def _statuses(stage_dir: Path, source: str) -> dict[str, int | None]:
    meta = stage_dir / "mutants" / f"{source}.meta"
    if not meta.is_file():
        return {}
    data = json.loads(meta.read_text(encoding="utf-8"))
    codes = data.get("exit_code_by_key", {})
    return {str(k): (int(v) if v is not None else None) for k, v in codes.items()}


_DIFF_SCRIPT = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
names = json.loads(sys.stdin.read())
print(json.dumps({name: get_diff_for_mutant(name) for name in names}))
"""


def _diffs(stage_dir: Path, names: Sequence[str]) -> dict[str, str]:
    if not names:
        return {}
    completed = subprocess.run(
        [sys.executable, "-c", _DIFF_SCRIPT], cwd=stage_dir, env=_env(), input=json.dumps(list(names)),
        text=True, capture_output=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise MutationError(f"could not read mutmut's diffs: {_tail(completed.stderr)}")
    result = json.loads(completed.stdout)
    return {str(k): str(v) for k, v in result.items()}


def _patterns(selected: Sequence[Unit], only: Mapping[str, Collection[str]] | None) -> list[str]:
    """Name patterns for a partial run; none (everything) when no unit is restricted."""
    if not only or not any(unit.name in only for unit in selected):
        return []
    patterns: list[str] = []
    for unit in selected:
        if unit.name in only:
            patterns += [mutant_pattern(key) for key in sorted(only[unit.name])]
        else:
            patterns += [f"{module_of(source)}.*" for source in unit.sources]
    return patterns


def _status_names() -> dict[int | None, str]:
    from mutmut.stats import status_by_exit_code

    return dict(status_by_exit_code)


def _tail(text: str, lines: int = 12) -> str:
    kept = [line for line in text.replace("\r", "\n").splitlines() if line.strip() and "⠋" not in line]
    return " | ".join(kept[-lines:])


def run(
    root: Path,
    selected: Sequence[Unit],
    *,
    jobs: int = 2,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    only: Mapping[str, Collection[str]] | None = None,
    postgres_url: str | None = None,
) -> list[UnitResult]:
    """Run mutmut over these units' sources, with their tests; one result per unit, every mutant judged.

    ``only`` maps a unit's name to the functions (``file::Class.method``) to mutate in it; a unit not in
    it is mutated whole. Mutants of the other functions are left out of that unit's result.
    ``postgres_url``: the tests that ask for a database run on this PostgreSQL server too (the
    ``[postgres]`` instances), not on SQLite alone.
    """
    selected = [unit for unit in selected if unit.sources]
    if not selected:
        return []
    for unit in selected:
        for source in unit.sources:
            if not (solutions_root(root) / source).is_file():
                raise MutationError(f"{unit.name}: solutions/{source} does not exist")
    with tempfile.TemporaryDirectory(prefix="dojo-mutation-") as scratch:
        stage_dir = stage(root, selected, Path(scratch) / "stage")
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *_patterns(selected, only)],
                cwd=stage_dir, env=_env(postgres_url), text=True, capture_output=True, check=False, timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise MutationError(f"mutmut took longer than {timeout:.0f} s") from None
        if completed.returncode != 0 and "nothing matches" in completed.stdout + completed.stderr:
            return [UnitResult(unit) for unit in selected]  # the functions to re-run hold no mutants
        if completed.returncode != 0:
            names = ", ".join(unit.name for unit in selected)
            raise MutationError(f"mutmut failed on {names}: {_tail(completed.stdout + completed.stderr)}")
        status_names = _status_names()
        codes = {source: _statuses(stage_dir, source) for unit in selected for source in unit.sources}
        judged: dict[str, tuple[str, str]] = {}  # mutant name -> (source, status)
        for source, by_name in codes.items():
            for name, code in by_name.items():
                if code is None and only:
                    continue  # left out of this partial run
                judged[name] = (source, status_names.get(code, "suspicious"))
        diffs = _diffs(stage_dir, sorted(judged))
    results = []
    for unit in selected:
        result = UnitResult(unit)
        for name, (source, status) in sorted(judged.items()):
            if source not in unit.sources:
                continue
            key = key_from_diff(source, function_of(name, module_of(source)), diffs.get(name, ""))
            if status not in KILLED_STATUSES | SURVIVED_STATUSES:
                raise MutationError(f"{unit.name}: mutant {name} ({key.function}) was not judged: mutmut says {status}")
            result.outcomes.append(MutantOutcome(key, name, status, killed=status in KILLED_STATUSES))
        results.append(result)
    return results
