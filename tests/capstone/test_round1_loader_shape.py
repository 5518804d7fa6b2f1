"""Round 1: the loader's shape, checked deterministically (the speed itself is `dojo bench round1`).

A bulk loader sends a handful of statements whatever the file's size (``executemany``, multi-row
``INSERT``, ``COPY``); a row-by-row one sends one or more per row, and that is what makes it 13 to 24
times slower on 50,000 rows. Timing would be flaky on a shared machine; counting is not. The test
counts what the loader sends through SQLAlchemy on SQLite, with the same ``Engine`` listener round 7
uses, and compares a 40-row file with the 400-row sample.

It runs on SQLite only: on PostgreSQL the reference COPYs through asyncpg directly, below SQLAlchemy,
where no listener sees it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.capstone.helpers import SAMPLE_CSV, listening_to_all_engines

ROWS_PER_STATEMENT = 10  # the spec: fewer than one statement per ten rows


def _head(rows: int, path: Path) -> Path:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as stream:
        lines = list(csv.reader(stream))[: rows + 1]
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(lines)
    return path


async def _statements_to_load(path: Path, database: Path) -> list[str]:
    from katas.deals_api import loader, migrations

    url = f"sqlite+aiosqlite:///{database}"
    await migrations.upgrade(url, "head")
    with listening_to_all_engines() as log, log.record():
        await loader.load_csv(url, path)
    return list(log.statements)


async def test_the_loader_sends_a_few_bulk_statements_not_one_per_row(tmp_path: Path) -> None:
    with SAMPLE_CSV.open(encoding="utf-8") as stream:
        rows = sum(1 for _ in stream) - 1
    small = await _statements_to_load(_head(40, tmp_path / "small.csv"), tmp_path / "small.db")
    large = await _statements_to_load(SAMPLE_CSV, tmp_path / "large.db")
    assert large, (
        "the loader sent no statement through SQLAlchemy on SQLite: load through an engine "
        "(create_async_engine), so its statements can be counted"
    )
    assert len(large) < rows / ROWS_PER_STATEMENT, (
        f"loading {rows} rows sent {len(large)} statements (40 rows: {len(small)}): that is one per row or per "
        "hotel; write each table in bulk (executemany, a multi-row INSERT), not in a loop. "
        f"The first ones: {large[:3]}"
    )
    assert len(large) - len(small) < (rows - 40) / ROWS_PER_STATEMENT, (
        f"ten times the rows sent {len(large) - len(small)} more statements ({len(small)} for 40 rows, "
        f"{len(large)} for {rows}): the count must not grow with the file"
    )
