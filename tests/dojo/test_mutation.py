"""The automated mutation pass: mutmut's names and diffs as stable keys, baselines, and verify's verdicts.

The pure parts run in-process; the end-to-end tests run the real `dojo mutation` and `dojo verify` on the
miniature kit (one exercise, a few mutants: a few seconds each).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dojo import mutation_baseline as baselines
from dojo.mutation import (
    MutantKey,
    MutantOutcome,
    Unit,
    UnitResult,
    function_of,
    functions,
    key_from_diff,
    mutant_pattern,
)
from tests.dojo.conftest import run_dojo, write

UNIT = Unit("adder", ("katas/adder.py",), ("tests/katas/test_adder.py",), ("adder",))
KEY = MutantKey("katas/adder.py", "add", "return a + b", "return a - b")
OTHER = MutantKey("katas/adder.py", "add", "return a + b", "return None")


def outcome(key: MutantKey, killed: bool) -> MutantOutcome:
    return MutantOutcome(key, name="katas.adder.x_add__mutmut_1", status="killed" if killed else "survived", killed=killed)


def result(*outcomes: MutantOutcome) -> UnitResult:
    return UnitResult(UNIT, list(outcomes))


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("katas.lru_cache.xǁLRUCacheǁput__mutmut_4", "LRUCache.put"),
        ("katas.ttl_cache.x_make_key__mutmut_6", "make_key"),
        ("katas.ttl_cache.x__private__mutmut_12", "_private"),
        ("katas.lru_cache.xǁLRUCacheǁ__init____mutmut_1", "LRUCache.__init__"),
    ],
    ids=["method", "function", "private-function", "dunder"],
)
def test_a_mutants_function_is_read_from_mutmuts_name(name, function):
    module = name.split(".x", 1)[0]
    assert function_of(name, module) == function


def test_the_key_is_the_changed_text_not_the_position():
    diff = textwrap.dedent(
        """\
        --- katas/lru_cache.py
        +++ katas/lru_cache.py
        @@ -2,4 +2,4 @@
             self._entries[key] = value
             if len(self._entries) > self.capacity:
        -        self._entries.popitem(last=False)
        +        self._entries.popitem(last=None)
        """
    )
    key = key_from_diff("katas/lru_cache.py", "LRUCache.put", diff)
    assert key == MutantKey("katas/lru_cache.py", "LRUCache.put", "self._entries.popitem(last=False)", "self._entries.popitem(last=None)")


def test_a_baseline_survives_a_round_trip_through_its_file(tmp_path):
    baseline = baselines.Baseline(
        unit="adder", mutants=3, killed=1, fingerprint="abc",
        survivors=[baselines.Survivor(KEY, "equivalent: a quote \" and a\nnewline"), baselines.Survivor(OTHER, "")],
    )  # fmt: skip
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    baselines.save(tmp_path, baseline)
    assert baselines.load(tmp_path, "adder") == baseline


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("equivalent: None is falsy like False", "equivalent"),
        ("scaffolding: the given Table", "scaffolding"),
        ("postgres: killed on PostgreSQL (mutmut: killed)", "postgres"),
        ("", None),
        ("equivalent:", None),
        ("because I said so", None),
        ("Equivalent - no colon", None),
    ],
)
def test_a_reason_must_say_its_kind_and_why(reason, kind):
    assert baselines.Survivor(KEY, reason).kind == kind


def test_judging_a_run_against_its_baseline():
    stale = MutantKey("katas/adder.py", "add", "gone", "also gone")
    baseline = baselines.Baseline(
        "adder", mutants=4, killed=2,
        survivors=[baselines.Survivor(KEY, "equivalent: x"), baselines.Survivor(stale, "scaffolding: y")],
    )  # fmt: skip
    killed = MutantKey("katas/adder.py", "add", "a", "b")
    judged = baselines.judge(result(outcome(KEY, False), outcome(OTHER, False), outcome(killed, True)), baseline)
    assert judged.unexpected == [OTHER]
    assert [s.key for s in judged.stale] == [stale]
    assert judged.unreasoned == []
    assert (judged.mutants, judged.killed, judged.equivalents) == (3, 1, 1)
    assert judged.score == pytest.approx(0.5)  # 1 killed of 2 non-equivalent


def test_the_postgresql_pass_marks_what_it_kills_and_those_count_as_killed():
    # KEY and OTHER survive on SQLite (where the pass runs); on PostgreSQL, KEY is killed and OTHER is not.
    elsewhere = MutantKey("katas/adder.py", "sub", "return a - b", "return None")
    baseline = baselines.Baseline(
        "adder", mutants=4, killed=1,
        survivors=[
            baselines.Survivor(KEY, ""), baselines.Survivor(OTHER, "postgres: killed on PostgreSQL (mutmut: killed)"),
            baselines.Survivor(elsewhere, "equivalent: z"),
        ],
    )  # fmt: skip
    on_postgres = result(outcome(KEY, True), outcome(OTHER, False))
    fresh, killed, alive = baselines.apply_postgres(baseline, on_postgres, {"katas/adder.py::add"})
    assert (killed, alive) == (1, 1)
    reasons = {s.key: s.reason for s in fresh.survivors}
    assert reasons[KEY].startswith(baselines.POSTGRES_KILLED)
    assert reasons[OTHER] == "", "an earlier PostgreSQL verdict that no longer holds needs a maintainer again"
    assert reasons[elsewhere] == "equivalent: z", "a function the pass did not run keeps its reason"
    assert baselines.postgres_functions(fresh) == {"katas/adder.py::add"}
    # On SQLite all three still survive: KEY counts as killed, the equivalent leaves the denominator.
    judged = baselines.judge(result(outcome(KEY, False), outcome(OTHER, False), outcome(elsewhere, False)), fresh)
    assert (judged.killed, judged.on_postgres, judged.equivalents, judged.unreasoned) == (0, 1, 1, [fresh.survivors[1]])
    assert judged.score == pytest.approx(1 / 2)
    assert baselines.judge_baseline(fresh).score == pytest.approx((1 + 1) / 3)


def test_regenerating_keeps_reasons_drops_the_stale_and_leaves_new_survivors_unreasoned(tmp_path):
    write(tmp_path / "solutions" / "katas" / "adder.py", "def add(a, b):\n    return a + b\n")
    write(tmp_path / "tests" / "katas" / "test_adder.py", "")
    gone = MutantKey("katas/adder.py", "add", "x", "y")
    previous = baselines.Baseline("adder", 2, 0, survivors=[baselines.Survivor(KEY, "equivalent: x"), baselines.Survivor(gone, "equivalent: z")])
    fresh = baselines.regenerate(tmp_path, result(outcome(KEY, False), outcome(OTHER, False)), previous, grouped=False)
    assert {s.key: s.reason for s in fresh.survivors} == {KEY: "equivalent: x", OTHER: ""}
    assert fresh.fingerprint == baselines.fingerprint(tmp_path, UNIT)


def test_the_fingerprint_moves_with_the_source_and_the_tests_only(tmp_path):
    write(tmp_path / "solutions" / "katas" / "adder.py", "def add(a, b):\n    return a + b\n")
    write(tmp_path / "tests" / "katas" / "test_adder.py", "def test(): pass\n")
    write(tmp_path / "tests" / "katas" / "test_other.py", "")
    before = baselines.fingerprint(tmp_path, UNIT)
    (tmp_path / "tests" / "katas" / "test_other.py").write_text("changed")
    assert baselines.fingerprint(tmp_path, UNIT) == before, "another exercise's tests changed"
    (tmp_path / "tests" / "katas" / "conftest.py").write_text("# a helper beside the tests")
    after_helper = baselines.fingerprint(tmp_path, UNIT)
    assert after_helper != before
    (tmp_path / "solutions" / "katas" / "adder.py").write_text("def add(a, b):\n    return b + a\n")
    assert baselines.fingerprint(tmp_path, UNIT) != after_helper


def test_a_quick_pass_runs_what_changed_plus_a_rotating_sample(tmp_path):
    units = [Unit(f"u{i}", (f"katas/u{i}.py",), (f"tests/katas/test_u{i}.py",), (f"u{i}",)) for i in range(5)]
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    for unit in units:
        write(tmp_path / "solutions" / unit.sources[0], "def f():\n    return 1\n\n\ndef g():\n    return 2\n")
        write(tmp_path / unit.tests[0], "")
        fresh = baselines.Baseline(unit.name, 1, 1, fingerprint=baselines.fingerprint(tmp_path, unit))
        fresh.functions = functions(tmp_path, unit)
        baselines.save(tmp_path, fresh)
    write(tmp_path / "solutions" / "katas" / "u0.py", "def f():\n    return 1\n\n\ndef g():\n    return 3\n")
    first = baselines.plan(tmp_path, units, deep=False, sample=2, rotation=0)
    assert [u.name for u in first.run] == ["u0", "u1", "u2"]
    assert first.only == {"u0": {"katas/u0.py::g"}}, "only the function whose text changed is re-mutated"
    assert [u.name for u in first.from_baseline] == ["u3", "u4"]
    later = baselines.plan(tmp_path, units, deep=False, sample=2, rotation=1)
    assert [u.name for u in later.run] == ["u0", "u3", "u4"], "the next day samples the next ones"
    deep = baselines.plan(tmp_path, units, deep=True, sample=2, rotation=0)
    assert (deep.run, deep.only, deep.from_baseline) == (units, {}, [])


def test_a_large_unit_is_re_run_a_slice_at_a_time(tmp_path):
    unit = Unit("big", ("katas/big.py",), ("tests/katas/test_big.py",), ("big",))
    write(tmp_path / "solutions" / "katas" / "big.py", "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(16)))
    write(tmp_path / "tests" / "katas" / "test_big.py", "")
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    big = baselines.Baseline("big", 1000, 990, fingerprint=baselines.fingerprint(tmp_path, unit))
    big.functions = functions(tmp_path, unit)
    baselines.save(tmp_path, big)
    slices = [baselines.plan(tmp_path, [unit], deep=False, sample=1, rotation=day, slice_of=8).only["big"] for day in range(8)]
    assert all(len(part) == 2 for part in slices)
    assert set().union(*slices) == set(big.functions), "eight days cover every function"


def test_a_mutant_pattern_names_mutmuts_mangled_functions():
    assert mutant_pattern("katas/lru_cache.py::LRUCache.put") == "katas.lru_cache.xǁLRUCacheǁput__mutmut_*"
    assert mutant_pattern("katas/deals_api/service.py::update_deal") == "katas.deals_api.service.x_update_deal__mutmut_*"


# ---- end to end, on the miniature kit ----

WEAK_SOLUTION = '''
def add(a: int, b: int) -> int:
    if a == 0:
        return b
    return a + b
'''


def test_a_survivor_fails_verify_until_its_baseline_gives_a_reason(mini_kit: Path):
    (mini_kit / "solutions" / "katas" / "adder.py").write_text(WEAK_SOLUTION)
    checked = run_dojo(mini_kit, "mutation", "check", "adder")
    assert checked.returncode == 1
    assert "survives, not in the baseline katas/adder.py:add: if a == 0: -> if a == 1:" in checked.stdout

    made = run_dojo(mini_kit, "mutation", "baseline", "adder")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "needs a reason" in made.stdout
    baseline = mini_kit / "tests" / "mutation" / "adder.toml"
    assert 'old = "if a == 0:"' in baseline.read_text()
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 1
    assert "survivor without a reason" in run.stdout

    text = baseline.read_text().replace('reason = ""', 'reason = "equivalent: when a is 0, b is a + b"')
    baseline.write_text(
        text
        + '\n[[survivor]]\nfile = "katas/adder.py"\nfunction = "add"\nold = "gone"\nnew = "also gone"\n'
        + 'reason = "equivalent: it used to be"\n'
    )
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 0, run.stdout
    assert "automated mutation (mutmut): ran adder" in run.stdout
    assert "stale baseline entry (no longer survives): katas/adder.py:add: gone -> also gone" in run.stdout

    # An edited function: a quick pass re-mutates just that function, and its new survivor fails.
    solution = mini_kit / "solutions" / "katas" / "adder.py"
    solution.write_text(WEAK_SOLUTION + "\n\ndef double(a: int) -> int:\n    return a * 2\n")
    run_dojo(mini_kit, "mutation", "baseline", "adder")
    baseline.write_text(baseline.read_text().replace('reason = ""', 'reason = "scaffolding: not tested on purpose"'))
    solution.write_text(WEAK_SOLUTION + "\n\ndef double(a: int) -> int:\n    return a * 3\n")
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert "ran adder (in part:" in run.stdout, run.stdout
    assert "survives and is not in the baseline: katas/adder.py:double: return a * 3" in run.stdout
    # Until it is regenerated, every quick pass pays for that unit again, and verify says how to stop it.
    flat = " ".join(run.stdout.split())
    assert "1 baseline(s) out of date, so re-run by every quick pass until regenerated: uv run dojo mutation baseline adder" in flat


def test_an_exercise_without_a_baseline_is_told_the_command_that_makes_one(mini_kit: Path):
    (mini_kit / "tests" / "mutation" / "adder.toml").unlink()
    run = run_dojo(mini_kit, "verify", "--no-lint")
    assert run.returncode == 1
    assert "run `uv run dojo mutation baseline adder`" in run.stdout


def test_an_unknown_name_is_one_line(mini_kit: Path):
    run = run_dojo(mini_kit, "mutation", "baseline", "nope")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
