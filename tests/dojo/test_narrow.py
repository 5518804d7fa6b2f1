"""Every learner-facing screen at 80 columns: no line wider, nothing cut with "…", no line padded out
to the terminal's edge, a wrapped line under its own text, and every command whole on one line.

The kit here has one exercise whose slug, title, hints and talking points are long on purpose: at
80 columns each of them has to wrap somewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dojo.conftest import MUTANTS, PYPROJECT, run_dojo, write

SLUG = "two_number_adder"

CURRICULUM = f'''
[[exercise]]
slug = "{SLUG}"
title = "Add two numbers, the way an interviewer asks for it, with every edge case they like to probe"
kind = "kata"
topic = "basics"
difficulty = "easy"
timebox_minutes = 10
hints = [
    "What does the + operator do with two ints, and what does it do with a bool, which is an int too in Python?",
    "Return a + b, and run `dojo check {SLUG}` to see which tests still fail after that one line.",
]
talking_points = [
    "Addition is commutative and associative for ints, so the order of the operands never changes the answer.",
    "Python ints never overflow: a + b grows to as many digits as it needs, unlike a C int or a Java long.",
]
'''

STUB = f'''
"""Add two numbers.

Write `add(a, b)`, which returns the sum of two ints, whatever their size and whatever their sign.

Run `dojo check {SLUG}`; `dojo hint {SLUG}` when stuck.
"""


def add(a: int, b: int) -> int:
    raise NotImplementedError("add")  # TODO
'''

SOLUTION = """
def add(a: int, b: int) -> int:
    return a + b
"""

TESTS = f"""
from katas.{SLUG} import add


def test_adds_small_numbers():
    assert add(2, 3) == 5


def test_adds_negative_numbers():
    assert add(-2, -3) == -5
"""

PROGRAM = "uv run dojo"  # UV is set below: the prefix the kit's commands get under uv


@pytest.fixture
def wordy_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kit"
    write(root / "curriculum.toml", CURRICULUM)
    write(root / "pyproject.toml", PYPROJECT)
    write(root / "conftest.py", 'pytest_plugins = ("dojo.plugin",)\n')
    for tree in ("pristine", "solutions"):
        write(root / tree / "katas" / "__init__.py", "")
        write(root / tree / "reviews" / "__init__.py", "")
    write(root / "pristine" / "katas" / f"{SLUG}.py", STUB)
    write(root / "solutions" / "katas" / f"{SLUG}.py", SOLUTION)
    write(root / "tests" / "katas" / f"test_{SLUG}.py", TESTS)
    write(root / "tests" / "mutants" / f"{SLUG}.toml", MUTANTS)
    monkeypatch.setenv("DOJO_ROOT", str(root))
    monkeypatch.setenv("UV", "uv")
    monkeypatch.delenv("DOJO_TARGET", raising=False)
    return root


def solve(root: Path) -> None:
    write(root / "katas" / "__init__.py", "")
    write(root / "katas" / f"{SLUG}.py", SOLUTION)


def assert_reads_well(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The text's lines, after checking that none is wider than 80, cut with "…" or padded to the edge."""
    lines = text.splitlines()
    checked = [line for line in lines if not line.startswith(allowed)]
    assert not [line for line in checked if len(line.rstrip()) > 80], f"a line over 80 columns:\n{text}"
    assert "…" not in "\n".join(checked), f"something was cut short:\n{text}"
    padded = [line for line in checked if line.endswith("  ")]
    assert not padded, f"lines padded with spaces to the terminal's width: {padded}"
    return lines


def test_the_overview_at_80_columns_puts_whole_commands_on_a_line(wordy_kit):
    run = run_dojo(wordy_kit, columns=80)
    assert run.returncode == 0, run.stderr
    lines = assert_reads_well(run.stdout)
    for command in (f"check {SLUG}", f"watch {SLUG}", f"hint {SLUG}", "list"):
        assert any(f"{PROGRAM} {command}" in line for line in lines), f"`{command}` split across lines:\n{run.stdout}"
    assert [line for line in lines if line.startswith("Open ")], run.stdout
    wide = run_dojo(wordy_kit, columns=200).stdout.splitlines()
    assert f"Open katas/{SLUG}.py, then: {PROGRAM} check {SLUG} · {PROGRAM} watch {SLUG}" in wide[-1], (
        "a wide terminal keeps them on one line"
    )


def test_list_at_80_columns_puts_a_long_title_under_its_row_uncut(wordy_kit):
    run = run_dojo(wordy_kit, "list", columns=80)
    assert run.returncode == 0, run.stderr
    lines = assert_reads_well(run.stdout)
    row = next(index for index, line in enumerate(lines) if f" {SLUG} " in line)
    assert lines[row].split()[-2:] == ["10", "min"], "the row keeps its status and time box"
    under = lines[row + 1 : row + 3]
    assert all(line.startswith("     ") for line in under), f"the title goes under the slug:\n{run.stdout}"
    assert " ".join(line.strip() for line in under).startswith("Add two numbers, the way an interviewer asks")
    assert " ".join(" ".join(under).split()).endswith("they like to probe")
    assert any(f"{PROGRAM} check SLUG runs one exercise." in line for line in lines[-2:]), run.stdout
    wide = run_dojo(wordy_kit, "list", columns=200).stdout
    assert "10 min  Add two numbers, the way an interviewer asks for it" in wide, "wide: the title stays on its row"


def test_hints_at_80_columns_wrap_under_their_own_text(wordy_kit):
    run_dojo(wordy_kit, "hint", SLUG, columns=80)
    run = run_dojo(wordy_kit, "hint", SLUG, columns=80)
    lines = assert_reads_well(run.stdout)
    first = lines.index(next(line for line in lines if line.startswith("hint 1/2: ")))
    assert lines[first + 1].startswith(" " * 10), run.stdout
    assert lines[first + 1].strip(), run.stdout
    assert lines[first + 2].startswith("hint 2/2: "), run.stdout
    assert f"`{PROGRAM} check {SLUG}`" in " ".join(" ".join(lines).split())


def test_talking_points_at_80_columns_hang_under_the_bullet_unpadded(wordy_kit):
    solve(wordy_kit)
    run = run_dojo(wordy_kit, "check", SLUG, columns=80)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = assert_reads_well(run.stdout)
    start = next(index for index, line in enumerate(lines) if line.startswith("  • Addition is commutative"))
    assert lines[start + 1].startswith("    "), run.stdout
    assert lines[start + 1].strip(), run.stdout
    assert lines[start + 2].startswith("  • Python ints never overflow"), run.stdout


def test_a_stub_failure_at_80_columns_folds_with_the_hint_command_whole(wordy_kit):
    run = run_dojo(wordy_kit, "check", SLUG, columns=80)
    assert run.returncode == 1
    lines = assert_reads_well(run.stdout, allowed=("FAILED ",))  # pytest's own summary names each test in full
    starts = [index for index, line in enumerate(lines) if line.startswith("not implemented yet:")]
    assert len(starts) == 2, run.stdout
    assert lines[starts[0] + 1] == f"    open it and replace the TODO · stuck? {PROGRAM} hint {SLUG}", run.stdout


def test_the_interviewer_card_at_80_columns_hangs_its_lists_and_types_its_commands(wordy_kit):
    run = run_dojo(wordy_kit, "drill", SLUG, "--interviewer", columns=80)
    assert run.returncode == 0, run.stderr
    lines = assert_reads_well(run.stdout)
    hint = next(index for index, line in enumerate(lines) if line.startswith("  1. "))
    assert lines[hint + 1].startswith("     "), run.stdout
    assert lines[hint + 1].strip(), run.stdout
    point = next(index for index, line in enumerate(lines) if line.startswith("  • Addition"))
    assert lines[point + 1].startswith("    "), run.stdout
    assert lines[point + 1].strip(), run.stdout
    flat = " ".join(run.stdout.replace("│", " ").split())
    assert f"Run {PROGRAM} check {SLUG}; {PROGRAM} hint {SLUG} when stuck." in flat, "the brief's commands run as typed"
    assert f"`{PROGRAM} check {SLUG}`" in flat, "so do the hints'"


def _commands(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path below ``command`` (typer's own click: its groups have ``commands``)."""
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        if not sub.hidden:
            found.extend(_commands(sub, (*path, name)))
    return found


def test_every_help_screen_at_80_columns_cuts_nothing(monkeypatch):
    import typer.main
    from typer.testing import CliRunner

    from dojo import help as help_screens
    from dojo.cli import app

    help_screens.install()
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()
    screens = _commands(typer.main.get_command(app))
    assert len(screens) > 20
    for path in screens:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        lines = result.output.splitlines()
        assert not [line for line in lines if len(line.rstrip()) > 80], (
            f"dojo {' '.join(path)} --help:\n{result.output}"
        )
        assert "…" not in result.output, f"dojo {' '.join(path)} --help cuts a word:\n{result.output}"


def test_a_failure_message_wraps_between_words_never_inside_a_hyphenated_path(tmp_path: Path) -> None:
    from dojo.failures import learner_failure

    path = "/tmp/pytest-of-root/pytest-12/test-the-app-serves-requests0/shop.db"
    with pytest.raises(AssertionError) as excinfo:
        raise AssertionError(f"the product created in one request was missing from the next: {path} is empty")
    text = learner_failure(excinfo, tmp_path, tmp_path, None, width=80)
    assert any(path in line for line in text.splitlines()), f"the path was split across lines:\n{text}"
    assert all(len(line) <= 80 for line in text.splitlines()), text


def test_the_verify_report_reads_at_80_columns_and_says_what_its_short_cells_mean() -> None:
    from rich.console import Console

    from dojo.curriculum import load
    from dojo.mutation_baseline import Judgement
    from dojo.verify import ExerciseSummary, Report
    from dojo.verify_mutation import AutomatedReport
    from dojo.verify_report import print_report

    curriculum = load(Path(__file__).resolve().parents[2])
    slugs = ["reviewing_the_reviewer", "round1", "round2"]
    automated = AutomatedReport(
        judgements={
            "reviewing_the_reviewer": Judgement("reviewing_the_reviewer", 30, 22, 8),
            "capstone": Judgement("capstone", 1485, 1070, 240, from_baseline=True, on_postgres=166),
        },
        unit_of={"reviewing_the_reviewer": "reviewing_the_reviewer", "round1": "capstone", "round2": "capstone"},
    )
    summaries = [
        ExerciseSummary(curriculum.get(slug), tests=57, passed_on_solutions=57, failed_on_stub=57) for slug in slugs
    ]
    report = Report(summaries, [], kit_tests=631, checks_held=3809, automated=automated)
    console = Console(width=80, record=True, color_system=None, highlight=False)
    print_report(console, report)
    lines = console.export_text().splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), "\n".join(lines)
    assert lines[0] == "dojo verify", "the title, unpadded"
    assert "…" not in "\n".join(lines), "a cell was cut short:\n" + "\n".join(lines)
    (capstone_row,) = [line for line in lines if line.startswith("round1 ")]
    assert "1236/1245 99.3% b*" in capstone_row, "PostgreSQL's kills count, with the baseline and shared-unit marks"
    legend = " ".join(line.strip() for line in lines if line.startswith("  "))
    assert "b: from the unit's baseline" in legend
    assert "*: one unit, capstone, for round1, round2: 1070 + 166 on PostgreSQL killed of 1245" in legend
    assert lines[-1] == "verify: 3809 passed, 0 failed", "CI reads the closing line as it was"
