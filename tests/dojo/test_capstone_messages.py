"""One line where the capstone used to print pages: a PostgreSQL that is gone, a deprecated call, a
NOT NULL column left empty, a database behind head; and the check says where to start and which
databases ran. Each is the real command's output, read from a subprocess."""

from __future__ import annotations

import asyncio
import os
import selectors
import shutil
import socket
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import make_url

from dojo.capstone import databases_label, migration_lag
from tests.dojo.conftest import run_dojo
from tests.dojo.test_capstone_serve import stop

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("DOJO_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="set DOJO_POSTGRES_URL (docs/capstone.md, 'Two databases')")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stopped_postgres() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"


def _pytest(tree: Path | None, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *args]
    if tree is not None:
        command.append(f"--dojo-tree={tree}")
    environment = {**os.environ, **(env or {})}
    if env is None or "DOJO_POSTGRES_URL" not in env:
        environment.pop("DOJO_POSTGRES_URL", None)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)


def _reference_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the reference package with one edit: the learner's code, as a test sees it."""
    tree = tmp_path / "tree"
    (tree / "katas").mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / "katas" / "__init__.py", tree / "katas" / "__init__.py")
    shutil.copytree(
        ROOT / "solutions" / "katas" / "deals_api",
        tree / "katas" / "deals_api",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    path = tree / "katas" / "deals_api" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tree


# ---- an unreachable DOJO_POSTGRES_URL ------------------------------------------------------------


def test_check_against_a_stopped_postgres_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    url = _stopped_postgres()
    monkeypatch.setenv("DOJO_POSTGRES_URL", url)
    shown = run_dojo(ROOT, "check", "round1", "--target", "solutions")
    assert shown.returncode == 1
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1, shown.stderr
    assert "no PostgreSQL answers" in lines[0]
    assert "dojo pg start" in lines[0]
    assert "unset DOJO_POSTGRES_URL" in lines[0]
    assert "Traceback" not in shown.stdout + shown.stderr


def test_pytest_against_a_stopped_postgres_stops_at_once_with_one_line() -> None:
    shown = _pytest(
        None,
        "--target=solutions",
        "tests/capstone/test_round1_models.py",
        env={"DOJO_POSTGRES_URL": _stopped_postgres()},
    )
    output = shown.stdout + shown.stderr
    assert shown.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert output.count("no PostgreSQL answers") == 1, output
    assert "ConnectionRefusedError" not in output
    assert len(output.strip().splitlines()) < 6, output


# ---- a deprecation warning raised from the learner's code ------------------------------------------


def test_a_deprecated_call_in_the_app_is_named_with_the_modern_call(tmp_path: Path) -> None:
    tree = _reference_with(
        tmp_path,
        "service.py",
        "    deal = await repository.get_deal(session, deal_id, for_update=for_update)",
        "    (await session.execute(select(Deal.id))).tuples()\n"
        "    deal = await repository.get_deal(session, deal_id, for_update=for_update)",
    )
    service = tree / "katas" / "deals_api" / "service.py"
    service.write_text(
        service.read_text(encoding="utf-8").replace("from pydantic", "from sqlalchemy import select\nfrom pydantic", 1),
        encoding="utf-8",
    )
    shown = _pytest(tree, "tests/capstone/test_round1_models.py::test_detail_returns_one_deal_with_its_hotel")
    assert shown.returncode == 1
    lines = [line for line in shown.stdout.splitlines() if line.startswith("deprecated call in your code")]
    assert len(lines) == 1, shown.stdout
    assert "katas/deals_api/service.py:" in lines[0]
    assert "SADeprecationWarning" in lines[0]
    assert "Result.tuples()" in lines[0]
    assert "a Row is a tuple already" in lines[0], "the line names the modern call"


def test_a_deprecated_call_in_the_loader_is_named_too(tmp_path: Path) -> None:
    tree = _reference_with(
        tmp_path,
        "loader.py",
        '(await connection.exec_driver_sql("SELECT phone, id FROM hotels")).all()',
        '(await connection.exec_driver_sql("SELECT phone, id FROM hotels")).tuples().all()',
    )
    shown = _pytest(tree, "tests/capstone/test_round1_models.py::test_load_csv_normalises_hotels_and_reports_counts")
    assert shown.returncode == 1
    lines = [line for line in shown.stdout.splitlines() if line.startswith("deprecated call in your code")]
    assert len(lines) == 1, shown.stdout
    assert "katas/deals_api/loader.py:" in lines[0]


# ---- a NOT NULL column nobody sets -----------------------------------------------------------------


def test_a_post_that_leaves_created_at_empty_names_the_column(tmp_path: Path) -> None:
    tree = _reference_with(
        tmp_path,
        "alembic/versions/0001_create_hotels_and_deals.py",
        'sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)',
        'sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)',
    )
    shown = _pytest(
        tree, "tests/capstone/test_round2_writes_edges.py::test_post_sets_created_at_to_the_moment_of_creation"
    )
    assert shown.returncode == 1
    assert "the database refused a row without deals.created_at (NOT NULL)" in shown.stdout, shown.stdout
    assert "server_default" in shown.stdout


# ---- where to start, which databases ---------------------------------------------------------------


@pytest.fixture
def starter_kit(tmp_path: Path) -> Path:
    """A kit whose learner package is the untouched starter."""
    root = tmp_path / "kit"
    root.mkdir()
    for name in ("solutions", "pristine", "tests", "curriculum.toml", "pyproject.toml", "conftest.py", "dojo"):
        (root / name).symlink_to(ROOT / name)
    (root / "katas").mkdir()
    shutil.copyfile(ROOT / "pristine" / "katas" / "__init__.py", root / "katas" / "__init__.py")
    shutil.copytree(ROOT / "pristine" / "katas" / "deals_api", root / "katas" / "deals_api")
    return root


def test_the_starters_check_says_to_start_with_the_migration_and_names_its_databases(starter_kit: Path) -> None:
    shown = run_dojo(starter_kit, "check", "round1")
    assert shown.returncode == 1
    assert "start with the migration" in shown.stdout, shown.stdout[-2000:]
    assert "alembic/versions/ has none yet" in shown.stdout
    header = shown.stdout.splitlines()[0]
    if POSTGRES:
        host, port = make_url(POSTGRES).host, make_url(POSTGRES).port
        assert f"databases: SQLite and PostgreSQL ({host}:{port})" in header, header
    else:
        assert "databases: SQLite (set DOJO_POSTGRES_URL" in header, header


def test_the_databases_label_names_each_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOJO_POSTGRES_URL", raising=False)
    assert databases_label() == "databases: SQLite (set DOJO_POSTGRES_URL to add PostgreSQL)"
    monkeypatch.setenv("DOJO_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5999/postgres")
    assert databases_label() == "databases: SQLite and PostgreSQL (127.0.0.1:5999)"


# ---- a database behind head ------------------------------------------------------------------------


def _sqlite_at(path: Path, revision: str | None) -> str:
    with sqlite3.connect(path) as connection:
        if revision is not None:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    return f"sqlite+aiosqlite:///{path}"


def test_a_database_behind_head_is_one_line_on_sqlite(tmp_path: Path) -> None:
    reference = ROOT / "solutions"
    assert migration_lag(reference, _sqlite_at(tmp_path / "head.db", "0004")) is None
    behind = migration_lag(reference, _sqlite_at(tmp_path / "old.db", "0002"))
    assert behind is not None
    assert "is at revision 0002, behind head 0004" in behind
    assert "migrations upgrade" in behind
    empty = migration_lag(reference, _sqlite_at(tmp_path / "empty.db", None))
    assert empty is not None
    assert "has no migration applied" in empty
    assert not (tmp_path / "missing.db").exists()
    assert "has no migration applied" in (
        migration_lag(reference, f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}") or ""
    )
    assert not (tmp_path / "missing.db").exists(), "looking must not create the database"


@needs_postgres
def test_a_database_behind_head_is_one_line_on_postgres() -> None:
    assert POSTGRES is not None
    name = f"dojo_lag_{uuid.uuid4().hex[:8]}"
    admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)
    database = make_url(POSTGRES).set(drivername="postgresql", database=name).render_as_string(hide_password=False)

    async def prepare() -> None:
        connection = await asyncpg.connect(admin)
        await connection.execute(f"CREATE DATABASE {name}")
        await connection.close()
        connection = await asyncpg.connect(database)
        await connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        await connection.execute("INSERT INTO alembic_version VALUES ('0003')")
        await connection.close()

    async def drop() -> None:
        connection = await asyncpg.connect(admin)
        await connection.execute(f"DROP DATABASE IF EXISTS {name}")
        await connection.close()

    asyncio.run(prepare())
    try:
        url = (
            make_url(POSTGRES).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
        )
        lag = migration_lag(ROOT / "solutions", url)
    finally:
        asyncio.run(drop())
    assert lag is not None
    assert "is at revision 0003, behind head 0004" in lag


def test_serve_on_a_database_behind_head_warns_in_one_line(tmp_path: Path) -> None:
    url = _sqlite_at(tmp_path / "old.db", "0002")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "dojo",
        "serve",
        "--target",
        "solutions",
        "--database-url",
        url,
        "--port",
        str(port),
    ]
    env = {**os.environ, "DOJO_ROOT": str(ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = b""
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"Swagger UI" not in output:
                if not selector.select(timeout=120):
                    pytest.fail("dojo serve printed nothing:\n" + output.decode(errors="replace"))
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
    finally:
        stop(process)
    text = output.decode(errors="replace")
    warnings = [line for line in text.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, text
    assert "is at revision 0002, behind head 0004" in warnings[0]
