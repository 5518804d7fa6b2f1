"""The drill's rules, event by event, on an injected clock: no terminal, no files, no waiting."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from dojo.curriculum import Exercise
from dojo.curriculum import load as load_curriculum
from dojo.drill.clock import DrillClock, FileSource, SwapSchedule, mmss
from dojo.drill.machine import (
    Bell,
    CommitsSeen,
    DrillMachine,
    DrillState,
    FilesChanged,
    Finish,
    Key,
    RunTests,
    TestsFinished,
    Tick,
)
from dojo.drill.plan import Criterion, DrillPlan, Step, build
from dojo.testing import FakeClock

ROOT = Path(__file__).resolve().parents[3]
RUBRIC = (Criterion("1", "restate", "..."), Criterion("2", "clarify", "..."))


def _exercise(slug: str, kind: str = "capstone") -> Exercise:
    return Exercise(slug, slug, kind, "t", "easy", f"katas/{slug}.py", (), ("first hint", "second hint"), ("p",))


def _capstone() -> DrillPlan:
    one, two = _exercise("round1"), _exercise("round2")
    steps = (
        Step(one, "List them.", "", 15, ("Flat or normalised?",), None, (one,)),
        Step(two, "Filter them.", "", 10, (), "Requirements change: restate first.", (one, two)),
    )
    return DrillPlan("capstone", "capstone", steps, "katas/deals_api", RUBRIC)


def _single(kind: Literal["kata", "review"] = "kata", minutes: int = 5) -> DrillPlan:
    exercise = _exercise("adder", kind)
    return DrillPlan(kind, "adder", (Step(exercise, "Add.", "", minutes, (), None, (exercise,)),), "katas/adder.py", RUBRIC)


def _green(machine: DrillMachine) -> None:
    machine.handle(Key("r"))
    machine.handle(TestsFinished(machine.step.slug, 3, 3))


def test_the_next_ask_stays_hidden_until_the_round_and_every_earlier_one_pass():
    clock = FakeClock(0)
    machine = DrillMachine(_capstone(), clock)
    assert machine.handle(Key("n")) == []
    assert machine.state.current == 0
    assert "once the tests pass" in machine.state.banner
    machine.handle(Key("r"))
    machine.handle(TestsFinished("round1", 2, 3, ("test_x",)))
    machine.handle(Key("n"))
    assert machine.state.current == 0, "a red round does not move on"
    machine.handle(Key("r"))
    clock.advance(400)
    machine.handle(TestsFinished("round1", 3, 3))
    assert machine.record.green_at == 400
    effects = machine.handle(Key("n"))
    assert machine.state.current == 1
    assert effects == [Bell()], "a changing-requirement moment rings the bell"
    assert machine.state.banner.startswith("REQUIREMENTS CHANGE.")
    assert machine.state.records[0].ended == 400
    assert machine.state.records[1].started == 400


def test_a_result_for_an_earlier_round_does_not_count_for_the_current_one():
    machine = DrillMachine(_capstone(), FakeClock(0))
    _green(machine)
    machine.handle(Key("n"))
    machine.handle(TestsFinished("round1", 3, 3))  # a run started before the move, finishing late
    assert machine.record.runs == 0
    assert not machine.record.green


def test_the_last_round_green_and_n_finishes_the_interview():
    machine = DrillMachine(_capstone(), FakeClock(0))
    _green(machine)
    machine.handle(Key("n"))
    _green(machine)
    assert machine.handle(Key("n")) == [Finish("done")]
    assert machine.state.finished == "done"
    assert machine.handle(Key("r")) == [], "a finished drill ignores everything"


def test_a_budget_warning_rings_once_when_the_rounds_time_is_spent():
    clock = FakeClock(0)
    machine = DrillMachine(_capstone(), clock)
    clock.advance(899)
    assert machine.handle(Tick()) == []
    clock.advance(1)
    assert machine.handle(Tick()) == [Bell()]
    assert "15:00: the interviewer would be asking for round2 by now" in machine.state.banner
    assert machine.handle(Tick()) == [], "once"
    _green(machine)
    machine.handle(Key("n"))
    clock.advance(10 * 60 - 1)  # round 2 is due at the running sum of the budgets: 25:00
    assert machine.handle(Tick()) == []
    clock.advance(1)
    assert machine.handle(Tick()) == [Bell()]
    assert "Time is up (25:00)" in machine.state.banner


def test_a_green_exercise_gets_no_time_up_warning():
    clock = FakeClock(0)
    machine = DrillMachine(_single(), clock)
    _green(machine)
    clock.advance(600)
    assert machine.handle(Tick()) == []
    assert machine.state.banner.startswith("Done in 0:00 of 5:00")


def test_a_review_drill_is_graded_when_its_time_box_ends_or_on_f():
    clock = FakeClock(0)
    machine = DrillMachine(_single("review"), clock)
    assert machine.handle(Key("n")) == [], "a review has no next: f finishes it"
    clock.advance(300)
    assert machine.handle(Tick()) == [Bell(), Finish("time")]
    early = DrillMachine(_single("review"), FakeClock(0))
    assert early.handle(Key("f")) == [Finish("done")]


def test_pairs_swap_at_every_interval_with_a_banner_and_the_bell():
    clock = FakeClock(0)
    machine = DrillMachine(_single(minutes=60), clock, SwapSchedule(("ana", "ben", "cy"), 10))
    clock.advance(599)
    assert machine.handle(Tick()) == []
    clock.advance(1)
    assert machine.handle(Tick()) == [Bell()]
    assert machine.state.banner == "SWAP: ben drives, cy navigates."
    clock.advance(600)
    machine.handle(Tick())
    assert machine.state.banner == "SWAP: cy drives, ana navigates."
    assert machine.state.swap_slot == 2


def test_a_save_during_a_run_queues_exactly_one_more_run():
    machine = DrillMachine(_single(), FakeClock(0))
    assert machine.handle(FilesChanged()) == [RunTests(machine.step)]
    assert machine.handle(FilesChanged()) == []
    assert machine.handle(Key("r")) == []
    assert machine.handle(TestsFinished("adder", 0, 2)) == [RunTests(machine.step)]
    assert machine.handle(TestsFinished("adder", 2, 2)) == []
    assert machine.record.runs == 2


def test_hints_rubric_marks_and_commits_belong_to_the_round_in_progress():
    clock = FakeClock(0)
    machine = DrillMachine(_capstone(), clock)
    machine.handle(Key("h"))
    machine.handle(Key("h"))
    machine.handle(Key("h"))
    assert machine.record.hints == 2, "never more hints than there are"
    assert machine.state.hint_text == "hint 2/2: second hint"
    machine.handle(Key("2"))
    machine.handle(CommitsSeen((("abc", "feat: models"),)))
    _green(machine)
    machine.handle(Key("n"))
    assert machine.state.hint_text == "", "the next round starts without the last round's hint"
    clock.advance(5)
    machine.handle(Key("1"))
    machine.handle(Key("x"))  # not a key the drill knows: ignored
    machine.handle(CommitsSeen((("def", "feat: filters"),)))
    assert [(m.criterion, m.step, m.at) for m in machine.state.marks] == [("clarify", "round1", 0), ("restate", "round2", 5)]
    assert [(c.sha, c.step) for c in machine.state.commits] == [("abc", "round1"), ("def", "round2")]


def test_the_state_survives_a_save_and_a_resume():
    machine = DrillMachine(_capstone(), FakeClock(0))
    machine.handle(Key("h"))
    machine.handle(Key("1"))
    _green(machine)
    machine.handle(Key("n"))
    machine.handle(Key("r"))  # a run in flight is not saved as running: resume starts idle
    restored = DrillState.from_json(machine.state.to_json())
    assert restored.current == 1
    assert restored.records[0].green
    assert restored.records[0].hints == 1
    assert restored.marks == machine.state.marks
    assert not restored.running


def test_the_clock_counts_from_its_start_and_a_resumed_one_from_its_offset(tmp_path: Path):
    source = FakeClock(1_000)
    clock = DrillClock(source)
    assert clock() == 0
    source.advance(75)
    assert clock() == 75
    assert mmss(clock()) == "1:15"
    resumed = DrillClock(source, offset=75)
    source.advance(30)
    assert resumed() == 105
    assert mmss(-61) == "-1:01"
    file = tmp_path / "clock"
    reading = FileSource(file)
    assert reading() == 0, "no file yet: time has not started"
    file.write_text("42.5")
    assert reading() == 42.5
    file.write_text("not a number")
    assert reading() == 42.5, "a half-written file does not move time"
    file.write_text("10")
    assert reading() == 42.5, "and time never goes back"


def test_the_capstone_is_paced_by_the_curriculums_time_boxes_and_the_playbooks_script():
    curriculum = load_curriculum(ROOT)
    plan = build(ROOT, curriculum, "capstone")
    rounds = curriculum.groups()["capstone"]
    boxes = [r.timebox_minutes or 0 for r in rounds]
    assert [step.budget_minutes for step in plan.steps] == boxes, "budgets come from curriculum.toml alone"
    assert list(plan.deadlines) == [sum(boxes[: i + 1]) * 60 for i in range(len(boxes))]
    assert [step.slug for step in plan.steps if step.change] == ["round3", "round6"], "the playbook's two changes"
    assert all(step.questions for step in plan.steps), "every round has the questions a strong candidate asks"
    assert plan.steps[0].ask.startswith("Here's a CSV of hotel deals"), "round 1's ask, as the interviewer says it"
    assert [step.checks for step in plan.steps][2] == rounds[:3], "a round passes only with every earlier one"
    assert [c.key for c in plan.rubric] == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_group_is_paced_by_its_rounds_so_minutes_is_refused():
    from dojo.curriculum import CurriculumError

    with pytest.raises(CurriculumError, match="drop --minutes"):
        build(ROOT, load_curriculum(ROOT), "capstone", minutes=45)


def test_q_stops_the_drill_at_any_point():
    machine = DrillMachine(_capstone(), FakeClock(0))
    assert machine.handle(Key("q")) == [Finish("quit")]
    assert machine.state.finished == "quit"


@pytest.mark.parametrize(
    ("subject", "conventional"),
    [
        ("feat: add the loader", True),
        ("fix(api): a 404 for a missing deal", True),
        ("refactor!: one session per request", True),
        ("docs: CLAUDE.md rules", True),
        ("Add the loader", False),
        ("feat:no space", False),
        ("feature: add the loader", False),
        ("wip", False),
    ],
    ids=lambda value: str(value),
)
def test_a_conventional_commit_names_its_type_then_the_change(subject: str, conventional: bool):
    from dojo.drill.commits import is_conventional

    assert is_conventional(subject) is conventional


def test_a_pair_alternates_and_counts_down_to_the_next_swap():
    schedule = SwapSchedule(("ana", "ben"), 10)
    assert (schedule.driver(0), schedule.navigator(0)) == ("ana", "ben")
    assert schedule.until_swap(0) == 600
    assert (schedule.driver(601), schedule.navigator(601)) == ("ben", "ana")
    assert schedule.until_swap(601) == 599
    assert schedule.driver(1200) == "ana"
