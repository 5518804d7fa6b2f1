"""The capstone's tooling: `dojo data`, `dojo capstone load`, `dojo pg`, and the capstone's verify checks."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dojo import capstone, deals_data, pg
from dojo.curriculum import load as load_curriculum

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / deals_data.SAMPLE_PATH
BROKEN = ROOT / "tests/capstone/data/deals_negative_price.csv"
# Ports this module may use for its throwaway server (CI's own server is on 55432).
TEST_PORTS = range(55437, 55440)


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    capstone.register(app)
    return app


def invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args))


# ---- dojo data deals ---------------------------------------------------------------------------


def test_data_deals_writes_the_generators_file(cli, tmp_path):
    out = tmp_path / "deals.csv"
    result = invoke(cli, "data", "deals", "--rows", "60", "--seed", "5", "--hotels", "12", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 60 deals (12 hotels, seed 5)" in result.output
    expected = tmp_path / "expected.csv"
    deals_data.write_csv(expected, rows=60, seed=5, hotels=12)
    assert out.read_bytes() == expected.read_bytes()


def test_data_deals_refuses_to_overwrite_without_force(cli, tmp_path):
    out = tmp_path / "deals.csv"
    out.write_text("precious\n", encoding="utf-8")
    refused = invoke(cli, "data", "deals", "--rows", "3", "--out", str(out))
    assert refused.exit_code == 2
    assert "already exists" in refused.output
    assert "--force" in refused.output
    assert "Traceback" not in refused.output
    assert out.read_text(encoding="utf-8") == "precious\n", "the existing file must be left alone"

    forced = invoke(cli, "data", "deals", "--rows", "3", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("id,hotel_name,")


def test_data_deals_into_a_missing_folder_is_one_line_and_exit_2(cli, tmp_path):
    result = invoke(cli, "data", "deals", "--rows", "3", "--out", str(tmp_path / "nowhere" / "deals.csv"))
    assert result.exit_code == 2
    assert "no folder" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


# ---- dojo capstone load: bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "pristine"], "--target must be one of learner, solutions"),
        (["--database-url", "not-a-url", "--target", "solutions"], "is not a database URL"),
    ],
    ids=["unknown-target", "bad-url"],
)
def test_load_rejects_bad_options_in_one_line(cli, args, message, monkeypatch):
    monkeypatch.setattr(capstone, "load_seams", fake_seams)
    result = invoke(cli, "capstone", "load", str(SAMPLE), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_load_of_a_missing_file_says_how_to_make_one(cli, tmp_path):
    result = invoke(cli, "capstone", "load", str(tmp_path / "deals.csv"), "--target", "solutions")
    assert result.exit_code == 2
    assert "dojo data deals" in result.output


class FakeLoadError(Exception):
    def __init__(self, line: int | None, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


@dataclasses.dataclass(frozen=True)
class FakeReport:
    hotels: int
    deals: int


class FakeSettings:
    def __init__(self, database_url: str = "sqlite+aiosqlite:///./deals.db") -> None:
        self.database_url = database_url


def fake_seams(root: Path, target: str, *, fail_at: int | None = None) -> capstone.Seams:
    calls: list[str] = []

    async def upgrade(database_url: str) -> None:
        calls.append(f"upgrade {database_url}")

    async def load_csv(database_url: str, path: Path) -> FakeReport:
        calls.append(f"load {database_url} {path.name}")
        if fail_at is not None:
            raise FakeLoadError(fail_at, "price_per_night", "-92.39 must be greater than 0")
        return FakeReport(hotels=40, deals=400)

    return capstone.Seams(FakeSettings, lambda settings: None, upgrade, load_csv, FakeLoadError)


def test_load_migrates_then_loads_and_prints_the_report(cli, monkeypatch):
    seen: list[capstone.Seams] = []

    def record(root: Path, target: str) -> capstone.Seams:
        seen.append(fake_seams(root, target))
        return seen[-1]

    monkeypatch.setattr(capstone, "load_seams", record)
    result = invoke(cli, "capstone", "load", str(SAMPLE), "--database-url", "postgresql://u:secret@db/deals")
    assert result.exit_code == 0, result.output
    assert "hotels=40, deals=400" in result.output
    assert "secret" not in result.output, "the password must not be printed"


def test_a_load_error_names_line_column_and_reason_and_exits_1(cli, monkeypatch):
    monkeypatch.setattr(capstone, "load_seams", lambda root, target: fake_seams(root, target, fail_at=27))
    result = invoke(cli, "capstone", "load", str(BROKEN), "--target", "solutions")
    assert result.exit_code == 1
    assert "line 27, column price_per_night: -92.39 must be greater than 0" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:55432/postgres", "postgresql+asyncpg://postgres@127.0.0.1:55432/postgres"),
        ("postgres://u:p@host/db", "postgresql+asyncpg://u:p@host/db"),
        ("postgresql+asyncpg://u@host/db", "postgresql+asyncpg://u@host/db"),
        ("sqlite:///./deals.db", "sqlite+aiosqlite:///./deals.db"),
        ("sqlite+aiosqlite:///./deals.db", "sqlite+aiosqlite:///./deals.db"),
    ],
    ids=["postgresql", "postgres", "already-async", "sqlite", "aiosqlite"],
)
def test_plain_database_urls_get_the_async_driver(url, expected):
    assert capstone.async_database_url(url) == expected


def test_passwords_are_masked_for_printing():
    assert capstone.mask_password("postgresql+asyncpg://app:s3cr3t@db:5432/deals") == "postgresql+asyncpg://app:***@db:5432/deals"
    assert capstone.mask_password("sqlite+aiosqlite:///./deals.db") == "sqlite+aiosqlite:///./deals.db"


def test_an_unfinished_stub_is_described_as_not_written_yet():
    try:
        raise NotImplementedError("load_csv")
    except NotImplementedError as error:
        described = capstone.describe_exception(error)
    assert described.startswith("load_csv is not written yet")
    assert "--target solutions" in described


# ---- the capstone's verify checks ---------------------------------------------------------------


def write_fake_kit(root: Path) -> None:
    """A kit with every round, seam modules in both trees, an empty starter versions folder."""
    entries = [
        f'[[exercise]]\nslug = "round{number}"\ntitle = "Round {number}"\nkind = "capstone"\ntopic = "api"\n'
        f'difficulty = "hard"\npath = "katas/deals_api"\ngroup = "capstone"\nhints = ["h"]\ntalking_points = ["t"]\n'
        for number in range(1, len(capstone.ROUNDS) + 1)
    ]
    (root / "curriculum.toml").write_text("\n".join(entries), encoding="utf-8")
    for tree in ("pristine", "solutions"):
        package = root / tree / "katas" / "deals_api"
        (package / "alembic" / "versions").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "config.py").write_text("class Settings: ...\n", encoding="utf-8")
        (package / "main.py").write_text("def create_app(settings=None): ...\n", encoding="utf-8")
        (package / "migrations.py").write_text("async def upgrade(u, r='head'): ...\nasync def downgrade(u, r='base'): ...\n", encoding="utf-8")
        (package / "loader.py").write_text("class LoadError(Exception): ...\nasync def load_csv(u, p): ...\n", encoding="utf-8")
    (root / "solutions/katas/deals_api/alembic/versions/0001_create.py").write_text("", encoding="utf-8")
    tests = root / "tests" / "capstone"
    tests.mkdir(parents=True)
    for number in range(1, len(capstone.ROUNDS) + 1):
        (tests / f"test_round{number}.py").write_text("from katas.deals_api.main import create_app\n", encoding="utf-8")
    deals_data.write_sample(root)


def problems_of(root: Path) -> list[str]:
    return [problem.message for problem in capstone.verify_problems(root, load_curriculum(root))]


def test_a_complete_capstone_has_no_problems(tmp_path):
    write_fake_kit(tmp_path)
    assert problems_of(tmp_path) == []


def test_verify_catches_a_sample_that_drifted_from_the_generator(tmp_path):
    write_fake_kit(tmp_path)
    sample = tmp_path / deals_data.SAMPLE_PATH
    sample.write_text(sample.read_text(encoding="utf-8").replace(",true,", ",false,", 1), encoding="utf-8")
    assert any("differs from the generator" in message for message in problems_of(tmp_path))


def test_verify_catches_a_migration_shipped_in_the_starter(tmp_path):
    write_fake_kit(tmp_path)
    (tmp_path / "pristine/katas/deals_api/alembic/versions/0001_create.py").write_text("", encoding="utf-8")
    assert any("must be empty in the starter" in message for message in problems_of(tmp_path))


def test_verify_catches_a_round_test_that_imports_past_the_seams(tmp_path):
    write_fake_kit(tmp_path)
    (tmp_path / "tests/capstone/test_round3.py").write_text("from katas.deals_api.models import Deal\n", encoding="utf-8")
    messages = problems_of(tmp_path)
    assert any("test_round3.py:1 imports katas.deals_api.models" in message for message in messages), messages


def test_verify_catches_a_missing_seam(tmp_path):
    write_fake_kit(tmp_path)
    (tmp_path / "pristine/katas/deals_api/loader.py").write_text("async def load_csv(u, p): ...\n", encoding="utf-8")
    assert any("lacks LoadError" in message for message in problems_of(tmp_path))


def test_verify_catches_rounds_out_of_order(tmp_path):
    write_fake_kit(tmp_path)
    manifest = tmp_path / "curriculum.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"round2"', '"roundx"').replace('"round3"', '"round2"').replace('"roundx"', '"round3"'), encoding="utf-8")
    assert any("in this order" in message for message in problems_of(tmp_path))


# ---- dojo pg ------------------------------------------------------------------------------------


def free_test_port() -> int:
    for port in TEST_PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((pg.HOST, port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {TEST_PORTS}")


@pytest.fixture
def postgres_binaries() -> pg.Binaries:
    try:
        return pg.find_binaries()
    except pg.PgError as error:
        pytest.skip(str(error))


async def select_one(url: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        value: int = await connection.fetchval("SELECT 1")
    finally:
        await connection.close()
    return value


def test_pg_start_serves_connections_and_stop_removes_its_folder(cli, postgres_binaries):
    port = free_test_port()
    started = invoke(cli, "pg", "start", "--port", str(port))
    assert started.exit_code == 0, started.output
    exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if line.startswith("export "))
    folder = Path(exports[pg.DIR_ENV])
    try:
        assert exports[pg.URL_ENV] == f"postgresql://postgres@127.0.0.1:{port}/postgres"
        assert asyncio.run(select_one(exports[pg.URL_ENV])) == 1
        assert invoke(cli, "pg", "status", "--dir", str(folder)).exit_code == 0
        busy = invoke(cli, "pg", "start", "--port", str(port))
        assert busy.exit_code == 1
        assert f"port {port}" in busy.output
    finally:
        stopped = invoke(cli, "pg", "stop", "--dir", str(folder))
    assert stopped.exit_code == 0, stopped.output
    assert not folder.exists(), "stop removes the temporary folder"


def test_pg_stop_without_a_folder_says_how_to_name_one(cli, monkeypatch):
    monkeypatch.delenv(pg.DIR_ENV, raising=False)
    result = invoke(cli, "pg", "stop")
    assert result.exit_code == 1
    assert "--dir" in result.output


# ---- end to end, with the reference package (in a child process: it swaps the `katas` tree) -----


def run_dojo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOJO_ROOT": str(ROOT)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "from dojo.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(not (ROOT / "solutions/katas/deals_api/loader.py").is_file(), reason="no reference loader yet")
def test_load_runs_the_reference_migrations_and_loader_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'deals.db'}"
    loaded = run_dojo("capstone", "load", str(SAMPLE), "--target", "solutions", "--database-url", url, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "hotels=40, deals=400" in loaded.stdout
