"""A throwaway redis-server for the redis_rate_limiter kata's real-server tests, like ``dojo pg``.

``dojo redis start`` writes a config into a fresh temporary folder (or ``--dir``), starts
``redis-server`` listening on 127.0.0.1 only, with no persistence (no RDB snapshots, no AOF), waits
until it answers PING and prints two lines for the shell to ``eval``::

    eval "$(uv run dojo redis start --port 56379)"
    # export DOJO_REDIS_URL=redis://127.0.0.1:56379/0
    # export DOJO_REDIS_DIR=/tmp/dojo-redis-k2j4
    uv run pytest -m redis_rate_limiter
    uv run dojo redis stop       # stops it (SIGTERM to the pid in its pidfile); a temporary folder is removed

Without it the tests use fakeredis, an embedded Redis; the server adds the multi-worker test and the
real Lua interpreter. The binary comes from ``PATH`` (Debian: ``apt-get install redis-server``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console

from dojo import servers
from dojo.errors import FAILED, DojoError, guard

DEFAULT_PORT: Final = 56379
HOST: Final = "127.0.0.1"
DIR_ENV: Final = "DOJO_REDIS_DIR"
URL_ENV: Final = "DOJO_REDIS_URL"
START_TIMEOUT_SECONDS: Final = 30.0
STOP_TIMEOUT_SECONDS: Final = 30.0
RECORD_FILE: Final = "dojo-redis.json"  # its port and whether stop deletes the folder
CONFIG_FILE: Final = "redis.conf"
PID_FILE: Final = "redis.pid"
LOG_FILE: Final = "redis.log"


class RedisServerError(DojoError, RuntimeError):
    """Something the user can fix (no binary, port busy, unknown folder): one line, no traceback."""

    status = FAILED


@dataclass(frozen=True)
class Server:
    directory: Path
    port: int
    temporary: bool

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        return self.directory / PID_FILE

    @property
    def log_file(self) -> Path:
        return self.directory / LOG_FILE

    def shell_exports(self) -> str:
        """The lines ``dojo redis start`` prints for ``eval``."""
        return f"export {URL_ENV}={shlex.quote(self.url)}\nexport {DIR_ENV}={shlex.quote(str(self.directory))}\n"


def find_binary() -> Path:
    found = shutil.which("redis-server")
    if found is None:
        raise RedisServerError(
            "redis-server was not found on PATH: install it (apt-get install redis-server, brew install redis), "
            "or run one with docker compose up -d redis"
        )
    return Path(found)


def start(port: int = DEFAULT_PORT, directory: Path | None = None) -> Server:
    """Start redis-server on 127.0.0.1:``port`` with its files in ``directory``; return once it answers PING."""
    binary = find_binary()
    servers.check_port(HOST, port, RedisServerError, "dojo redis")
    temporary = directory is None
    folder = Path(tempfile.mkdtemp(prefix="dojo-redis-")) if directory is None else directory.resolve()
    server = Server(folder, port, temporary)
    try:
        _prepare_folder(server)
        if running(server):
            raise RedisServerError(
                f"a server is already running in {folder}: run `dojo redis stop --dir {folder}` first"
            )
        config = [
            f"port {port}", f"bind {HOST}", "protected-mode yes", "daemonize yes",
            f"dir {_quoted(folder)}", f"pidfile {_quoted(server.pid_file)}", f"logfile {_quoted(server.log_file)}",
            'save ""', "appendonly no",
        ]  # fmt: skip
        (folder / CONFIG_FILE).write_text("\n".join(config) + "\n", encoding="utf-8")
        servers.write_record(folder, RECORD_FILE, port, temporary)
        result = subprocess.run(
            [str(binary), str(folder / CONFIG_FILE)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=folder,
        )
        if result.returncode != 0:
            raise RedisServerError(
                f"redis-server failed: {servers.last_line(result.stderr, result.stdout, server.log_file)}"
            )
        wait_until_ready(server)
    except BaseException:
        if temporary:
            _stop_quietly(server)
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def stop(directory: Path) -> Server:
    """Stop the server in ``directory`` by the pid in its pidfile; remove the folder if ``start`` created it."""
    server = open_server(directory)
    pid = _pid(server)
    if pid is not None and _alive(pid):
        os.kill(pid, signal.SIGTERM)  # redis-server shuts down cleanly on SIGTERM (no save: persistence is off)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _alive(pid):
            if time.monotonic() >= deadline:
                raise RedisServerError(f"redis-server (pid {pid}) did not stop within {STOP_TIMEOUT_SECONDS:.0f} s")
            time.sleep(0.05)  # tooling, not a test: a bounded poll
    if server.temporary:
        shutil.rmtree(server.directory, ignore_errors=True)
    return server


def open_server(directory: Path) -> Server:
    """The server ``dojo redis start`` made in ``directory``, read back from its record."""
    folder, port, temporary = servers.read_record(
        directory, RECORD_FILE, RedisServerError, command="dojo redis", noun="server", by_hand="stop the server by hand"
    )
    return Server(folder, port, temporary)


def running(server: Server) -> bool:
    pid = _pid(server)
    return pid is not None and _alive(pid)


def wait_until_ready(server: Server, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll until the server answers PING on 127.0.0.1:``port``, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, server.port), timeout=1.0) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if time.monotonic() >= deadline:
            raise RedisServerError(
                f"redis-server did not answer on {HOST}:{server.port} within {timeout:.0f} s: "
                f"{servers.last_line('', '', server.log_file)}"
            )
        time.sleep(0.05)  # tooling, not a test: a bounded poll


def directory_from_env() -> Path:
    value = os.environ.get(DIR_ENV)
    if not value:
        raise RedisServerError(
            f"which server? pass --dir, or eval the output of `dojo redis start` so ${DIR_ENV} is set"
        )
    return Path(value)


def _prepare_folder(server: Server) -> None:
    servers.prepare_folder(server.directory, RECORD_FILE, RedisServerError, "dojo redis")


def _quoted(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pid(server: Server) -> int | None:
    try:
        return int(server.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own child, not yet reaped) has exited: it answers signal 0 but serves nothing.
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _stop_quietly(server: Server) -> None:
    pid = _pid(server)
    if pid is not None and _alive(pid):
        os.kill(pid, signal.SIGKILL)


# ---- `dojo redis start | stop | status` ----

redis_app = typer.Typer(help="A throwaway redis-server on 127.0.0.1, for redis_rate_limiter.", no_args_is_help=True)
_err = Console(stderr=True, highlight=False)
_out = Console(highlight=False)
DirOption = Annotated[Path | None, typer.Option("--dir", help="the server's folder; default: $DOJO_REDIS_DIR")]


@redis_app.command("start")
def start_command(
    port: Annotated[int, typer.Option(help="the TCP port on 127.0.0.1")] = DEFAULT_PORT,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="keep the server's files here (default: a temporary folder, removed by stop)"),
    ] = None,
) -> None:
    """Start redis-server and print `export` lines: eval "$(dojo redis start)"."""
    server = start(port, directory)
    sys.stdout.write(server.shell_exports())
    sys.stdout.flush()
    _err.print(f"redis-server is up on {HOST}:{port}, folder {server.directory}; `dojo redis stop` ends it")


@redis_app.command("stop")
def stop_command(directory: DirOption = None) -> None:
    """Stop the server; a temporary folder is removed, a --dir one is kept."""
    server = stop(directory or directory_from_env())
    removed = "and removed its folder" if server.temporary else f"(its folder {server.directory} stays)"
    _out.print(f"stopped redis-server on port {server.port} {removed}")


@redis_app.command("status")
def status_command(directory: DirOption = None) -> None:
    """Say whether the server is running (exit 0) or not (exit 1)."""
    server = open_server(directory or directory_from_env())
    up = running(server)
    if not up:
        _out.print(
            f"stopped (folder {server.directory}); `dojo redis start --dir {server.directory} --port {server.port}`"
        )
        raise typer.Exit(1)
    _out.print(f"running: {server.url} (folder {server.directory})")


def register(app: typer.Typer) -> None:
    """Add `dojo redis` to the CLI."""
    app.add_typer(guard(redis_app), name="redis")
