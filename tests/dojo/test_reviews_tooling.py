"""The review tooling (dojo/reviews.py, dojo/lint.py): answer keys, lint grading against them, `dojo lint` and `dojo answer`.

Most tests run on a one-review kit built in a temporary folder (a stdlib-only snippet keeps mypy quick);
one runs verify's review checks on the real kit.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import dojo.runner
from dojo import lint
from dojo.curriculum import load
from dojo.paths import kit_root
from dojo.reviews import AnswerKeyError, LintError, load_answer_key, register, ruff_profile, verify_problems
from tests.dojo.conftest import run_dojo

FLAWED = '''\
"""Demo review: the first word of a text."""


def first_word(text, seen=[]):
    if text == None:
        return ""
    seen.append(text)
    return text.split()[0]
'''

FIXED = '''\
"""Demo review, fixed."""


def first_word(text: str | None) -> str:
    if text is None:
        return ""
    return text.split()[0]
'''

KEY = """\
summary = "A tiny function with an untyped signature, a shared mutable default and `== None`."

[[finding]]
line = 4
title = "Untyped signature with a mutable default"
why = "Every call appends to the same list, forever."
severity = "medium"
fix = "Type the parameters; drop the shared list."
lint = ["ruff:ANN001", "ruff:ANN201", "ruff:B006", "mypy:no-untyped-def"]
tests = ["test_calls_do_not_share_state"]

[[finding]]
line = 5
title = "`== None`"
why = "Equality can be overloaded; identity cannot."
severity = "low"
fix = "`is None`"
lint = ["ruff:E711"]
tests = []
"""

TESTS = """\
import pytest

from reviews.demo import first_word


@pytest.mark.guard
def test_returns_the_first_word():
    assert first_word("hello world") == "hello"


def test_calls_do_not_share_state():
    assert first_word("a b") == "a"
"""

CURRICULUM = """\
[[exercise]]
slug = "demo"
title = "Review: a demo"
kind = "review"
topic = "code review"
difficulty = "easy"
hints = ["look at the signature"]
talking_points = ["mutable defaults are shared"]

[[exercise]]
slug = "demo_kata"
title = "A kata"
kind = "kata"
topic = "katas"
difficulty = "easy"
hints = ["h"]
talking_points = ["t"]
"""

# The real kit's review profile (the last section of its pyproject.toml), so the demo is linted as reviews are.
_REAL_PYPROJECT = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
PROFILE = _REAL_PYPROJECT[_REAL_PYPROJECT.index("# ---- the code-review lint profile ----") :]

FILES = {
    "curriculum.toml": CURRICULUM,
    "pyproject.toml": PROFILE,
    "pristine/reviews/__init__.py": "",
    "pristine/reviews/demo.py": FLAWED,
    "solutions/reviews/__init__.py": "",
    "solutions/reviews/demo.py": FIXED,
    "solutions/reviews/demo.answers.toml": KEY,
    "tests/reviews/test_demo.py": TESTS,
}


@pytest.fixture(scope="module")
def kit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per module so mypy's cache (in .dojo/) is warm after the first check."""
    return tmp_path_factory.mktemp("kit")


@pytest.fixture
def kit(kit_dir: Path) -> Path:
    """A one-review kit whose files are all correct (and no learner files yet); a test edits what it needs."""
    shutil.rmtree(kit_dir / "reviews", ignore_errors=True)
    for relative, text in FILES.items():
        path = kit_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return kit_dir


def messages(root: Path) -> list[str]:
    problems = verify_problems(root, load(root))
    assert all(problem.check == "review-lint" for problem in problems)
    return [problem.message for problem in problems]


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should appear once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_key_that_matches_the_linters_has_no_problems(kit):
    assert messages(kit) == []


def test_a_finding_the_key_does_not_list_is_reported_with_line_and_rule(kit):
    edit(kit, "solutions/reviews/demo.answers.toml", '"ruff:B006", ', "")
    assert messages(kit) == [
        "pristine/reviews/demo.py:4: ruff:B006 fires but the answer key does not list it"
        " (Do not use mutable data structures for argument defaults)"
    ]


def test_a_rule_the_key_lists_but_no_linter_reports_is_reported(kit):
    edit(kit, "solutions/reviews/demo.answers.toml", 'lint = ["ruff:E711"]', 'lint = ["ruff:E711", "ruff:E712"]')
    edit(kit, "solutions/reviews/demo.answers.toml", "line = 4", "line = 3")
    assert messages(kit) == [
        "pristine/reviews/demo.py:3: the answer key lists mypy:no-untyped-def, but the linters do not report it there",
        "pristine/reviews/demo.py:3: the answer key lists ruff:ANN001, but the linters do not report it there",
        "pristine/reviews/demo.py:3: the answer key lists ruff:ANN201, but the linters do not report it there",
        "pristine/reviews/demo.py:3: the answer key lists ruff:B006, but the linters do not report it there",
        "pristine/reviews/demo.py:4: mypy:no-untyped-def fires but the answer key does not list it"
        " (Function is missing a type annotation)",
        "pristine/reviews/demo.py:4: ruff:ANN001 fires but the answer key does not list it"
        " (Missing type annotation for function argument `seen`)",
        "pristine/reviews/demo.py:4: ruff:ANN201 fires but the answer key does not list it"
        " (Missing return type annotation for public function `first_word`)",
        "pristine/reviews/demo.py:4: ruff:B006 fires but the answer key does not list it"
        " (Do not use mutable data structures for argument defaults)",
        "pristine/reviews/demo.py:5: the answer key lists ruff:E712, but the linters do not report it there",
    ]


def test_a_finding_on_the_fix_is_reported(kit):
    edit(kit, "solutions/reviews/demo.py", "if text is None:", "if text == None:")
    assert messages(kit) == [
        "solutions/reviews/demo.py:5: ruff:E711 fires on the fix (Comparison to `None` should be `cond is None`)"
    ]


def test_a_key_must_name_tests_that_exist_and_are_not_guards(kit):
    edit(
        kit, "solutions/reviews/demo.answers.toml", 'tests = ["test_calls_do_not_share_state"]', 'tests = ["test_nope"]'
    )
    edit(kit, "solutions/reviews/demo.answers.toml", "tests = []", 'tests = ["test_returns_the_first_word"]')
    assert messages(kit) == [
        "solutions/reviews/demo.answers.toml: 'Untyped signature with a mutable default' names test_nope,"
        " which is not a test in tests/reviews/test_demo.py",
        "solutions/reviews/demo.answers.toml: '`== None`' names test_returns_the_first_word, a guard test:"
        " it passes on the flawed code",
    ]


def test_a_missing_answer_key_is_reported_and_the_fix_is_still_linted(kit):
    (kit / "solutions/reviews/demo.answers.toml").unlink()
    edit(kit, "solutions/reviews/demo.py", "if text is None:", "if text == None:")
    assert messages(kit) == [
        "solutions/reviews/demo.answers.toml is missing: every review needs an answer key beside its fix",
        "solutions/reviews/demo.py:5: ruff:E711 fires on the fix (Comparison to `None` should be `cond is None`)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('severity = "low"', 'severity = "urgent"', "finding #2 (line 5): 'severity' must be one of high, medium, low"),
        ("line = 5", "line = 0", "finding #2: 'line' must be a line number"),
        ('lint = ["ruff:E711"]', 'lint = ["E711"]', "finding #2 (line 5): 'lint' entries look like ruff:E711"),
        ('lint = ["ruff:E711"]', "lint = []", "finding #2 (line 5): no linter catches it (lint = []), so 'tests'"),
        ('fix = "`is None`"\n', "", "finding #2 (line 5): missing fix"),
        (
            'title = "`== None`"',
            'title = "`== None`"\nseverityy = "low"',
            "finding #2 (line 5): unknown key(s) severityy",
        ),
        ("summary = ", "summari = ", "unknown key(s) summari"),
        ("[[finding]]\nline = 5", "[[finding]\nline = 5", "is not valid TOML"),
    ],
    ids=[
        "severity",
        "line",
        "rule-format",
        "nothing-catches-it",
        "missing-field",
        "unknown-field",
        "top-level",
        "toml",
    ],
)
def test_a_malformed_key_is_refused_naming_the_file_and_the_field(kit, old, new, expected):
    path = kit / "solutions/reviews/demo.answers.toml"
    edit(kit, "solutions/reviews/demo.answers.toml", old, new)
    with pytest.raises(AnswerKeyError) as raised:
        load_answer_key(path, kit)
    assert str(raised.value).startswith("solutions/reviews/demo.answers.toml")
    assert expected in str(raised.value)


def test_the_real_kit_keys_match_the_linters():
    root = kit_root()
    problems = verify_problems(root, load(root))
    assert problems == [], "\n".join(f"{problem.slug}: {problem.message}" for problem in problems)


# ---- the CLI ----


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    lint.register(app)
    return app


def invoke(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("DOJO_ROOT", str(root))
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no cell is folded
    result = CliRunner().invoke(cli(), list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["lint", "dmeo"], "no exercise called 'dmeo'. Did you mean demo?"),
        (["answer", "nope"], "no exercise called 'nope'."),
        (["lint", "demo_kata"], "'demo_kata' is a kata, not a code review"),
        (["answer", "demo_kata", "--peek"], "'demo_kata' is a kata, not a code review"),
    ],
    ids=["lint-typo", "answer-unknown", "lint-kata", "answer-kata"],
)
def test_an_unknown_or_non_review_slug_is_one_line_and_exit_2(kit, monkeypatch, args, expected):
    code, output = invoke(kit, monkeypatch, *args)
    assert code == 2
    assert output.strip().count("\n") == 0, f"expected one line, got:\n{output}"
    assert expected in output


def test_lint_shows_the_learners_findings_and_exits_1(kit, monkeypatch):
    code, output = invoke(kit, monkeypatch, "lint", "demo")
    assert code == 1
    assert (kit / "reviews/demo.py").is_file(), "lint should create the learner's file from pristine/ when missing"
    for rule in ("ruff:B006", "ruff:E711", "mypy:no-untyped-def"):
        assert rule in output


def test_lint_is_quiet_and_exits_0_once_the_file_is_fixed(kit, monkeypatch):
    (kit / "reviews").mkdir(exist_ok=True)
    (kit / "reviews/demo.py").write_text(FIXED, encoding="utf-8")
    code, output = invoke(kit, monkeypatch, "lint", "demo")
    assert code == 0
    assert "no findings" in output


def test_answer_refuses_until_the_learners_file_passes(kit, monkeypatch):
    monkeypatch.setattr(dojo.runner, "exercise_passes", lambda root, exercise: False)
    code, output = invoke(kit, monkeypatch, "answer", "demo")
    assert code == 1
    assert "does not pass its tests yet" in output
    assert "--peek" in output
    assert "Untyped signature" not in output


@pytest.mark.parametrize("passes", [True, False], ids=["passing", "peek"])
def test_answer_shows_the_key_when_the_file_passes_or_with_peek(kit, monkeypatch, passes):
    monkeypatch.setattr(dojo.runner, "exercise_passes", lambda root, exercise: passes)
    args = ["answer", "demo"] if passes else ["answer", "demo", "--peek"]
    code, output = invoke(kit, monkeypatch, *args)
    assert code == 0, output
    flat = " ".join(output.split())
    for text in ("A tiny function", "severity", "medium", "test_calls_do_not_share_state", "ruff:E711"):
        assert text in flat, f"{text!r} missing from:\n{output}"


def test_answer_on_a_review_without_a_key_is_one_line_and_exit_2(kit, monkeypatch):
    (kit / "solutions/reviews/demo.answers.toml").unlink()
    code, output = invoke(kit, monkeypatch, "answer", "demo", "--peek")
    assert code == 2
    assert output.strip() == (
        "dojo: solutions/reviews/demo.answers.toml is missing: every review needs an answer key beside its fix"
    )


def test_the_review_profile_is_written_from_pyproject_as_a_standalone_ruff_config(kit: Path) -> None:
    path = ruff_profile(kit)
    assert path.parent == kit / ".dojo"
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    expected = tomllib.loads((kit / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dojo"]["review-ruff"]
    assert written == expected


def test_a_kit_without_the_review_profile_gets_one_clear_error(kit: Path) -> None:
    (kit / "pyproject.toml").write_text("[tool.other]\nx = 1\n", encoding="utf-8")
    with pytest.raises(LintError, match=r"no \[tool\.dojo\.review-ruff\] table"):
        ruff_profile(kit)


def test_answer_at_80_columns_wraps_each_field_under_its_text_unpadded(kit):
    long_why = (
        "Every call appends to the same list, forever: the default is built once, when the def runs, not per call."
    )
    edit(
        kit,
        "solutions/reviews/demo.answers.toml",
        'why = "Every call appends to the same list, forever."',
        f'why = "{long_why}"',
    )
    run = run_dojo(kit, "answer", "demo", "--peek", columns=80)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert not [line for line in lines if len(line.rstrip()) > 80], run.stdout
    padded = [line for line in lines if line.endswith("  ")]
    assert not padded, f"lines padded with spaces to the terminal's width: {padded}"
    why = next(index for index, line in enumerate(lines) if line.startswith("  why       Every call"))
    assert lines[why + 1].startswith(" " * 12), run.stdout
    assert lines[why + 1].strip(), run.stdout
    assert lines[why + 2].startswith("  fix       "), run.stdout
