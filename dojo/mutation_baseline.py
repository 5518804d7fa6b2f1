"""The committed baselines of the automated mutation pass: ``tests/mutation/<unit>.toml``.

A baseline records a unit's score and every mutant that survives its tests, each with a one-line
reason that starts with its kind:

- ``equivalent: ...``  the change cannot be observed (``popitem(last=None)`` is ``popitem(last=False)``);
- ``scaffolding: ...`` it sits in code the learner is given and does not write;
- ``postgres: ...``    it survives the pass (which runs on SQLite) because only PostgreSQL runs that code or
  can tell the change, and the PostgreSQL pass (``dojo mutation baseline NAME --postgres``, with
  ``DOJO_POSTGRES_URL`` set) killed it; that pass writes these reasons itself.

Equivalents leave the score's denominator; scaffolding survivors count against it; a survivor killed on
PostgreSQL counts as killed. `dojo verify`
fails on a survivor the baseline does not list, on an empty or unkinded reason, and on a score below
``MIN_SCORE``; an entry that no longer survives (a test now kills it, or the code is gone) is *stale*
and reported as a note, because it excuses nothing: the mutant it names is not surviving.

``fingerprint`` hashes the unit's sources and tests as they were when the baseline was written, so a
quick run can tell which units changed since.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dojo.errors import DojoError
from dojo.mutation import MutantKey, Unit, UnitResult, baseline_path, functions, toml_value
from dojo.paths import solutions_root

MIN_SCORE = 0.97
REASON_KINDS = ("equivalent", "scaffolding", "postgres")
POSTGRES_KILLED = "postgres: killed on PostgreSQL"  # how the PostgreSQL pass starts the reasons it writes
KEY_FIELDS = ("file", "function", "old", "new")


class BaselineError(DojoError, ValueError):
    """A baseline file is malformed."""


@dataclass(frozen=True)
class Survivor:
    key: MutantKey
    reason: str  # "" until a maintainer has judged it

    @property
    def kind(self) -> str | None:
        kind, sep, text = self.reason.partition(":")
        return kind.strip() if sep and kind.strip() in REASON_KINDS and text.strip() else None

    @property
    def equivalent(self) -> bool:
        return self.kind == "equivalent"

    @property
    def on_postgres(self) -> bool:
        """Survives on SQLite, killed by the PostgreSQL pass."""
        return self.kind == "postgres"


@dataclass
class Baseline:
    unit: str
    mutants: int
    killed: int
    fingerprint: str = ""
    sources: tuple[str, ...] = ()  # written for groups only: an exercise's source is its path
    survivors: list[Survivor] = field(default_factory=list)
    functions: dict[str, str] = field(default_factory=dict)  # file::Class.method -> hash of its text
    # Why this unit's triage is not finished. A pending unit is reported (score, survivors) but not
    # enforced, and the quick whole-kit pass does not spend time re-running it; --deep and --only do.
    pending: str = ""

    def by_key(self) -> dict[MutantKey, Survivor]:
        return {survivor.key: survivor for survivor in self.survivors}


def score(killed: int, mutants: int, equivalents: int, on_postgres: int = 0) -> float:
    """Killed (on SQLite, or by the PostgreSQL pass) over non-equivalent mutants; 1.0 when there is nothing to kill."""
    judged = mutants - equivalents
    return (killed + on_postgres) / judged if judged > 0 else 1.0


def fingerprint(root: Path, unit: Unit) -> str:
    """A hash of what decides the unit's outcome: its sources, its tests and their helper modules."""
    files = [solutions_root(root) / source for source in unit.sources]
    for test in unit.tests:
        path = root / test
        files.append(path)
        if path.parent.is_dir():  # conftest.py and helpers beside the test, not the other exercises' tests
            files += [p for p in path.parent.glob("*.py") if not p.name.startswith("test_")]
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    return digest.hexdigest()[:16]


def load(root: Path, unit_name: str) -> Baseline | None:
    """The unit's committed baseline, None if it has none yet."""
    path = baseline_path(root, unit_name)
    if not path.is_file():
        return None
    where = path.relative_to(root).as_posix()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BaselineError(f"{where} is not valid TOML: {error}") from None
    survivors = []
    for index, entry in enumerate(data.get("survivor", []), start=1):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in (*KEY_FIELDS, "reason")):
            raise BaselineError(f"{where}: survivor #{index} needs the strings {', '.join(KEY_FIELDS)} and reason")
        key = MutantKey(**{k: str(entry[k]) for k in KEY_FIELDS})
        survivors.append(Survivor(key, str(entry["reason"]).strip()))
    counts = {name: data.get(name, 0) for name in ("mutants", "killed")}
    if not all(isinstance(v, int) and v >= 0 for v in counts.values()):
        raise BaselineError(f"{where}: mutants and killed must be whole numbers")
    hashes = data.get("functions", {})
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        raise BaselineError(f"{where}: functions must be a table of hashes")
    pending = data.get("pending", "")
    if not isinstance(pending, str):
        raise BaselineError(f"{where}: pending must be a string: why the triage is not finished")
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise BaselineError(f"{where}: sources must be a list of paths under solutions/")
    return Baseline(
        unit=unit_name,
        mutants=int(counts["mutants"]),
        killed=int(counts["killed"]),
        fingerprint=str(data.get("fingerprint", "")),
        sources=tuple(sources),
        survivors=survivors,
        functions={str(k): str(v) for k, v in hashes.items()},
        pending=pending.strip(),
    )


def regenerate(root: Path, result: UnitResult, previous: Baseline | None, grouped: bool) -> Baseline:
    """A new baseline from a run: reasons kept for mutants that still survive, new ones left empty."""
    reasons = previous.by_key() if previous else {}
    survivors = [Survivor(o.key, reasons[o.key].reason if o.key in reasons else "") for o in result.survivors]
    unique = list({s.key: s for s in sorted(survivors, key=lambda s: s.key)}.values())
    return Baseline(
        unit=result.unit.name,
        mutants=len(result.outcomes),
        killed=result.killed,
        fingerprint=fingerprint(root, result.unit),
        sources=result.unit.sources if grouped else (),
        survivors=unique,
        functions=functions(root, result.unit),
        pending=previous.pending if previous else "",
    )


def dump(baseline: Baseline) -> str:
    equivalents = sum(s.equivalent for s in baseline.survivors)
    on_postgres = sum(s.on_postgres for s in baseline.survivors)
    lines = [
        f"# Automated mutation baseline for {baseline.unit} (mutmut). Regenerate with",
        f"#     uv run dojo mutation baseline {baseline.unit}",
        "# then give every survivor with an empty reason one line: 'equivalent: why' or 'scaffolding: why'.",
    ]
    if baseline.pending:
        lines.append(f"pending = {toml_value(baseline.pending)}")
    if baseline.sources:
        lines.append(f"sources = {toml_value(list(baseline.sources))}")
    lines += [
        f"fingerprint = {toml_value(baseline.fingerprint)}",
        f"mutants = {baseline.mutants}",
        f"killed = {baseline.killed}",
        f"# score: {score(baseline.killed, baseline.mutants, equivalents, on_postgres):.1%} of non-equivalent mutants killed"
        + (f" ({on_postgres} of them on PostgreSQL)" if on_postgres else ""),
    ]
    if baseline.functions:
        lines += ["", "# what a quick verify compares to re-mutate only the functions that changed", "[functions]"]
        lines += [f"{toml_value(key)} = {toml_value(value)}" for key, value in sorted(baseline.functions.items())]
    for survivor in baseline.survivors:
        lines += ["", "[[survivor]]"]
        lines += [f"{name} = {toml_value(getattr(survivor.key, name))}" for name in KEY_FIELDS]
        lines.append(f"reason = {toml_value(survivor.reason)}")
    return "\n".join(lines) + "\n"


def save(root: Path, baseline: Baseline) -> Path:
    path = baseline_path(root, baseline.unit)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(baseline), encoding="utf-8")
    return path


@dataclass
class Judgement:
    """A unit's live run held against its baseline."""

    unit: str
    mutants: int
    killed: int
    equivalents: int
    unexpected: list[MutantKey] = field(default_factory=list)  # survivors the baseline does not list
    unreasoned: list[Survivor] = field(default_factory=list)  # listed, but with no proper reason
    stale: list[Survivor] = field(default_factory=list)  # listed, but no longer surviving
    from_baseline: bool = False  # not run this time: the numbers are the baseline's
    partial: int | None = None  # only this many mutants (of the changed functions) were run
    on_postgres: int = 0  # survivors of this (SQLite) run that the baseline's PostgreSQL pass killed

    @property
    def score(self) -> float:
        return score(self.killed, self.mutants, self.equivalents, self.on_postgres)


def judge(result: UnitResult, baseline: Baseline | None, only: Collection[str] | None = None) -> Judgement:
    """The run against the baseline. ``only``: the run covered just these functions (file::qualname), so
    the counts are the baseline's and only survivors in those functions are held against it."""
    listed = baseline.by_key() if baseline else {}
    alive = {o.key for o in result.survivors}
    accepted = [listed[key] for key in alive if key in listed]
    if only is not None and baseline is not None:
        covered = {(key.partition("::")[0], key.partition("::")[2]) for key in only}
        ran = [s for key, s in listed.items() if (key.file, key.function) in covered]
        judged = judge_baseline(baseline)
        judged.from_baseline = False
        judged.partial = len(result.outcomes)
        judged.unexpected = sorted(key for key in alive if key not in listed)
        judged.stale = [s for s in ran if s.key not in alive]
        return judged
    return Judgement(
        unit=result.unit.name,
        mutants=len(result.outcomes),
        killed=result.killed,
        equivalents=sum(s.equivalent for s in accepted),
        on_postgres=sum(s.on_postgres for s in accepted),
        unexpected=sorted(key for key in alive if key not in listed),
        unreasoned=[s for s in accepted if s.kind is None],
        stale=[s for key, s in listed.items() if key not in alive],
    )


def judge_baseline(baseline: Baseline) -> Judgement:
    """A unit that was not run: its baseline's own numbers, and its reasons still checked."""
    return Judgement(
        unit=baseline.unit,
        mutants=baseline.mutants,
        killed=baseline.killed,
        equivalents=sum(s.equivalent for s in baseline.survivors),
        on_postgres=sum(s.on_postgres for s in baseline.survivors),
        unreasoned=[s for s in baseline.survivors if s.kind is None],
        from_baseline=True,
    )


def postgres_functions(baseline: Baseline) -> set[str]:
    """The functions (``file::Class.method``) whose survivors the PostgreSQL pass judged last time."""
    return {f"{s.key.file}::{s.key.function}" for s in baseline.survivors if s.on_postgres}


def apply_postgres(baseline: Baseline, result: UnitResult, covered: Collection[str]) -> tuple[Baseline, int, int]:
    """The baseline with the PostgreSQL pass's verdicts on its survivors in the ``covered`` functions.

    A survivor the pass killed gets a ``postgres:`` reason; one that survives PostgreSQL too keeps its
    reason, unless that reason was an earlier ``postgres:`` one (then it is emptied, for a maintainer to
    judge). Returns the new baseline, how many survivors the pass killed, and how many it did not."""
    verdicts = {o.key: o for o in result.outcomes}
    functions_run = {(key.partition("::")[0], key.partition("::")[2]) for key in covered}
    survivors: list[Survivor] = []
    killed = alive = 0
    for survivor in baseline.survivors:
        outcome = verdicts.get(survivor.key)
        if (survivor.key.file, survivor.key.function) not in functions_run or outcome is None:
            survivors.append(survivor)
        elif outcome.killed:
            killed += 1
            survivors.append(Survivor(survivor.key, f"{POSTGRES_KILLED} (mutmut: {outcome.status})"))
        else:
            alive += 1
            survivors.append(Survivor(survivor.key, "" if survivor.on_postgres else survivor.reason))
    updated = Baseline(
        unit=baseline.unit, mutants=baseline.mutants, killed=baseline.killed, fingerprint=baseline.fingerprint,
        sources=baseline.sources, survivors=survivors, functions=baseline.functions, pending=baseline.pending,
    )  # fmt: skip
    return updated, killed, alive


def describe(key: MutantKey) -> str:
    change = f"{key.old or '(nothing)'} -> {key.new or '(removed)'}".replace("\n", " / ")
    return f"{key.file}:{key.function}: {change}"


@dataclass
class Plan:
    run: list[Unit] = field(default_factory=list)  # units to mutate now
    only: dict[str, set[str]] = field(default_factory=dict)  # unit name -> the functions to mutate, if not all
    from_baseline: list[Unit] = field(default_factory=list)  # units reported from their baselines
    missing: list[Unit] = field(default_factory=list)  # units with no generated baseline (quick runs only)


def plan(
    root: Path, candidates: Sequence[Unit], *, deep: bool, sample: int, rotation: int, large: int = 400, slice_of: int = 8
) -> Plan:
    """Which units (and functions) to mutate now, and which to take from their baselines.

    Deep: everything. Otherwise: a unit without a baseline runs whole; a unit whose fingerprint changed
    re-mutates the functions whose text changed, or, if none did (its tests changed), runs whole, or a
    rotating 1/``slice_of`` of its functions when it has more than ``large`` mutants; and ``sample``
    unchanged units are re-run too (a large one by a rotating slice), chosen by ``rotation`` (CI passes
    the day number, so over some days everything is re-run even if nothing changed).
    """
    if deep:
        return Plan(run=list(candidates))
    result = Plan()
    unchanged: list[Unit] = []
    for unit in candidates:
        try:
            baseline = load(root, unit.name)
        except BaselineError:
            baseline = None
        if baseline is None or not baseline.fingerprint:
            result.missing.append(unit)  # never generated: verify says so, without spending minutes on it
        elif baseline.fingerprint == fingerprint(root, unit):
            unchanged.append(unit)
        else:
            now = functions(root, unit)
            edited = {key for key, digest in now.items() if baseline.functions.get(key) != digest}
            if edited and baseline.functions:
                result.run.append(unit)
                result.only[unit.name] = edited
            else:
                _whole_or_slice(result, unit, baseline, now, large, slice_of, rotation)
    for unit in _rotate(unchanged, sample, rotation):
        baseline = load(root, unit.name)
        assert baseline is not None
        _whole_or_slice(result, unit, baseline, functions(root, unit), large, slice_of, rotation)
    result.from_baseline = [u for u in unchanged if u not in result.run]
    return result


def _whole_or_slice(
    result: Plan, unit: Unit, baseline: Baseline, now: dict[str, str], large: int, slice_of: int, rotation: int
) -> None:
    result.run.append(unit)
    if baseline.mutants > large:
        keys = sorted(now)
        result.only[unit.name] = {key for index, key in enumerate(keys) if index % slice_of == rotation % slice_of}


def _rotate(items: Sequence[Unit], count: int, rotation: int) -> list[Unit]:
    if not items or count <= 0:
        return []
    start = (rotation * count) % len(items)
    chosen = [items[(start + i) % len(items)] for i in range(min(count, len(items)))]
    return [item for item in items if item in chosen]


def names(units: Iterable[Unit]) -> str:
    return ", ".join(unit.name for unit in units)
