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
