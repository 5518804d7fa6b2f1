"""The fuzz suite: schemathesis over the capstone reference, on SQLite and PostgreSQL, and `dojo fuzz`.

The reference must come out with zero failures: every phase (examples, coverage, fuzzing, stateful),
every default check, plus the spec's own (``dojo.fuzz_rules``). Seed fixed, generation deterministic,
examples bounded (``EXAMPLES`` per operation and phase keeps the whole file near half a minute on two
cores). The starter must come out with failures, explained, and a deliberately broken app with its
5xx named and a curl line to reproduce it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url

from dojo import fuzz

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 20
RUN_LIMIT_SECONDS = 300  # a hung run fails with its output instead of hanging CI


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A kit root whose trees are the real ones; `dojo fuzz` writes its SQLite file into tmp_path/.dojo."""
    root = tmp_path / "kit"
    root.mkdir()
    for name in ("solutions", "pristine", "curriculum.toml", "pyproject.toml", "tests"):
        (root / name).symlink_to(ROOT / name)
    return root


def dojo_fuzz(kit: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOJO_ROOT": str(kit), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "dojo", "fuzz", *args],
        cwd=kit, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_SECONDS, check=False,
    )  # fmt: skip


def _admin_dsn() -> str:
    url = make_url(os.environ["DOJO_POSTGRES_URL"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_admin_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    if not os.environ.get("DOJO_POSTGRES_URL"):
        pytest.skip("set DOJO_POSTGRES_URL to fuzz the reference on PostgreSQL")
    name = f"dojo_fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(os.environ["DOJO_POSTGRES_URL"]).set(drivername="postgresql", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def assert_clean(run: subprocess.CompletedProcess[str]) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"the reference must pass the fuzzer:\n{output}"
    assert " 0 unique failures" in output, output
    assert " 0 server errors (5xx)" in output, output
    cases = int(output.split(" cases ·", 1)[0].rsplit("\n", 1)[-1])
    assert cases > 500, f"a run that generated only {cases} cases tested too little:\n{output}"


def test_the_reference_has_no_fuzz_failures_on_sqlite(kit):
    assert_clean(dojo_fuzz(kit, "--target", "solutions", "--max-examples", str(EXAMPLES)))


def test_the_reference_has_no_fuzz_failures_on_postgres(kit, postgres_database):
    run = dojo_fuzz(kit, "--target", "solutions", "--max-examples", str(EXAMPLES), "--database-url", postgres_database)
    assert "postgresql+asyncpg://" in run.stdout, run.stdout
    assert_clean(run)


def test_the_starter_lists_its_failures_grouped_by_cause(kit):
    run = dojo_fuzz(kit, "--target", "pristine", "--max-examples", "3")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "not in your API (or its schema) yet" in output
    assert "- GET /deals: not in /openapi.json" in output
    assert "an error outside the error envelope" in output, "the starter's 405 is FastAPI's {'detail': ...}"
    assert "curl -X" in output, "each failure comes with a curl line"
    assert "http://127.0.0.1:8000/health" in output, "the curl line points at `dojo serve`"
    assert "load_csv is not written yet" in output, "the run says why the database could not be prepared"


def test_an_unknown_target_is_one_line_and_exit_2(kit):
    run = dojo_fuzz(kit, "--target", "mine")
    assert run.returncode == 2
    assert "--target is one of learner, solutions, pristine" in run.stderr
    assert "Traceback" not in run.stderr


def broken_app() -> FastAPI:
    """An API with the classic mistakes: a crash on some ids, and errors outside the envelope."""
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        if item_id % 2 == 0:  # a bug on some inputs (think of a driver error on ids beyond an INTEGER column)
            raise OverflowError("value out of int32 range")
        return {"id": item_id}

    return app


def test_a_crash_is_explained_as_a_5xx_with_a_curl_line():
    report = fuzz.fuzz_app(broken_app(), max_examples=EXAMPLES)
    causes = report.by_cause()
    assert "ServerError" in causes, f"the fuzzer finds the 500: {sorted(causes)}"
    assert report.server_errors >= 1
    crash = causes["ServerError"][0]
    assert crash.operation == "GET /items/{item_id}"
    assert crash.curl is not None, "a crash comes with a curl line"
    assert crash.curl.startswith("curl -X GET http://127.0.0.1:8000/items/")
    assert "EnvelopeMissing" in causes, "errors outside {'error': {...}} are named"
    assert "MissingOperation" in causes, "none of the spec's operations is there"
    explanation = fuzz.CAUSES["ServerError"].explanation
    assert "503 database_unavailable" in explanation
    assert "4xx" in explanation


def test_missing_operations_compares_paths_by_shape_not_parameter_names():
    schema: dict[str, Any] = {"paths": {"/deals/{id}": {"get": {}, "delete": {}}, "/deals": {"get": {}}}}
    missing = fuzz.missing_operations(schema)
    assert not {"GET /deals/{}", "DELETE /deals/{}", "GET /deals"} & set(missing)
    assert {"PATCH /deals/{}", "GET /ready"} <= set(missing)
