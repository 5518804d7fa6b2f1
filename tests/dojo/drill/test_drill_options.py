"""Bad drill options: one line, a usage status, and nothing started or written."""

from __future__ import annotations

from pathlib import Path

from tests.dojo.conftest import run_dojo


def test_bad_drill_options_are_one_line_and_change_nothing(drill_kit: Path):
    for args, says in (
        (("drill", "adder", "--pair", "ana"), "two or more different names"),
        (("drill", "adder", "--swap", "5"), "--swap needs --pair"),
        (("drill", "capstone", "--minutes", "5"), "drop --minutes"),
        (("drill", "resume"), "no paused drill to resume"),
    ):
        run = run_dojo(drill_kit, *args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert says in " ".join(run.stderr.split()), args
        assert "Traceback" not in run.stderr
    assert not (drill_kit / ".dojo" / "drills").exists()
    assert not (drill_kit / "katas").exists(), "nothing was created either"
