"""Every drill kind, end to end, in a real terminal: keys in, the screen out, the report on disk."""

from __future__ import annotations

import pexpect

from tests.dojo.test_cli import SOLVED


def test_a_kata_drill_hints_warns_at_the_budget_and_reports_when_green(terminal):
    child = terminal.spawn("drill", "adder", "--minutes", "5")
    child.expect_exact("tests: 0/2 passed")
    child.expect_exact("h hint")
    child.send("h")
    child.expect_exact("hint 1/2: What does")
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
