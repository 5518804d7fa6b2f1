"""Benchmark the capstone's reference loader against a naive ORM baseline, on SQLite and PostgreSQL.

    uv run python benchmarks/bench_loader.py                       # SQLite only
    eval "$(uv run dojo pg start --port 55432)"
    uv run python benchmarks/bench_loader.py                       # SQLite and $DOJO_POSTGRES_URL
    uv run python benchmarks/bench_loader.py --rows 10000 --runs 3 --no-naive

What is timed, per database, on a freshly generated CSV (``dojo.deals_data``, 50,000 rows by default):

- ``load``: ``katas.deals_api.loader.load_csv(url, path)`` of the reference (``solutions/``) into an
  empty database migrated to head, end to end: parse, validate, normalise, write. Median of ``--runs``
  runs, each on a new database. The issue's target is under 1.5 s.
- ``reload``: the same file loaded again into the loaded database (the upsert path: nothing changes).
- ``naive``: the classic slow answer, written below: row-by-row ORM ``session.add`` of every hotel,
  deal and category link, committing every 1,000 deals. Its ratio to ``load`` is the speed-up.

On PostgreSQL each run gets a new database, ``dojo_bench``, created (and first dropped) on the server
of ``$DOJO_POSTGRES_URL``. Migrations and database resets are outside the timings. It is run by hand, never by the test suite:
timings depend on the machine (record it with the numbers in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from dojo.bench.capstone import naive_orm_load
from dojo.capstone import async_database_url, mask_password
from dojo.curriculum import load as load_curriculum
from dojo.deals_data import DEFAULT_HOTELS, DEFAULT_ROWS, DEFAULT_SEED, write_csv
from dojo.paths import kit_root
from dojo.targets import Target, activate, tree_for
from dojo.workspace import materialize

TARGET_SECONDS = 1.5
BENCH_DATABASE = "dojo_bench"


@dataclass(frozen=True)
class Result:
    database: str
    loads: list[Timing]
    reloads: list[Timing]
    naive: Timing | None

    @property
    def load(self) -> float:
        return statistics.median(t.wall for t in self.loads)

    @property
    def load_cpu(self) -> float:
        return statistics.median(t.cpu for t in self.loads)


def reference(target: Target) -> tuple[Any, Any, Any]:
    """The timed package's loader, migrations and models modules: the reference's, or the learner's."""
    root = kit_root()
    if target == "learner":
        materialize(root, load_curriculum(root))
    activate(tree_for(root, target))
    return (
        importlib.import_module("katas.deals_api.loader"),
        importlib.import_module("katas.deals_api.migrations"),
        importlib.import_module("katas.deals_api.models") if target == "solutions" else None,
    )


async def recreate_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """Drop and create database ``name`` on the server of ``server_url``; return its URL."""
    engine = create_async_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # seconds of this process's CPU: less sensitive to other load on a shared machine


async def timed(step: Awaitable[Any]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    await step
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


async def bench(
    name: str, fresh_url: Callable[[], Awaitable[str]], path: Path, runs: int, naive: bool, target: Target = "solutions"
) -> Result:
    loader, migrations, models = reference(target)
    loads: list[Timing] = []
    reloads: list[Timing] = []
    for run in range(1, runs + 1):
        url = await fresh_url()
        await migrations.upgrade(url)
        loads.append(await timed(loader.load_csv(url, path)))
        reloads.append(await timed(loader.load_csv(url, path)))
        print(f"  {name} run {run}: load {loads[-1].wall:.3f} s (cpu {loads[-1].cpu:.3f} s), reload {reloads[-1].wall:.3f} s", flush=True)
    naive_seconds = None
    if naive:
        url = await fresh_url()
        await migrations.upgrade(url)
        naive_seconds = await timed(naive_orm_load(url, path, models))
        print(f"  {name} naive ORM: {naive_seconds.wall:.3f} s (cpu {naive_seconds.cpu:.3f} s)", flush=True)
    return Result(name, loads, reloads, naive_seconds)


def report(results: list[Result], rows: int, runs: int, load_before: float) -> str:
    lines = [
        f"{rows:,} rows, {runs} runs each; {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine slows the wall-clock numbers)",
        "",
        "| database | load, median (min-max) | load, CPU of this process | reload, median | naive ORM | speed-up | target < 1.5 s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        walls = [t.wall for t in result.loads]
        naive = f"{result.naive.wall:.2f} s" if result.naive is not None else "-"
        ratio = f"{result.naive.wall / result.load:.0f}x" if result.naive is not None else "-"
        verdict = "yes" if result.load < TARGET_SECONDS else "NO"
        lines.append(
            f"| {result.database} | {result.load:.2f} s ({min(walls):.2f}-{max(walls):.2f}) | {result.load_cpu:.2f} s | "
            f"{statistics.median(t.wall for t in result.reloads):.2f} s | {naive} | {ratio} | {verdict} |"
        )
    return "\n".join(lines)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="skip the (slow) naive baseline")
    parser.add_argument("--sqlite-only", action="store_true", help="ignore $DOJO_POSTGRES_URL")
    parser.add_argument(
        "--target",
        choices=("solutions", "learner"),
        default="solutions",
        help="whose loader to time: the reference (default) or yours in katas/deals_api (no naive baseline then)",
    )
    args = parser.parse_args(argv)
    if args.target == "learner":
        args.naive = False  # the baseline writes through the reference's models
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="dojo-bench-") as scratch:
        folder = Path(scratch)
        path = folder / "deals.csv"
        started = time.perf_counter()
        write_csv(path, rows=args.rows, seed=args.seed, hotels=DEFAULT_HOTELS)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.2f} s", flush=True)

        databases = 0

        async def fresh_sqlite() -> str:
            nonlocal databases
            databases += 1
            return f"sqlite+aiosqlite:///{folder / f'bench-{databases}.db'}"

        results = [await bench("SQLite", fresh_sqlite, path, args.runs, args.naive, args.target)]

        postgres = os.environ.get("DOJO_POSTGRES_URL")
        if postgres and not args.sqlite_only:
            postgres_url = async_database_url(postgres)
            print(f"PostgreSQL: a database {BENCH_DATABASE!r} recreated for each run on {mask_password(postgres_url)}", flush=True)

            async def fresh_postgres() -> str:
                return await recreate_database(postgres_url)

            results.append(await bench("PostgreSQL", fresh_postgres, path, args.runs, args.naive, args.target))
        else:
            print("PostgreSQL: skipped (set DOJO_POSTGRES_URL, e.g. eval \"$(uv run dojo pg start)\")", flush=True)

    print()
    print(report(results, args.rows, args.runs, load_before))
    return 0 if all(result.load < TARGET_SECONDS for result in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except NotImplementedError as error:
        sys.exit(f"bench_loader: {error} is not written yet in katas/deals_api (or time the reference: --target solutions)")
