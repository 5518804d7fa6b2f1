"""User-fixable errors come out one way: one ``dojo: ...`` line on stderr, a non-zero exit, no traceback.

Each case runs the real ``dojo`` command in a subprocess (``python -m dojo``, as a user would) against the
miniature kit, so the line is what a learner's terminal shows, whichever module raised the error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dojo import errors
from dojo.capstone import CapstoneError
from dojo.curriculum import CurriculumError
from dojo.errors import DojoError, exit_status, guard, one_line
from dojo.lint import LintUsageError
from dojo.pg import PgError
from dojo.reviews import AnswerKeyError, LintError
from tests.dojo.conftest import run_dojo

CASES = [
    pytest.param(["check", "addr"], 2, "no exercise called 'addr'. Did you mean adder?", id="check-unknown-slug"),
    pytest.param(["hint", "nope"], 2, "no exercise called 'nope'.", id="hint-unknown-slug"),
    pytest.param(["solution", "nope", "--peek"], 2, "no exercise called 'nope'.", id="solution-unknown-slug"),
    pytest.param(["check", "adder", "--target", "mine"], 2, "--target must be one of", id="check-bad-target"),
    pytest.param(["answer", "adder"], 2, "'adder' is a kata, not a code review", id="answer-on-a-kata"),
    pytest.param(["lint", "missing.py"], 2, "missing.py: no such file or folder", id="lint-missing-file"),
    pytest.param(["lint", "adder"], 2, "'adder' is a kata, not a code review", id="lint-a-kata-by-slug"),
    pytest.param(
        ["capstone", "load", "no-such-deals.csv"], 2, "no-such-deals.csv is not a file", id="capstone-bad-csv-path"
    ),
    pytest.param(
        ["pg", "stop", "--dir", "no-such-cluster"], 1, "no-such-cluster does not exist", id="pg-unknown-folder"
    ),
    pytest.param(["bench", "nope"], 2, "no benchmark for 'nope'", id="bench-unknown-slug"),
]


@pytest.mark.parametrize(("args", "status", "expected"), CASES)
def test_a_user_error_is_one_line_on_stderr_and_a_non_zero_exit(
    mini_kit: Path, args: list[str], status: int, expected: str
) -> None:
    ran = run_dojo(mini_kit, *args)
    assert "Traceback" not in ran.stdout + ran.stderr, ran.stderr
    assert ran.returncode == status, f"dojo {' '.join(args)} exited {ran.returncode}: {ran.stderr}"
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{ran.stderr}"
    assert lines[0].startswith("dojo: "), lines[0]
    assert expected in lines[0]


def test_a_broken_curriculum_is_one_line_from_every_command(mini_kit: Path) -> None:
    (mini_kit / "curriculum.toml").write_text("[[exercise]]\nslug = 'x'\n", encoding="utf-8")
    for args in (["list"], ["check", "x"], ["lint", "x"], ["answer", "x"]):
        ran = run_dojo(mini_kit, *args)
        assert ran.returncode == 2, ran.stderr
        assert ran.stderr.strip().count("\n") == 0, ran.stderr
        assert "exercise #1 ('x')" in ran.stderr or "missing" in ran.stderr


def test_outside_a_kit_every_command_says_so_in_one_line(tmp_path: Path) -> None:
    for args in (["list"], ["check", "adder"], ["capstone", "load", "deals.csv"], ["answer", "x"]):
        (tmp_path / "deals.csv").write_text("id\n", encoding="utf-8")
        ran = run_dojo(tmp_path, *args)
        assert ran.returncode == 2, ran.stderr
        assert ran.stderr.strip().splitlines() == [
            f"dojo: no curriculum.toml in {tmp_path.resolve()} (DOJO_ROOT); run dojo from a Backend Dojo checkout"
        ]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CurriculumError("x"), 2),
        (LintUsageError("x"), 2),
        (LintError("x"), 2),
        (AnswerKeyError("x"), 2),
        (CapstoneError("x"), 1),
        (CapstoneError("x", 2), 2),
        (PgError("x"), 1),
        (FileNotFoundError("x"), 2),
        (PermissionError("x"), 1),
    ],
    ids=[
        "curriculum",
        "lint-usage",
        "lint",
        "answer-key",
        "capstone",
        "capstone-usage",
        "pg",
        "missing-file",
        "oserror",
    ],
)
def test_each_error_carries_its_exit_status(error: BaseException, status: int) -> None:
    assert exit_status(error) == status
    if not isinstance(error, OSError):
        assert isinstance(error, DojoError)


def test_a_multi_line_message_is_shown_on_one_line() -> None:
    assert one_line("ruff failed:\n  E1 first\n\n  E2 second\n") == "ruff failed: E1 first E2 second"


def test_guard_wraps_commands_of_an_app_mounted_anywhere() -> None:
    inner = typer.Typer()

    @inner.command("boom")
    def boom() -> None:
        raise CapstoneError("the loader refused line 3")

    @inner.command("disk")
    def disk() -> None:
        raise PermissionError("cannot write deals.csv")

    outer = typer.Typer()
    outer.add_typer(guard(inner), name="tool")
    guard(outer)  # guarding twice is harmless: the error is still shown once
    for command, status, message in (("boom", 1, "the loader refused line 3"), ("disk", 1, "cannot write deals.csv")):
        result = CliRunner().invoke(outer, ["tool", command])
        assert result.exit_code == status
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.output.strip() == f"dojo: {message}"


def test_no_module_prints_and_exits_on_its_own() -> None:
    """The renderer is the one place that prints an error line: no module keeps its own copy."""
    dojo = Path(errors.__file__).parent
    copies = ("[red]dojo:[/]", 'f"dojo: ', "_one_line_errors", "def _fail(")
    offenders = [
        path.relative_to(dojo.parent).as_posix()
        for path in sorted(dojo.rglob("*.py"))
        if path.name != "errors.py" and any(copy in path.read_text(encoding="utf-8") for copy in copies)
    ]
    assert offenders == [], "print errors through dojo.errors (raise a DojoError) instead"
