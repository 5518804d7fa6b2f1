"""Every drill kind, end to end, in a real terminal: keys in, the screen out, the report on disk."""

from __future__ import annotations

from pathlib import Path

import pexpect

from tests.dojo.drill.conftest import BOTH_ROUNDS, ROUND1, git
from tests.dojo.test_cli import SOLVED


def test_a_kata_drill_hints_warns_at_the_budget_and_reports_when_green(terminal):
    child = terminal.spawn("drill", "adder", "--minutes", "5")
    child.expect_exact("tests: 0/2 passed")
    child.expect_exact("h hint")
    child.send("h")
    child.expect_exact("hint 1/2: What does")
    child.send("\x1b[1;5A")  # Ctrl-Up: its 1 and 5 are not rubric keys
    child.send("3")
    child.expect_exact("marked: intent")
    terminal.set_clock(301)
    child.expect_exact("Time is up")
    child.expect_exact("\a")
    (terminal.root / "katas" / "adder.py").write_text(SOLVED)  # a save re-runs the tests
    child.expect_exact("Done in 5:0")
    child.send("n")
    child.expect_exact("Drill report: adder")
    child.expect_exact(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [report] = (terminal.root / ".dojo" / "drills").glob("*-adder.md")
    text = report.read_text()
    assert "| adder | 5:00 | 5:00 | 5:0" in text
    assert "(over) | 2/2 ✔ | 1 |" in text
    assert "| 3 intent | 1 | 1 |" in text
    assert "| 1 restate | · | 0 |" in text
    assert "| 5 spot wrong output | · | 0 |" in text


def test_ctrl_c_saves_the_drill_and_resume_continues_with_the_clock_where_it_was(terminal):
    child = terminal.spawn("drill", "adder")
    child.expect_exact("tests: 0/2 passed")
    child.send("h")
    child.expect_exact("hint 1/2")
    terminal.set_clock(125)
    child.expect_exact("2:05 elapsed")
    child.sendintr()
    child.expect_exact("Paused at 2:05")
    child.expect_exact("drill resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert (terminal.root / ".dojo" / "drills" / "current.json").is_file()

    refused = terminal.spawn("drill", "adder")  # a paused drill is not silently dropped
    refused.expect_exact("is paused at 2:05")
    refused.expect(pexpect.EOF)

    resumed = terminal.spawn("drill", "resume")
    resumed.expect_exact("Resumed at 2:05")
    resumed.expect_exact("hint 1/2: What does")  # the hint seen before the pause is still there
    terminal.set_clock(185)
    resumed.expect_exact("3:05 elapsed")
    (terminal.root / "katas" / "adder.py").write_text(SOLVED)
    resumed.expect_exact("Done in 3:05")
    resumed.send("n")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 0
    assert not (terminal.root / ".dojo" / "drills" / "current.json").exists()
    [report] = (terminal.root / ".dojo" / "drills").glob("*-adder.md")
    assert "| adder | 30:00 | 30:00 | 3:05 | 2/2 ✔ | 1 |" in report.read_text()


def _commit(package: Path, message: str) -> None:
    git(package, "add", "-A")
    git(package, "commit", "-q", "-m", message)


def test_the_capstone_interview_reveals_rounds_in_turn_and_judges_every_commit(terminal):
    package = terminal.root / "katas" / "deals_api"
    child = terminal.spawn("drill", "capstone", "--pair", "ana,ben", "--swap", "10")
    child.expect_exact("List the deals.")
    child.expect_exact("Flat table or normalised?")  # the clarifying questions, before any code
    child.expect_exact("driver: ana · navigator: ben")
    child.expect_exact("tests: 0/1 passed")
    assert git(package, "log", "--format=%s") == "chore: the starter, before the interview"
    child.send("1")
    child.send("2")
    child.expect_exact("marked: clarify")
    child.send("n")  # not green yet: round 2 stays hidden
    child.expect_exact("n moves on once the tests pass")

    terminal.set_clock(601)
    child.expect_exact("SWAP: ben drives, ana navigates.")
    child.expect_exact("\a")
    terminal.set_clock(901)
    child.expect_exact("15:00: the interviewer would be asking for round2 by now")

    (package / "core.py").write_text(ROUND1)
    child.expect_exact("round1 passes, with every earlier round")
    _commit(package, "feat: list the deals")
    child.expect_exact("last: feat: list the deals")
    child.expect_exact("✔ conventional, tests, ruff, mypy")  # judged as it lands, like a pre-commit hook
    child.send("n")
    child.expect_exact("Count the deals.")

    (package / "core.py").write_text(ROUND1.replace('raise NotImplementedError("count_deals")  # TODO', "return 3"))
    _commit(package, "feat: count the deals")  # committed red: 3 is not the count
    child.expect_exact("last: feat: count the deals")
    child.expect_exact("✘ tests: test_counts")
    (package / "core.py").write_text(BOTH_ROUNDS.replace("def count_deals() -> int:", "def count_deals():"))
    _commit(package, "fix: count from the list")  # green, but mypy --strict refuses the untyped def
    child.expect_exact("last: fix: count from the list")
    (package / "core.py").write_text(BOTH_ROUNDS)  # typed, green, and left uncommitted
    child.expect_exact("round2 passes, with every earlier round. n wraps up")
    child.send("n")
    child.expect_exact("Drill report: capstone")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    [report] = (terminal.root / ".dojo" / "drills").glob("*-capstone.md")
    text = report.read_text()
    rows = {line.split(" | ")[3]: line for line in text.splitlines() if line.startswith("| ") and line.count(" | ") == 7}
    assert rows["feat: list the deals"].startswith("| 15:01 | ")  # when it appeared, on the drill's clock
    assert rows["feat: list the deals"].endswith("| round1 | feat: list the deals | ✔ | 1/1 ✔ | ✔ | ✔ |")
    assert "| round2 | feat: count the deals | ✔ | 1/2 ✘ | ✔ | ✔ |" in rows["feat: count the deals"]
    assert "| round2 | fix: count from the list | ✔ | 2/2 ✔ | ✔ | ✘ |" in rows["fix: count from the list"]
    assert set(rows) - {"message", "---"} == {"feat: list the deals", "feat: count the deals", "fix: count from the list"}
    assert "- ✔ round1: 1 commit(s), 1 conventional" in text
    assert "- ✘ round2: 2 commit(s), 2 conventional" in text
    assert "tests: test_counts" in text
    assert "mypy: katas/deals_api/core.py" in text
    assert "| 2 clarify | 1 | · | 1 |" in text
    assert "Pair: ana, ben, swapping every 10 min" in text
    assert (package / "core.py").read_text() == BOTH_ROUNDS, "the judging never touches the learner's files"


def test_a_review_drill_grades_the_notes_by_smell_when_the_time_box_ends(terminal):
    notes = terminal.root / "reviews" / "smelly.notes.md"
    notes.parent.mkdir(parents=True, exist_ok=True)
    notes.write_text("- an old note from last week\n")
    child = terminal.spawn("drill", "smelly")
    child.expect_exact("your earlier notes are saved in .dojo/backups/smelly/")
    child.expect_exact("Write your findings in reviews/smelly.notes.md")
    child.expect_exact("f finish and grade my notes")
    notes.write_text(
        notes.read_text()
        + "- Off by one: it returns the second element, items[1]\n"
        + "- the name `first` shadows nothing, fine\n"
    )
    terminal.set_clock(601)
    child.expect_exact("Time is up (10 min)")
    child.expect_exact("Findings: 1/2 of the answer key")
    child.expect(pexpect.EOF)
    child.close()
    [report] = (terminal.root / ".dojo" / "drills").glob("*-smelly.md")
    text = report.read_text()
    assert "- ✔ line 5: Off by one: index 1 is the second item" in text
    assert "- ✘ line 4 (low): No error for an empty list" in text
    assert "- ? “the name `first` shadows nothing, fine”" in text
    [backup] = (terminal.root / ".dojo" / "backups" / "smelly").glob("*/reviews/smelly.notes.md")
    assert backup.read_text() == "- an old note from last week\n"
