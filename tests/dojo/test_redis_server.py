"""`dojo redis start | status | stop`: a throwaway redis-server on loopback, as `dojo pg` is for PostgreSQL."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import redis
import typer
from typer.testing import CliRunner

from dojo import redis_server


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    redis_server.register(app)
    return app


@pytest.fixture
def redis_binary() -> Path:
    try:
        return redis_server.find_binary()
    except redis_server.RedisServerError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI installs redis-server (.ci/run): {error}")
        pytest.skip(str(error))


def invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((redis_server.HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def test_redis_start_serves_and_stop_removes_its_folder(cli, redis_binary):
    port = free_port()
    started = invoke(cli, "redis", "start", "--port", str(port))
    assert started.exit_code == 0, started.output
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if line.startswith("export ")
    )
    folder = Path(exports[redis_server.DIR_ENV])
    try:
        assert exports[redis_server.URL_ENV] == f"redis://127.0.0.1:{port}/0"
        with redis.Redis.from_url(exports[redis_server.URL_ENV]) as client:
            assert client.ping()
            assert client.config_get("save") == {"save": ""}, "a throwaway server keeps nothing on disk"
        assert invoke(cli, "redis", "status", "--dir", str(folder)).exit_code == 0
        busy = invoke(cli, "redis", "start", "--port", str(port))
        assert busy.exit_code == 1
        assert f"port {port}" in " ".join(busy.output.split())
    finally:
        stopped = invoke(cli, "redis", "stop", "--dir", str(folder))
    assert stopped.exit_code == 0, stopped.output
    assert not folder.exists(), "stop removes the temporary folder"


def test_redis_stop_keeps_a_named_folder_and_status_says_stopped(cli, redis_binary, tmp_path):
    folder = tmp_path / "redis"
    started = invoke(cli, "redis", "start", "--port", str(free_port()), "--dir", str(folder))
    assert started.exit_code == 0, started.output
    stopped = invoke(cli, "redis", "stop", "--dir", str(folder))
    assert stopped.exit_code == 0, stopped.output
    assert folder.is_dir(), "a --dir folder is the user's: stop keeps it"
    status = invoke(cli, "redis", "status", "--dir", str(folder))
    assert status.exit_code == 1
    assert "stopped" in status.output


def test_redis_stop_without_a_folder_says_how_to_name_one(cli, monkeypatch):
    monkeypatch.delenv(redis_server.DIR_ENV, raising=False)
    result = invoke(cli, "redis", "stop")
    assert result.exit_code == 1
    assert "--dir" in result.output


def test_redis_start_refuses_a_folder_it_did_not_make(cli, redis_binary, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke(cli, "redis", "start", "--port", str(free_port()), "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "not empty" in " ".join(result.output.split()), result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
