"""`dojo bench`: what it times, what it refuses, what it prints. Never how fast anything is.

The command runs for real (a child `python -m dojo`) on a small kit holding the real lru_cache kata,
with the workload scaled down to a few hundred accesses so each run takes a couple of seconds, most
of them the exercise's own tests, which bench runs before it times anything.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from dojo.bench import BENCHMARKED, _suites
from dojo.bench.harness import Contender, Goal, Measured, Result, Workload, measure, relative, runnable
from tests.dojo.conftest import run_dojo, write

KIT = Path(__file__).resolve().parents[2]
TINY = ("--scale", "0.0003", "--rounds", "2")  # 300 accesses a run

LRU_ENTRY = """
[[exercise]]
slug = "lru_cache"
title = "LRU cache with O(1) get and put"
kind = "kata"
topic = "data structures"
difficulty = "easy"
hints = ["OrderedDict"]
talking_points = ["OrderedDict is a hash map and a linked list."]
"""


@pytest.fixture
def lru_kit(mini_kit: Path) -> Path:
    """The miniature kit plus the real lru_cache kata: stub, reference, tests."""
    curriculum = mini_kit / "curriculum.toml"
    curriculum.write_text(curriculum.read_text(encoding="utf-8") + LRU_ENTRY, encoding="utf-8")
    for rel in ("pristine/katas/lru_cache.py", "solutions/katas/lru_cache.py", "tests/katas/test_lru_cache.py"):
        (mini_kit / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(KIT / rel, mini_kit / rel)
    return mini_kit


def learner_solves(kit: Path, source: str | None = None) -> None:
    text = source if source is not None else (kit / "solutions/katas/lru_cache.py").read_text(encoding="utf-8")
    write(kit / "katas" / "lru_cache.py", text)


def bench_json(kit: Path, *args: str) -> dict[str, Any]:
    run = run_dojo(kit, "bench", "lru_cache", "--json", *TINY, *args)
    assert run.returncode == 0, run.stderr
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def test_an_unknown_slug_is_one_line_and_exit_2(mini_kit):
    run = run_dojo(mini_kit, "bench", "no_such_kata")
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "no benchmark for 'no_such_kata'" in run.stderr
    assert "lru_cache" in run.stderr, "the error lists what can be benchmarked"
    assert run.stdout == ""


def test_the_pagination_kata_points_to_the_capstone_benchmark(mini_kit):
    run = run_dojo(mini_kit, "bench", "pagination")
    assert run.returncode == 2
    assert "dojo bench round4" in run.stderr


def test_an_unknown_target_is_one_line_and_exit_2(mini_kit):
    run = run_dojo(mini_kit, "bench", "lru_cache", "--target", "pristine")
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "--target must be one of learner, solutions" in run.stderr


def test_a_solution_whose_tests_fail_is_not_timed(lru_kit):
    run = run_dojo(lru_kit, "bench", "lru_cache", "--json", *TINY)  # the learner's file is still the stub
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert "lru_cache is not timed" in run.stderr
    assert "check lru_cache" in run.stderr, "it says how to see what fails"
    document = json.loads(run.stdout)
    assert document["workloads"] == [], "nothing was measured"
    assert [refusal["slug"] for refusal in document["refused"]] == ["lru_cache"]


def test_json_times_yours_beside_the_reference_and_the_libraries(lru_kit):
    learner_solves(lru_kit)
    document = bench_json(lru_kit)
    assert document["target"] == "learner"
    assert document["rounds"] == 2
    assert {"python", "cpus", "load_average_before", "load_average_after"} <= set(document["machine"])
    (workload,) = document["workloads"]
    assert workload["slug"] == "lru_cache"
    assert workload["ops"] == 300, "--scale shrinks the work: 1,000,000 x 0.0003 accesses"
    rows = {row["name"]: row for row in workload["results"]}
    assert list(rows)[:2] == ["yours", "reference"]
    assert rows["yours"]["kind"] == "learner"
    assert rows["reference"]["kind"] == "reference"
    assert {"cachetools.LRUCache", "functools.lru_cache"} <= set(rows)
    for row in workload["results"]:
        if row["missing"]:
            assert row["seconds"] == []
            continue
        assert len(row["seconds"]) == 2, f"{row['name']}: one time per round"
        assert row["min"] <= row["median"] <= row["max"]
        assert row["per_second"] == pytest.approx(300 / row["median"], rel=0.01)
    assert rows["reference"]["times_the_reference"] == 1.0
    (goal,) = workload["goals"]
    assert goal["against"] == "cachetools.LRUCache"
    assert goal["times"] == 3.0
    if rows["cachetools.LRUCache"]["missing"] is None:
        assert goal["met"] == (goal["measured"] >= 3.0)


RECORDING = """

import os as _os

_reference_init = LRUCache.__init__


def _recording_init(self, capacity):  # the learner's own touch: each cache built leaves a line
    with open(_os.environ["DOJO_TEST_LRU_BUILT"], "a", encoding="utf-8") as record:
        record.write(f"{capacity}\\n")
    _reference_init(self, capacity)


LRUCache.__init__ = _recording_init
"""


def test_the_learner_target_times_the_learners_own_file(lru_kit, tmp_path, monkeypatch):
    built = tmp_path / "built.txt"
    monkeypatch.setenv("DOJO_TEST_LRU_BUILT", str(built))
    learner_solves(lru_kit, (lru_kit / "solutions/katas/lru_cache.py").read_text(encoding="utf-8") + RECORDING)
    document = bench_json(lru_kit)
    capacities = built.read_text(encoding="utf-8").split()
    # The tests build small caches; the workload builds one of capacity 1,000 per round, in "yours".
    assert capacities.count("1000") == 2, capacities
    rows = {row["name"]: row for row in document["workloads"][0]["results"]}
    assert len(rows["yours"]["seconds"]) == 2


def hide_cachetools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import cachetools`` fail in the child process, as if the bench extra were not installed."""
    hidden = tmp_path / "hidden"
    write(hidden / "cachetools" / "__init__.py", 'raise ImportError("hidden by the test")\n')
    monkeypatch.setenv("PYTHONPATH", str(hidden))


def test_the_solutions_target_times_the_reference_and_names_a_missing_library(lru_kit, tmp_path, monkeypatch):
    hide_cachetools(tmp_path, monkeypatch)
    built = tmp_path / "built.txt"
    monkeypatch.setenv("DOJO_TEST_LRU_BUILT", str(built))
    learner_solves(lru_kit, (lru_kit / "solutions/katas/lru_cache.py").read_text(encoding="utf-8") + RECORDING)
    document = bench_json(lru_kit, "--target", "solutions")
    assert not built.exists(), "neither the tests nor the workload ran the learner's file"
    assert document["target"] == "solutions"
    rows = {row["name"]: row for row in document["workloads"][0]["results"]}
    assert "yours" not in rows
    assert next(iter(rows)) == "reference"
    assert rows["cachetools.LRUCache"]["missing"] == "cachetools"
    assert rows["cachetools.LRUCache"]["seconds"] == []
    assert rows["functools.lru_cache"]["seconds"], "the others are still timed"
    assert document["missing"] == ["cachetools"]
    assert "--extra bench" in document["install"] or ".[bench]" in document["install"]


def test_the_table_shows_each_contender_the_goal_and_how_to_install_what_is_missing(lru_kit, tmp_path, monkeypatch):
    hide_cachetools(tmp_path, monkeypatch)
    learner_solves(lru_kit)
    run = run_dojo(lru_kit, "bench", "lru_cache", *TINY)
    assert run.returncode == 0, run.stderr
    for text in ("LRU cache: 300 cache-aside accesses", "yours", "reference", "functools.lru_cache", "goal:"):
        assert text in run.stdout
    assert "load average" in run.stdout, "the machine's state is printed with the numbers"
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("not installed:")]
    assert "cachetools" in line
    assert "--extra bench" in line or ".[bench]" in line


def test_at_80_columns_nothing_is_cut_and_the_notes_become_footnotes(lru_kit, tmp_path, monkeypatch):
    hide_cachetools(tmp_path, monkeypatch)
    learner_solves(lru_kit)
    run = run_dojo(lru_kit, "bench", "lru_cache", *TINY, columns=80)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    too_wide = [line for line in lines if len(line.rstrip()) > 80]
    assert not too_wide, f"lines over 80 columns: {too_wide}"
    padded = [line for line in lines if line.startswith("  ") and line != line.rstrip()]
    assert not padded, f"lines under the table padded with spaces to the edge: {padded}"
    assert "…" not in run.stdout, f"a cell was cut short:\n{run.stdout}"
    assert any(line.startswith("LRU cache: 300 cache-aside accesses over 2,000 keys") for line in lines), (
        "the title is one line above the table, not wrapped to the table's width"
    )
    (row,) = [line for line in lines if line.startswith("functools.lru_cache")]
    marker = row.split()[1]
    (footnote,) = [line.strip() for line in lines if line.strip().startswith(marker + " ")]
    assert footnote == f"{marker} C; memoises a function, no put", "a contender's note is its numbered footnote"
    (missing,) = [line for line in lines if line.startswith("cachetools.LRUCache")]
    assert "not installed" in missing
    wrapped_goal = [index for index, line in enumerate(lines) if line.startswith("  goal:")]
    assert wrapped_goal, run.stdout
    after = lines[wrapped_goal[0] + 1 :]
    assert not after or after[0].startswith("  ") or after[0].startswith("not installed"), (
        "a wrapped line under the table keeps its indent"
    )


# ---- the harness, in-process ----


def contender(name: str, kind: str = "alternative", max_rounds: int | None = None) -> Contender:
    async def prepare():  # never called by these tests
        raise AssertionError

    return Contender(name, kind, prepare, max_rounds=max_rounds)  # type: ignore[arg-type]


def test_every_benchmarked_slug_has_a_suite():
    assert set(_suites()) == set(BENCHMARKED)


def test_rounds_rotate_the_order_and_cap_a_slow_baseline():
    workload = Workload(
        "w",
        "lru_cache",
        "title",
        "ops",
        1,
        (contender("reference", "reference"), contender("lib"), contender("slow", max_rounds=1)),
    )
    steps = [(number, c.name) for number, c in runnable(workload, 3)]
    assert steps == [
        (0, "reference"), (0, "lib"), (0, "slow"),
        (1, "lib"), (1, "reference"),
        (2, "reference"), (2, "lib"),
    ]  # fmt: skip


def test_ratios_and_goals_come_from_medians():
    reference, library = contender("reference", "reference"), contender("lib")
    workload = Workload("w", "lru_cache", "title", "ops", 1, (reference, library), (Goal("lib", 3.0),))
    measured = Measured(workload, (Result(reference, [1.0, 1.2, 9.0]), Result(library, [2.9, 3.0, 3.1])))
    assert measured.times_the_reference("lib") == pytest.approx(3.0 / 1.2)
    assert measured.round_ratios("lib") == pytest.approx([2.9, 3.0 / 1.2, 3.1 / 9.0])  # round by round
    assert measured.goal_met(Goal("lib", 3.0)) is False
    assert measured.goal_met(Goal("lib", 2.0)) is True
    assert measured.goal_met(Goal("absent", 2.0)) is None
    assert relative(2.5) == "2.50x slower"
    assert relative(0.5) == "2.00x faster"


def test_a_floor_is_taken_out_of_both_medians_and_the_goal_is_judged_above_it():
    reference, library, floor = contender("reference", "reference"), contender("lib"), contender("floor")
    other = Contender("other", "alternative", floor.prepare, floored=False)
    goal = Goal("lib", 3.0)
    contenders = (reference, library, floor, other)
    workload = Workload("w", "lru_cache", "title", "ops", 1, contenders, (goal,), floor="floor")
    results = (Result(reference, [1.0]), Result(library, [2.5]), Result(floor, [0.25]), Result(other, [0.5]))
    measured = Measured(workload, results)
    assert measured.times_the_reference("lib") == pytest.approx(2.5)
    assert measured.above_the_floor("lib") == pytest.approx((2.5 - 0.25) / (1.0 - 0.25))
    assert measured.goal_ratio(goal) == pytest.approx(3.0)
    assert measured.goal_met(goal) is True
    assert measured.above_the_floor("other") is None  # driven another way: no ratio above this floor
    assert measured.above_the_floor("floor") is None
    unfloored = Measured(Workload("w", "lru_cache", "title", "ops", 1, contenders, (goal,)), results)
    assert unfloored.above_the_floor("lib") is None
    assert unfloored.goal_met(goal) is False  # 2.5x end to end


def test_a_reference_no_slower_than_the_floor_gives_no_ratio_above_it():
    reference, library, floor = contender("reference", "reference"), contender("lib"), contender("floor")
    workload = Workload("w", "lru_cache", "title", "ops", 1, (reference, library, floor), floor="floor")
    measured = Measured(workload, (Result(reference, [1.0]), Result(library, [2.0]), Result(floor, [1.0])))
    assert measured.above_the_floor("lib") is None


async def test_each_workload_is_timed_by_its_own_clock(monkeypatch):
    from dojo.bench import harness

    ticks = {"wall": iter([10.0, 10.5]), "cpu": iter([1.0, 1.25])}
    monkeypatch.setitem(harness.CLOCKS, "wall", lambda: next(ticks["wall"]))
    monkeypatch.setitem(harness.CLOCKS, "cpu", lambda: next(ticks["cpu"]))

    async def prepare():
        async def run() -> None:
            return None

        return run

    step = Contender("reference", "reference", prepare)
    for clock, seconds in (("cpu", 0.25), ("wall", 0.5)):
        workload = Workload("w", "lru_cache", "title", "ops", 1, (step,), clock=clock)  # type: ignore[arg-type]
        assert (await measure(workload, 1)).results[0].seconds == [seconds]
    assert Workload("w", "s", "t", "u", 1, ()).clock == "wall"  # a workload that waits on a server keeps the wall clock


async def test_the_pagination_workload_refuses_to_compare_pages_that_differ(tmp_path):
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from dojo.bench.capstone import _same_page

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE deals (id INTEGER PRIMARY KEY, title TEXT)"))
            await connection.execute(
                text("INSERT INTO deals (id, title) VALUES (:id, 'x')"), [{"id": n} for n in range(1, 41)]
            )
        offset = "SELECT * FROM deals ORDER BY id LIMIT 5 OFFSET 20"
        keyset = "SELECT * FROM deals WHERE id > 20 ORDER BY id LIMIT 6"
        await _same_page(engine, offset, keyset)  # ids 1..40 without gaps: row 20 is id 20
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM deals WHERE id = 3"))
        with pytest.raises(RuntimeError, match="differ"):
            await _same_page(engine, offset, keyset)  # a gap: the OFFSET page starts one row later
    finally:
        await engine.dispose()


def test_the_sqlite_engine_workload_reads_both_plans_and_refuses_a_keyset_that_scans(tmp_path):
    import sqlite3

    from dojo.bench.capstone import _sqlite_in_process

    offset = "SELECT * FROM deals ORDER BY id LIMIT 5 OFFSET 20"
    keyset = "SELECT * FROM deals WHERE id > 20 ORDER BY id LIMIT 6"
    where = ("WHERE id > 20 LIMIT 6", "LIMIT 5 OFFSET 20")
    for name, schema in (("seek.db", "id INTEGER PRIMARY KEY, title TEXT"), ("scan.db", "id INTEGER, title TEXT")):
        with sqlite3.connect(tmp_path / name) as connection:
            connection.execute(f"CREATE TABLE deals ({schema})")
    workload = _sqlite_in_process(str(tmp_path / "seek.db"), offset, keyset, 2, where, "2 queries")
    assert workload.clock == "cpu"
    assert [c.name for c in workload.contenders] == ["keyset (the feed)", "OFFSET"]
    notes = [c.note for c in workload.contenders]
    assert "SEARCH deals USING INTEGER PRIMARY KEY (rowid>?)" in notes[0]
    assert "SCAN deals" in notes[1]
    with pytest.raises(RuntimeError, match="does not seek the primary key"):
        _sqlite_in_process(str(tmp_path / "scan.db"), offset, keyset, 2, where, "2 queries")
