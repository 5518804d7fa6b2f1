"""The automated mutation pass as one step of `dojo verify`.

What runs: with ``--only``, every unit covering the chosen exercises; for the whole kit, with
``--deep``, every unit; without it, the units whose sources or tests changed since their baseline
(``fingerprint``) plus a rotating sample of ``SAMPLE`` unchanged ones (the rotation is the UTC day
number, so every unit is run again within a few days). A unit not run is reported from its baseline.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dojo import mutation_baseline as baselines
from dojo.curriculum import Curriculum, Exercise
from dojo.mutation import MutationError, Unit, baseline_path, run, units, units_for
from dojo.problems import Problem

SAMPLE = 3  # unchanged units re-run by a quick (non-deep) whole-kit pass
CHECK = "mutation"


@dataclass
class AutomatedReport:
    judgements: dict[str, baselines.Judgement] = field(default_factory=dict)  # unit name -> judgement
    unit_of: dict[str, str] = field(default_factory=dict)  # exercise slug -> unit name
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    failing_units: set[str] = field(default_factory=set)
    pending: dict[str, str] = field(default_factory=dict)  # unit name -> why its triage is not finished
    seconds: float = 0.0

    def fail(self, unit: Unit, message: str) -> None:
        if unit.name in self.pending:  # reported, not enforced, until its baseline is triaged
            self.notes.append(f"{unit.name} (pending triage): {message}")
            return
        self.failing_units.add(unit.name)
        self.problems.append(Problem(CHECK, unit.slugs[0] if len(unit.slugs) == 1 else "", message))

    @property
    def held(self) -> int:
        """Units that hold: judged, and nothing wrong with them."""
        return len(set(self.judgements) - self.failing_units)


def _regenerate(unit: Unit) -> str:
    return f"uv run dojo mutation baseline {unit.name}"


def check(
    root: Path, curriculum: Curriculum, exercises: Sequence[Exercise], *, deep: bool, jobs: int, today: dt.date | None = None
) -> AutomatedReport:
    started = time.monotonic()
    report = AutomatedReport()
    candidates = units_for(units(root, curriculum), exercises)
    report.unit_of = {slug: unit.name for unit in candidates for slug in unit.slugs}
    loaded: dict[str, baselines.Baseline | None] = {}
    runnable: list[Unit] = []
    for unit in candidates:
        try:
            loaded[unit.name] = baselines.load(root, unit.name)
        except baselines.BaselineError as error:
            report.fail(unit, str(error))
            continue
        baseline = loaded[unit.name]
        if baseline is not None and baseline.pending:
            report.pending[unit.name] = baseline.pending
            report.notes.append(f"{unit.name}: pending triage, not enforced: {baseline.pending}")
        if not unit.sources:
            where = baseline_path(root, unit.name).relative_to(root).as_posix()
            report.fail(unit, f"{where} must list the modules to mutate as `sources`")
            continue
        runnable.append(unit)
    whole_kit = len(exercises) == len(curriculum)
    if whole_kit:
        known = {unit.name for unit in candidates}
        folder = baseline_path(root, "x").parent
        report.problems += [
            Problem(CHECK, "", f"{path.relative_to(root).as_posix()} belongs to no exercise or group")
            for path in sorted(folder.glob("*.toml"))
            if path.stem not in known
        ]
    rotation = (today or dt.datetime.now(dt.UTC).date()).toordinal()
    if whole_kit and not deep:  # a pending unit is judged from its baseline; --deep and --only re-run it
        runnable = [unit for unit in runnable if unit.name not in report.pending]
        pending_units = [unit for unit in candidates if unit.name in report.pending]
    else:
        pending_units = []
    planned = baselines.plan(root, runnable, deep=deep or not whole_kit, sample=SAMPLE, rotation=rotation)
    if whole_kit and not deep:
        stale = [
            unit.name
            for unit in runnable
            if (base := loaded.get(unit.name)) is not None and base.fingerprint != baselines.fingerprint(root, unit)
        ]
        if stale:  # they still hold (they are re-run now), but every quick pass pays for them until regenerated
            report.notes.append(
                f"{len(stale)} baseline(s) out of date, so re-run by every quick pass until regenerated: "
                f"uv run dojo mutation baseline {' '.join(stale)}"
            )
    try:
        results = run(root, planned.run, jobs=jobs, only=planned.only)
    except MutationError as error:
        report.problems.append(Problem(CHECK, "", str(error)))
        results = []
    report.ran = [
        result.unit.name + (f" (in part: {len(result.outcomes)} mutants)" if result.unit.name in planned.only else "")
        for result in results
    ]
    for result in results:
        unit = result.unit
        baseline = loaded.get(unit.name)
        judged = baselines.judge(result, baseline, planned.only.get(unit.name))
        report.judgements[unit.name] = judged
        if baseline is None:
            report.fail(unit, f"{unit.name} has no baseline ({len(judged.unexpected)} survivors): run `{_regenerate(unit)}`")
            continue
        for key in judged.unexpected:
            report.fail(unit, f"survives and is not in the baseline: {baselines.describe(key)}")
        report.notes += [f"{unit.name}: stale baseline entry (no longer survives): {baselines.describe(s.key)}" for s in judged.stale]
        _check_reasons_and_score(report, unit, judged)
    for unit in planned.missing:
        report.fail(unit, f"{unit.name} has no baseline yet: run `{_regenerate(unit)}` (the quick pass does not run it)")
    for unit in [*planned.from_baseline, *pending_units]:
        baseline = loaded[unit.name]
        if baseline is None:  # plan() never leaves a unit without a baseline out
            continue
        judged = baselines.judge_baseline(baseline)
        report.judgements[unit.name] = judged
        _check_reasons_and_score(report, unit, judged)
    report.seconds = time.monotonic() - started
    return report


def _check_reasons_and_score(report: AutomatedReport, unit: Unit, judged: baselines.Judgement) -> None:
    where = baseline_path(Path("."), unit.name).as_posix()
    for survivor in judged.unreasoned:
        described = baselines.describe(survivor.key)
        report.fail(unit, f"{where}: survivor without a reason ('equivalent: ...' or 'scaffolding: ...'): {described}")
    if judged.score < baselines.MIN_SCORE:
        report.fail(unit, f"{unit.name}: {judged.score:.1%} of non-equivalent mutants killed, below {baselines.MIN_SCORE:.0%}")
