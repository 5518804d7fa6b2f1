"""The test-writing katas' grader (dojo/test_writing.py) and its technique checks (dojo/test_writing_checks.py).

The grader runs on a miniature kata built in tmp_path: a given module, hidden mutants, and learner
files written per test, so each behaviour (a survivor named in words, a failing test named, a hang,
a mutant that breaks the import) is shown by one small file.
"""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from dojo import test_writing as tw
from dojo.curriculum import Curriculum, Exercise
from dojo.test_writing_checks import CHECKS, Technique, run_check

# ---- the technique checks, one snippet per case ----

FIRES = [
    pytest.param(
        "parametrize_ids", "def test_x():\n    assert 1\n", "no @pytest.mark.parametrize yet", id="no parametrize"
    ),
    pytest.param(
        "parametrize_ids",
        "import pytest\n@pytest.mark.parametrize('a', [1, 2])\ndef test_x(a): ...\n",
        "the parametrize at line 2 does not name its cases",
        id="parametrize without ids",
    ),
    pytest.param(
        "parametrize_ids",
        "import pytest\n@pytest.mark.parametrize('a', [pytest.param(1, id='one'), pytest.param(2)])\ndef test_x(a): ...\n",
        "line 2",
        id="one pytest.param without an id",
    ),
    pytest.param(
        "parametrize_ids",
        "import pytest\n@pytest.mark.parametrize('a', [1], ids=['one'])\n"
        "@pytest.mark.parametrize('b', [2])\ndef test_x(a, b): ...\n",
        "line 3",
        id="every parametrize must name its cases",
    ),
    pytest.param(
        "never_sleeps",
        "import time\ndef test_x():\n    time.sleep(0.1)\n",
        "line 3 sleeps for real (time.sleep)",
        id="time.sleep",
    ),
    pytest.param(
        "never_sleeps",
        "from time import sleep\ndef test_x():\n    sleep(1)\n",
        "(time.sleep)",
        id="sleep imported from time",
    ),
    pytest.param(
        "never_sleeps",
        "import asyncio\nasync def test_x():\n    await asyncio.sleep(0.01)\n",
        "(asyncio.sleep)",
        id="asyncio.sleep",
    ),
    pytest.param("hypothesis_property", "def test_x(): ...\n", "no Hypothesis property yet", id="no given"),
    pytest.param(
        "hypothesis_property",
        "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_x(n):\n    bucket.allow(n)\n",
        "the property test_x (line 3) asserts nothing",
        id="a property that asserts nothing",
    ),
    pytest.param(
        "yield_fixture",
        "import pytest\n@pytest.fixture\ndef db():\n    return 1\n",
        "no fixture that yields",
        id="returns",
    ),
    pytest.param(
        "yield_fixture",
        "import pytest\n@pytest.fixture\ndef db():\n    engine = make()\n    yield engine\n",
        "fixture 'db' (line 3) yields but cleans nothing up",
        id="nothing after the yield",
    ),
    pytest.param(
        "dependency_override", "def test_x(): ...\n", "no app.dependency_overrides[get_session]", id="no override"
    ),
    pytest.param(
        "dependency_override",
        "app.dependency_overrides[get_session] = fake\n",
        "the dependency override is never undone",
        id="never undone",
    ),
    pytest.param(
        "real_sqlite",
        "from unittest.mock import AsyncMock\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
        "engine = create_async_engine('sqlite+aiosqlite://')\n",
        "line 1 imports unittest.mock",
        id="a mock beside the engine",
    ),
    pytest.param("real_sqlite", "engine = make_engine()\n", "no real SQLite database", id="no engine"),
    pytest.param(
        "real_sqlite",
        "engine = create_async_engine('postgresql+asyncpg://localhost/x')\n",
        "no real SQLite database",
        id="another database",
    ),
]

SILENT = [
    pytest.param(
        "parametrize_ids",
        "import pytest\n@pytest.mark.parametrize('a', [1, 2], ids=['one', 'two'])\ndef test_x(a): ...\n",
        id="ids=",
    ),
    pytest.param(
        "parametrize_ids",
        "from pytest import mark, param\n@mark.parametrize('a', [param(1, id='one')])\ndef test_x(a): ...\n",
        id="imported names",
    ),
    pytest.param(
        "parametrize_ids",
        "import pytest\n@pytest.mark.parametrize('a', [1], ids=str)\ndef test_x(a): ...\n",
        id="ids callable",
    ),
    pytest.param("never_sleeps", "def test_x(): ...\n", id="no sleep"),
    pytest.param(
        "never_sleeps",
        "import asyncio\nasync def test_x():\n    await asyncio.sleep(0)\n",
        id="asyncio.sleep(0) yields",
    ),
    pytest.param(
        "never_sleeps",
        "async def sleep(seconds):\n    delays.append(seconds)\nasync def test_x():\n    await sleep(1)\n",
        id="a fake sleep",
    ),
    pytest.param(
        "hypothesis_property",
        "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_x(n):\n    assert n == n\n",
        id="given",
    ),
    pytest.param(
        "hypothesis_property",
        "import hypothesis\ndef check(x):\n    assert x\n@hypothesis.given(x=...)\ndef test_x(x):\n    check(x)\n",
        id="hypothesis.given, asserting in a helper",
    ),
    pytest.param(
        "yield_fixture",
        "import pytest\n@pytest.fixture\nasync def db():\n    engine = make()\n    yield engine\n    await engine.dispose()\n",
        id="clean-up after the yield",
    ),
    pytest.param(
        "yield_fixture",
        "import pytest\n@pytest.fixture\nasync def client():\n    async with make() as client:\n        yield client\n",
        id="yield inside async with",
    ),
    pytest.param(
        "yield_fixture",
        "import pytest\n@pytest.fixture\ndef db():\n    try:\n        yield 1\n    finally:\n        app.dependency_overrides.clear()\n",
        id="yield inside try-finally",
    ),
    pytest.param(
        "dependency_override",
        "app.dependency_overrides[get_session] = fake\napp.dependency_overrides.clear()\n",
        id="cleared",
    ),
    pytest.param(
        "dependency_override",
        "app.dependency_overrides[get_session] = f\ndel app.dependency_overrides[get_session]\n",
        id="deleted",
    ),
    pytest.param(
        "real_sqlite",
        "from sqlalchemy.ext.asyncio import create_async_engine\nengine = create_async_engine('sqlite+aiosqlite://')\n",
        id="in-memory SQLite",
    ),
]


@pytest.mark.parametrize(("check", "source", "expected"), FIRES)
def test_a_check_names_what_is_missing_in_one_line(check: str, source: str, expected: str) -> None:
    message = run_check(Technique(check, check), source)
    assert message is not None
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(("check", "source"), SILENT)
def test_a_check_is_silent_when_the_technique_is_used(check: str, source: str) -> None:
    assert run_check(Technique(check, check), source) is None


def test_injects_looks_for_the_keyword_on_the_named_call() -> None:
    technique = Technique("fake_clock", "injects", {"call": "TokenBucket", "keyword": "clock", "what": "clock"})
    assert run_check(technique, "TokenBucket(3, 1, clock=clock)\n") is None
    assert run_check(technique, "bucket.TokenBucket(3, 1, clock=lambda: 0.0)\n") is None
    missing = run_check(technique, "TokenBucket(3, 1)\nOther(clock=clock)\n")
    assert missing == "no TokenBucket(..., clock=...) in your tests: pass it a fake clock that the test controls"


def test_every_check_has_a_case_that_fires_and_one_that_stays_silent() -> None:
    fired = {case.values[0] for case in FIRES}
    silent = {case.values[0] for case in SILENT}
    assert set(CHECKS) - {"injects"} <= fired & silent


def test_an_unreadable_file_is_one_line_too() -> None:
    message = run_check(Technique("never_sleeps", "never_sleeps"), "def test_x(:\n")
    assert message is not None
    assert message.startswith("Python cannot read your test file (line 1: ")


# ---- the grader, on a miniature kata ----

GIVEN = '''
"""Given: a counter."""


def bump(n: int) -> int:
    """n + 1, and never below 1."""
    return max(1, n + 1)
'''

SPEC = """
given = "counter.py"
learner = "test_counter.py"

[[technique]]
check = "parametrize_ids"

[[mutant]]
name = "adds_two"
says = "it adds two, not one"
old = "n + 1)"
new = "n + 2)"

[[mutant]]
name = "no_floor"
says = "a negative number gives a result below 1"
old = "max(1, n + 1)"
new = "n + 1"
"""

EMPTY = '"""Write the tests of counter.py."""\n\nfrom katas.tiny.counter import bump\n'
GOOD = """
import pytest

from katas.tiny.counter import bump


@pytest.mark.parametrize(("n", "expected"), [(1, 2), (-5, 1)], ids=["adds one", "never below one"])
def test_bump(n, expected):
    assert bump(n) == expected
"""


def _kit(root: Path, spec: str = SPEC, given: str = GIVEN) -> Curriculum:
    for tree in ("pristine", "solutions"):
        package = root / tree / "katas" / "tiny"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "counter.py").write_text(dedent(given), encoding="utf-8")
    (root / "pristine/katas/tiny/test_counter.py").write_text(EMPTY, encoding="utf-8")
    (root / "solutions/katas/tiny/test_counter.py").write_text(dedent(GOOD), encoding="utf-8")
    (root / "tests/testing").mkdir(parents=True)
    (root / "tests/testing/tiny.toml").write_text(dedent(spec), encoding="utf-8")
    exercise = Exercise(
        "tiny", "Tiny", "testing", "testing", "easy", "katas/tiny", ("tests/testing/test_tiny.py",), ("h",), ("t",)
    )
    return Curriculum((exercise,))


def _grade(root: Path, curriculum: Curriculum, learner: str) -> tw.Grade:
    path = root / "learner_test_counter.py"
    path.write_text(dedent(learner), encoding="utf-8")
    return tw.grade_file(root, tw.load_spec(root, curriculum.get("tiny")), path)


def test_good_tests_pass_and_catch_every_mutant(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    grade = _grade(tmp_path, curriculum, GOOD)
    assert grade.real_problem() is None
    assert grade.mutant_problem() is None
    assert grade.technique_problem("parametrize_ids") is None
    assert grade.real.collected == 2
    assert all(run.caught for run in grade.mutants.values())


# Tests that read how the module is written instead of calling it: each passes against the real module
# and fails every mutant, so only the equivalent copy (same behaviour, other text and bytecode) tells.
SOURCE_READERS = [
    pytest.param(
        "import hashlib, inspect\nfrom katas.tiny import counter\n\n\ndef test_x():\n"
        "    assert hashlib.sha256(inspect.getsource(counter).encode()).hexdigest() == {source!r}\n",
        id="a hash of the source",
    ),
    pytest.param(
        "import hashlib\nfrom katas.tiny.counter import bump\n\n\ndef test_x():\n"
        "    assert hashlib.sha256(bump.__code__.co_code).hexdigest() == {bytecode!r}\n",
        id="a hash of the bytecode",
    ),
    pytest.param(
        "from pathlib import Path\nfrom katas.tiny import counter\n\n\ndef test_x():\n"
        "    assert Path(counter.__file__).read_text().count('max(1, n + 1)') == 1\n",
        id="the file's text",
    ),
    pytest.param(
        "import hashlib\nfrom katas.tiny.counter import bump\n\n\ndef test_x():\n"
        "    code = getattr(getattr(bump, '__' + 'code__'), 'co_' + 'code')\n"
        "    assert hashlib.sha256(code).hexdigest() == {bytecode!r}\n",
        id="the bytecode, hidden from the scan",
    ),
]


@pytest.mark.parametrize("learner", SOURCE_READERS)
def test_tests_of_the_source_instead_of_the_behaviour_do_not_pass(tmp_path: Path, learner: str) -> None:
    import hashlib

    curriculum = _kit(tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(dedent(GIVEN), "counter.py", "exec"), namespace)
    bump = namespace["bump"]
    source = hashlib.sha256(dedent(GIVEN).encode()).hexdigest()
    bytecode = hashlib.sha256(bump.__code__.co_code).hexdigest()
    grade = _grade(tmp_path, curriculum, learner.format(source=source, bytecode=bytecode))
    assert grade.real.collected == 1, "the cheat does pass against the real module"
    assert not grade.real.caught, "the cheat does pass against the real module"
    assert all(run.caught for run in grade.mutants.values()), "and it does fail every broken copy"
    problem = grade.real_problem()
    assert problem is not None
    assert "never its source text, its file or its bytecode" in problem
    assert grade.mutant_problem() is not None, "nothing is counted caught while rule 1 fails"


@pytest.mark.parametrize(
    ("source", "what"),
    [
        pytest.param("import inspect\ndef test():\n    inspect.getsource(f)\n", "(inspect.getsource)", id="getsource"),
        pytest.param("from inspect import getsource as g\ndef test():\n    g(f)\n", "(inspect.getsource)", id="renamed"),
        pytest.param("def test():\n    open(m.__file__)\n", "line 2 reads", id="open and __file__"),
        pytest.param("def test():\n    p.read_text()\n", "(.read_text())", id="read_text"),
        pytest.param("def test():\n    assert f.__code__.co_code\n", "(__code__)", id="__code__"),
        pytest.param("import dis\ndef test():\n    dis.dis(f)\n", "(dis)", id="dis"),
    ],
)
def test_reading_the_source_is_named_by_its_line(source: str, what: str) -> None:
    from dojo.test_writing_checks import reads_source

    problem = reads_source(ast.parse(source))
    assert problem is not None
    assert what in problem
    assert "instead of calling it" in problem


def test_tests_that_call_the_code_are_not_taken_for_source_readers() -> None:
    from dojo.test_writing_checks import reads_source

    calling = dedent(GOOD) + "\n\ndef test_doc():\n    assert 'never below 1' in bump.__doc__\n    assert bump.__name__ == 'bump'\n"
    assert reads_source(ast.parse(calling)) is None


def test_the_equivalent_copy_behaves_the_same_and_reads_differently() -> None:
    text = dedent(GIVEN) + "\n\nasync def later() -> int:\n    return 3\n"
    first, second = tw.equivalent(text, "ab12"), tw.equivalent(text, "cd34")
    assert first != second != text, "a new token gives a new text each grading"
    real: dict[str, Any] = {}
    same: dict[str, Any] = {}
    exec(compile(text, "real.py", "exec"), real)
    exec(compile(first, "same.py", "exec"), same)
    for n in (-5, 0, 1, 41):
        assert same["bump"](n) == real["bump"](n)
    assert same["bump"].__doc__ == real["bump"].__doc__
    assert same["bump"].__code__.co_code != real["bump"].__code__.co_code
    assert "_unused_ab12 = None" in first


SURVIVORS_SPEC = """
given = "counter.py"
learner = "test_counter.py"

[[mutant]]
name = "no_floor"
says = "a negative number gives a result below 1"
old = "max(1, n + 1)"
new = "n + 1"

[[mutant]]
name = "floor_of_two"
says = "a negative number gives 2"
old = "max(1,"
new = "max(2,"
"""


def test_a_survivor_is_named_in_words_never_by_its_code(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path, SURVIVORS_SPEC)
    only_positive = "from katas.tiny.counter import bump\n\n\ndef test_bump():\n    assert bump(1) == 2\n"
    grade = _grade(tmp_path, curriculum, only_positive)
    problem = grade.mutant_problem()
    assert problem is not None
    assert problem.splitlines() == [
        "2 of 2 broken copies of counter.py pass all your tests (at most 1 may). No test of yours notices:",
        "  - a negative number gives a result below 1",
        "  - a negative number gives 2",
    ]


def test_one_survivor_is_allowed(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    grade = _grade(
        tmp_path, curriculum, "from katas.tiny.counter import bump\n\n\ndef test_bump():\n    assert bump(1) == 2\n"
    )
    assert [mutant.name for mutant in grade.survivors] == ["no_floor"]
    assert grade.mutant_problem() is None


def test_the_check_calls_one_spare_survivor_allowed_and_never_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dojo import kinds

    only_positive = "from katas.tiny.counter import bump\n\n\ndef test_bump():\n    assert bump(1) == 2\n"
    for spec, survivors, notes in ((SPEC, 1, 1), (SURVIVORS_SPEC, 2, 0)):
        root = tmp_path / str(survivors)
        curriculum = _kit(root, spec)
        grade = _grade(root, curriculum, only_positive)
        assert len(grade.survivors) == survivors
        monkeypatch.setattr(tw, "_GRADES", {("x", "y", "z"): grade})
        said = kinds.get("testing").check_notes(root, list(curriculum), "learner")
        assert len(said) == notes, said
        assert all("Allowed" in line for line in said)


def test_tests_that_fail_against_the_real_module_are_named_and_the_mutants_not_run(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    wrong = "from katas.tiny.counter import bump\n\n\ndef test_bump():\n    assert bump(1) == 3\n\n\ndef test_ok():\n    assert bump(0) == 1\n"
    grade = _grade(tmp_path, curriculum, wrong)
    problem = grade.real_problem()
    assert problem is not None
    assert problem.splitlines()[0] == (
        "1 of your 2 tests fails against the real counter.py, which is correct, so that test is what to fix:"
    )
    assert problem.splitlines()[1].startswith("  test_bump: ")
    assert problem.splitlines()[1].endswith("assert 2 == 3")
    assert grade.mutants == {}
    assert grade.mutant_problem() == (
        "first make your tests pass against the real module; then they are run against its broken copies"
    )


def test_an_empty_file_is_told_to_write_tests(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    grade = _grade(tmp_path, curriculum, EMPTY)
    assert (
        grade.real_problem() == "katas/tiny/test_counter.py has no tests yet: write test functions (def test_...) there"
    )


def test_a_file_pytest_cannot_import_is_one_line(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    grade = _grade(tmp_path, curriculum, "from katas.tiny.counter import nothing_here\n")
    problem = grade.real_problem()
    assert problem is not None
    assert problem.startswith("pytest could not collect katas/tiny/test_counter.py: ")
    assert "nothing_here" in problem


def test_the_learners_file_is_graded_on_copies_and_left_alone(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    path = tmp_path / "learner_test_counter.py"
    path.write_text(dedent(GOOD), encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "__pycache__" not in p.parts)
    tw.grade_file(tmp_path, tw.load_spec(tmp_path, curriculum.get("tiny")), path)
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "__pycache__" not in p.parts)
    assert after == before
    assert path.read_text(encoding="utf-8") == dedent(GOOD)


def test_a_hang_counts_as_caught_and_the_rest_still_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The one place the kit waits on the wall clock: a worker that never answers is what is tested. The
    # limit leaves room for a loaded machine to start the worker and run the real module's tests in time.
    monkeypatch.setenv(tw.TIMEOUT_ENV, "15")
    curriculum = _kit(tmp_path)
    hangs_on_two = """
        import threading

        from katas.tiny.counter import bump


        def test_bump():
            if bump(1) == 3:
                threading.Event().wait()
            assert bump(1) == 2
            assert bump(-5) == 1
    """
    grade = _grade(tmp_path, curriculum, hangs_on_two)
    assert grade.real_problem() is None
    assert grade.mutants["adds_two"].hung
    assert grade.mutants["no_floor"].caught
    assert not grade.mutants["no_floor"].hung


def test_verify_holds_the_model_and_the_empty_file(tmp_path: Path) -> None:
    curriculum = _kit(tmp_path)
    assert tw.verify_problems(tmp_path, curriculum, min_mutants=2) == []


def test_verify_names_a_mutant_the_model_misses_and_one_the_empty_file_catches(tmp_path: Path) -> None:
    spec = SPEC + (
        '\n[[mutant]]\nname = "seven"\nsays = "7 gives 0"\nold = "return max(1, n + 1)"\nnew = "return max(1, n + 1) if n != 7 else 0"\n'
        '\n[[mutant]]\nname = "import_breaks"\nsays = "bump is gone"\nold = "def bump("\nnew = "def bumped("\n'
        '\n[[mutant]]\nname = "stale"\nsays = "never applies"\nold = "no such text"\nnew = "x"\n'
    )
    curriculum = _kit(tmp_path, spec)
    messages = [problem.message for problem in tw.verify_problems(tmp_path, curriculum, min_mutants=2)]
    assert messages == ["tiny: hidden mutant 'stale': its 'old' text is not found in counter.py"]
    (tmp_path / "tests/testing/tiny.toml").write_text(
        dedent(spec).replace("no such text", "never below 1"), encoding="utf-8"
    )
    messages = [problem.message for problem in tw.verify_problems(tmp_path, curriculum, min_mutants=2)]
    assert "hidden mutant 'seven' survives the model tests (7 gives 0)" in messages
    assert (
        "hidden mutant 'import_breaks' is caught by the empty test file: it breaks the import, not the behaviour"
        in messages
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param('given = "counter.py"\n', "'given' and 'learner' must name the two files", id="no learner"),
        pytest.param(SPEC + "extra = 1\n", "unknown key(s) extra", id="unknown key"),
        pytest.param(
            SPEC.replace('"adds_two"', '"no_floor"'), "the name 'no_floor' is used twice", id="duplicate name"
        ),
        pytest.param(
            SPEC.replace('check = "parametrize_ids"', 'check = "vibes"'), "'check' must be one of", id="unknown check"
        ),
        pytest.param(SPEC.replace('new = "n + 2)"', 'new = "n + 1)"'), "'old' and 'new' are the same", id="no change"),
    ],
)
def test_a_malformed_spec_is_one_clear_line(tmp_path: Path, spec: str, expected: str) -> None:
    curriculum = _kit(tmp_path, spec)
    with pytest.raises(tw.SpecError) as raised:
        tw.load_spec(tmp_path, curriculum.get("tiny"))
    assert expected in str(raised.value)
    assert str(raised.value).startswith("tests/testing/tiny.toml")


# ---- the kind, in the kit's real curriculum ----


def test_the_kind_is_a_package_graded_by_tests_testing_and_left_out_of_the_mutmut_pass() -> None:
    from dojo import kinds
    from dojo.curriculum import load
    from dojo.mutation import units
    from dojo.paths import kit_root

    kind = kinds.get("testing")
    assert kind.heading == "test-writing katas"
    assert kind.default_path("discount_tests") == "katas/discount_tests"
    assert kind.default_tests("discount_tests") == ("tests/testing/test_discount_tests.py",)
    assert not kind.mutation_pass
    root = kit_root()
    curriculum = load(root)
    mine = {exercise.slug for exercise in kind.members(curriculum)}
    assert mine == {"discount_tests", "token_bucket_tests", "retry_tests", "endpoint_tests"}
    assert not mine & {slug for unit in units(root, curriculum) for slug in unit.slugs}
    for slug in sorted(mine):
        spec = tw.load_spec(root, curriculum.get(slug))
        assert len(spec.mutants) >= tw.MIN_MUTANTS
        brief = " ".join((root / "pristine" / spec.learner_path).read_text(encoding="utf-8").split())
        assert f"dojo check {slug}" in brief
        assert "at most one" in brief
        # The brief says how many broken copies there are: it must be the number the spec holds.
        words = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
        words |= {13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen"}
        assert f"{words[len(spec.mutants)]} broken copies" in brief


def test_an_edited_spec_voids_the_solve_as_an_edited_test_does(tmp_path: Path) -> None:
    """Deleting a hidden mutant from tests/testing/<slug>.toml would let a weak file pass: the manifest
    covers the spec, and a changed spec shows as modified, like a changed test file."""
    import shutil

    from dojo import checksums
    from dojo.curriculum import load
    from dojo.paths import kit_root

    root = kit_root()
    exercise = load(root).get("discount_tests")
    spec = "tests/testing/discount_tests.toml"
    assert spec in checksums.expected(root), "run `uv run dojo checksums --write`"
    copy = tmp_path / "kit"
    for rel in ("tests/SHA256SUMS", *exercise.tests, spec):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / rel, copy / rel)
    assert checksums.modified_tests(copy, exercise) == []
    text = (copy / spec).read_text(encoding="utf-8")
    (copy / spec).write_text(text.replace("[[mutant]]", "[[ignored]]", 1), encoding="utf-8")
    assert checksums.modified_tests(copy, exercise) == [spec]
    assert checksums.stale(copy, [exercise]) == [spec]
