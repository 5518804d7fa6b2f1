"""The `dojo` command, run as a learner runs it, against the miniature kit."""

from __future__ import annotations

from tests.dojo.conftest import run_dojo

SOLVED = "def add(a: int, b: int) -> int:\n    return a + b\n"


def test_the_overview_shows_progress_and_the_next_exercise(mini_kit):
    run = run_dojo(mini_kit)
    assert run.returncode == 0, run.stderr
    assert "0/1 solved" in run.stdout
    assert "next: adder" in run.stdout
    assert "Write `add(a, b)`" in run.stdout or "Write add(a, b)" in run.stdout
    assert (mini_kit / "katas" / "adder.py").is_file(), "the first run creates the learner's files"


def test_list_shows_each_status(mini_kit):
    assert "not started" in run_dojo(mini_kit, "list").stdout
    (mini_kit / "katas" / "adder.py").write_text("def add(a: int, b: int) -> int:\n    return a\n")
    assert "in progress" in run_dojo(mini_kit, "list").stdout
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    listing = run_dojo(mini_kit, "list").stdout
    assert "solved" in listing
    assert "in progress" not in listing


def test_list_shows_each_exercises_time_box(mini_kit):
    curriculum = mini_kit / "curriculum.toml"
    assert " min " not in run_dojo(mini_kit, "list").stdout, "no timebox_minutes, no time box"
    curriculum.write_text(curriculum.read_text().replace('difficulty = "easy"', 'difficulty = "easy"\ntimebox_minutes = 25'))
    row = next(line for line in run_dojo(mini_kit, "list").stdout.splitlines() if "adder" in line)
    assert "25 min" in row
    assert row.index("not started") < row.index("25 min") < row.index("Add two numbers")


def test_check_fails_on_the_stub_and_passes_with_talking_points_once_solved(mini_kit):
    failing = run_dojo(mini_kit, "check", "adder")
    assert failing.returncode == 1
    assert "dojo hint adder" in failing.stdout
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    passing = run_dojo(mini_kit, "check", "adder")
    assert passing.returncode == 0, passing.stdout
    assert "Addition is commutative." in passing.stdout
    assert "A reviewer would still say" not in passing.stdout, "clean code gets no mentor comments"


# Passes the tests, but a reviewer would point at the list used as a queue.
SOLVED_WITH_A_SMELL = """\
def add(a: int, b: int) -> int:
    pending = [a, b]
    first = pending.pop(0)
    return first + pending[0]
"""


def test_a_green_check_adds_mentor_comments_from_the_rule_pack_and_stays_green(mini_kit):
    (mini_kit / "katas").mkdir(exist_ok=True)
    (mini_kit / "katas" / "adder.py").write_text(SOLVED_WITH_A_SMELL)
    passing = run_dojo(mini_kit, "check", "adder")
    assert passing.returncode == 0, "mentor comments are advice: the check stays green\n" + passing.stdout
    assert "Addition is commutative." in passing.stdout
    flat = " ".join(passing.stdout.split())
    assert "It passes. A reviewer would still say" in flat
    assert "katas/adder.py:3 dojo:DOJO402 `pending.pop(0)` shifts every remaining element" in flat


def test_a_failing_check_gets_no_mentor_comments(mini_kit):
    (mini_kit / "katas").mkdir(exist_ok=True)
    (mini_kit / "katas" / "adder.py").write_text(SOLVED_WITH_A_SMELL.replace("first + pending[0]", "first"))
    failing = run_dojo(mini_kit, "check", "adder")
    assert failing.returncode == 1
    assert "A reviewer would still say" not in failing.stdout


def test_hints_are_revealed_one_at_a_time_and_remembered(mini_kit):
    first = run_dojo(mini_kit, "hint", "adder").stdout
    assert "hint 1/2" in first
    assert "return a + b" not in first
    second = run_dojo(mini_kit, "hint", "adder").stdout
    assert "hint 2/2" in second
    assert "return a + b" in second
    assert "last hint" in second
    assert "hint 2/2" in run_dojo(mini_kit, "hint", "adder").stdout


def test_reset_backs_up_the_learners_work_before_restoring_the_stub(mini_kit):
    run_dojo(mini_kit)
    learner = mini_kit / "katas" / "adder.py"
    learner.write_text(SOLVED)
    run = run_dojo(mini_kit, "reset", "adder")
    assert run.returncode == 0, run.stderr
    assert learner.read_text() == (mini_kit / "pristine" / "katas" / "adder.py").read_text()
    backups = list((mini_kit / ".dojo" / "backups" / "adder").glob("*/katas/adder.py"))
    assert [b.read_text() for b in backups] == [SOLVED]
    assert "Backed up your work" in run.stdout


def test_reset_works_without_git(mini_kit):
    assert not (mini_kit / ".git").exists()
    run_dojo(mini_kit)
    (mini_kit / "katas" / "adder.py").unlink()
    assert run_dojo(mini_kit, "reset", "adder").returncode == 0
    assert (mini_kit / "katas" / "adder.py").is_file()


def test_the_solution_stays_hidden_until_the_exercise_passes(mini_kit):
    refused = run_dojo(mini_kit, "solution", "adder")
    assert refused.returncode == 1
    assert "--peek" in refused.stderr
    peeked = run_dojo(mini_kit, "solution", "adder", "--peek")
    assert peeked.returncode == 0
    assert "+    return a + b" in peeked.stdout
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    assert run_dojo(mini_kit, "solution", "adder").returncode == 0


def test_an_unknown_slug_is_one_clear_line_and_exit_2(mini_kit):
    for command in ("check", "hint", "reset", "solution"):
        run = run_dojo(mini_kit, command, "addr")
        assert run.returncode == 2, command
        assert "Traceback" not in run.stderr
        assert "no exercise called 'addr'" in run.stderr
        assert "Did you mean adder?" in run.stderr


def test_a_folder_that_is_not_a_kit_is_one_clear_line(tmp_path):
    run = run_dojo(tmp_path, "list")
    assert run.returncode == 2
    assert "no curriculum.toml" in run.stderr
    assert "Traceback" not in run.stderr


def test_verify_passes_an_honest_kit(mini_kit):
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 0, run.stdout
    assert "verify: " in run.stdout
    assert ", 0 failed" in run.stdout


def test_verify_flags_a_test_that_passes_on_the_stub(mini_kit):
    tests = mini_kit / "tests" / "katas" / "test_adder.py"
    tests.write_text(tests.read_text() + "\n\ndef test_module_imports():\n    assert add is not None\n")
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 1
    assert "test_module_imports PASSES on the untouched stub" in run.stdout


def test_verify_flags_a_surviving_mutant_and_a_stale_one(mini_kit):
    mutants = mini_kit / "tests" / "mutants" / "adder.toml"
    mutants.write_text(
        mutants.read_text()
        + '\n[[mutant]]\nname = "same_sum"\nwhy = "b + a is the same"\nold = "a + b"\nnew = "b + a"\n'
        + '\n[[mutant]]\nname = "stale"\nwhy = "no longer applies"\nold = "a * b"\nnew = "a"\n'
    )
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 1
    assert "'same_sum' survived" in run.stdout
    assert "adder:stale: its 'old' text is not found" in run.stdout


def test_the_interviewer_card_lists_hints_talking_points_and_classic_mistakes(mini_kit):
    card = run_dojo(mini_kit, "drill", "adder", "--interviewer")
    assert card.returncode == 0, card.stderr
    assert "1. What does + do?" in card.stdout
    assert "Addition is commutative." in card.stdout
    assert "minus instead of plus" in card.stdout


def test_a_drill_on_a_solved_exercise_says_so_and_how_to_reset_it_first(mini_kit):
    run_dojo(mini_kit)
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    run = run_dojo(mini_kit, "drill", "adder", "--minutes", "5")
    assert run.returncode == 0, run.stdout
    assert "adder already passes" in run.stdout
    assert "dojo reset adder" in run.stdout
    assert (mini_kit / "katas" / "adder.py").read_text() == SOLVED, "saying so changes nothing"


def test_hints_print_brackets_literally_not_as_markup(mini_kit):
    curriculum = mini_kit / "curriculum.toml"
    curriculum.write_text(curriculum.read_text().replace('"What does + do?"', '''"Try op.create_index('ix', 't', [sa.text('lower(city)')])"'''))
    shown = run_dojo(mini_kit, "hint", "adder").stdout
    assert "[sa.text('lower(city)')]" in shown


def test_a_package_exercise_is_briefed_from_its_readme_section(mini_kit):
    package = mini_kit / "pristine" / "katas" / "shop"
    (package / "__init__.py").parent.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The shop: see README.md."""\n')
    (package / "README.md").write_text(
        "# The shop\n\n## Round 1: the cart\n\nBuild the cart.\n\n## Round 2: checkout\n\nTake the money.\n"
    )
    (mini_kit / "solutions" / "katas" / "shop").mkdir(parents=True)
    (mini_kit / "solutions" / "katas" / "shop" / "__init__.py").write_text("")
    (mini_kit / "curriculum.toml").write_text(
        (mini_kit / "curriculum.toml").read_text()
        + '\n[[exercise]]\nslug = "round2"\ntitle = "Checkout"\nkind = "capstone"\ntopic = "t"\n'
        'difficulty = "easy"\npath = "katas/shop"\ntests = []\nhints = ["h"]\ntalking_points = ["p"]\n'
    )
    card = run_dojo(mini_kit, "drill", "round2", "--interviewer")
    assert card.returncode == 0, card.stderr
    assert "Take the money." in card.stdout
    assert "Build the cart." not in card.stdout


def test_a_syntax_error_in_the_learners_file_is_one_line(mini_kit):
    run_dojo(mini_kit)  # creates katas/adder.py
    (mini_kit / "katas" / "adder.py").write_text("def add(a: int, b: int) -> int:\n    return a +\n")
    checked = run_dojo(mini_kit, "check", "adder")
    assert checked.returncode == 1
    assert "katas/adder.py:2" in checked.stderr
    assert "SyntaxError" in checked.stderr
    assert "Traceback" not in checked.stderr + checked.stdout
    assert "_pytest" not in checked.stderr + checked.stdout, "no pytest internals, just the line to fix"


def test_resetting_a_shared_package_asks_first_and_changes_nothing_without_yes(mini_kit):
    curriculum = mini_kit / "curriculum.toml"
    curriculum.write_text(curriculum.read_text().replace('slug = "adder"', 'slug = "adder"\ngroup = "maths"'))
    run_dojo(mini_kit)
    mine = mini_kit / "katas" / "adder.py"
    mine.write_text("# my work\n")
    refused = run_dojo(mini_kit, "reset", "adder")  # stdin is not a terminal: no prompt, a clear refusal
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert mine.read_text() == "# my work\n"
    assert not (mini_kit / ".dojo" / "backups").exists()
    assert run_dojo(mini_kit, "reset", "adder", "--yes").returncode == 0
    assert mine.read_text() != "# my work\n"
