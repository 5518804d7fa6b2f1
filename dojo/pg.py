"""A throwaway PostgreSQL server for the capstone's tests and for learners without Docker.

``dojo pg start`` initialises a cluster (``initdb -A trust -U postgres``) in a fresh temporary folder,
or in ``--dir``, starts it listening on 127.0.0.1 only (its Unix socket stays inside that folder),
waits until it accepts connections and prints two lines for the shell to ``eval``::

    eval "$(uv run dojo pg start --port 55432)"
    # export DOJO_POSTGRES_URL=postgresql://postgres@127.0.0.1:55432/postgres
    # export DOJO_PG_DIR=/tmp/dojo-pg-k2j4
    uv run pytest -m capstone
    uv run dojo pg stop          # stops it; a temporary folder is removed, a --dir is kept

It is a development server: no password (trust on 127.0.0.1), and unless ``durable=True`` it turns
``fsync`` off, which is fine for data you can regenerate in a second and wrong for anything else.
PostgreSQL refuses to run as root, so as root every server command runs as the ``postgres`` user
(``runuser -u postgres --``), which gets the folder. The binaries come from ``PATH``, or else from the
newest ``/usr/lib/postgresql/<version>/bin`` (Debian and Ubuntu's layout).
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dojo import servers
from dojo.errors import FAILED, DojoError

DEFAULT_PORT: Final = 55432
HOST: Final = "127.0.0.1"
SUPERUSER: Final = "postgres"
SERVER_USER: Final = "postgres"  # who runs the server when we are root
DIR_ENV: Final = "DOJO_PG_DIR"
URL_ENV: Final = "DOJO_POSTGRES_URL"
START_TIMEOUT_SECONDS: Final = 60.0
COMMAND_TIMEOUT_SECONDS: Final = 120.0
SEARCH_DIRS: Final = "/usr/lib/postgresql/*/bin"
RECORD_FILE: Final = "dojo-pg.json"  # written into the cluster's folder: its port and whether to delete it
DATA_SUBDIR: Final = "data"
LOG_FILE: Final = "postgres.log"
_SOCKET_PATH_LIMIT: Final = 100  # sun_path is 108 bytes on Linux; leave room for "/.s.PGSQL.NNNNN"


class PgError(DojoError, RuntimeError):
    """Something the user can fix (no binaries, port busy, unknown folder): one line, no traceback."""

    status = FAILED


@dataclass(frozen=True)
class Binaries:
    initdb: Path
    pg_ctl: Path


@dataclass(frozen=True)
class Cluster:
    """A cluster's folder: ``data/`` (the cluster), ``postgres.log``, the socket and ``dojo-pg.json``."""

    directory: Path
    port: int
    temporary: bool

    @property
    def data_dir(self) -> Path:
        return self.directory / DATA_SUBDIR

    @property
    def log_file(self) -> Path:
        return self.directory / LOG_FILE

    @property
    def url(self) -> str:
        return database_url(self.port)

    def shell_exports(self) -> str:
        """The lines ``dojo pg start`` prints for ``eval``."""
        return f"export {URL_ENV}={shlex.quote(self.url)}\nexport {DIR_ENV}={shlex.quote(str(self.directory))}\n"


def database_url(port: int) -> str:
    return f"postgresql://{SUPERUSER}@{HOST}:{port}/postgres"


def find_binaries() -> Binaries:
    """``initdb`` and ``pg_ctl`` from PATH, else from the newest /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if on_path[0] and on_path[1]:
        return Binaries(Path(on_path[0]), Path(on_path[1]))
    for bin_dir in sorted(glob.glob(SEARCH_DIRS), key=_version_key, reverse=True):
        initdb, pg_ctl = Path(bin_dir, "initdb"), Path(bin_dir, "pg_ctl")
        if initdb.is_file() and pg_ctl.is_file():
            return Binaries(initdb, pg_ctl)
    raise PgError(
        "PostgreSQL's initdb and pg_ctl were not found on PATH or in /usr/lib/postgresql/*/bin: "
        "install PostgreSQL 15 (apt install postgresql-15), or use docker compose up -d"
    )


def _version_key(bin_dir: str) -> tuple[int, ...]:
    version = Path(bin_dir).parent.name  # /usr/lib/postgresql/15/bin -> "15"
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def start(port: int = DEFAULT_PORT, directory: Path | None = None, *, durable: bool = False) -> Cluster:
    """Initialise (if needed) and start a cluster; return once it accepts connections on ``port``."""
    binaries = find_binaries()
    servers.check_port(HOST, port, PgError, "dojo pg")
    temporary = directory is None
    folder = Path(tempfile.mkdtemp(prefix="dojo-pg-")) if directory is None else directory.resolve()
    try:
        cluster = Cluster(folder, port, temporary)
        _prepare_folder(cluster)
        if running(cluster):
            raise PgError(f"a server is already running in {folder}: run `dojo pg stop --dir {folder}` first")
        if not (cluster.data_dir / "PG_VERSION").is_file():
            _run(
                [str(binaries.initdb), "-D", str(cluster.data_dir), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                 "--locale=C", "--no-sync"],
                what="initdb",
            )  # fmt: skip
        servers.write_record(folder, RECORD_FILE, port, temporary)
        options = ["-p", str(port), "-h", HOST, "-k", str(folder)]
        if not durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        _run(
            [str(binaries.pg_ctl), "start", "-D", str(cluster.data_dir), "-l", str(cluster.log_file), "-w",
             "-t", str(int(START_TIMEOUT_SECONDS)), "-o", shlex.join(options)],
            what="pg_ctl start",
            log=cluster.log_file,
        )  # fmt: skip
        wait_until_ready(port)
    except BaseException:
        if temporary:
            _stop_quietly(binaries, folder)
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def stop(directory: Path) -> Cluster:
    """Stop the cluster in ``directory`` (fast shutdown); remove the folder if ``start`` created it."""
    cluster = open_cluster(directory)
    if running(cluster):
        _run([str(find_binaries().pg_ctl), "stop", "-D", str(cluster.data_dir), "-m", "fast", "-w"], what="pg_ctl stop")
    if cluster.temporary:
        shutil.rmtree(cluster.directory, ignore_errors=True)
    return cluster


def open_cluster(directory: Path) -> Cluster:
    """The cluster ``dojo pg start`` made in ``directory``, read back from its record."""
    folder, port, temporary = servers.read_record(
        directory,
        RECORD_FILE,
        PgError,
        command="dojo pg",
        noun="cluster",
        by_hand="stop the server with pg_ctl by hand",
    )
    return Cluster(folder, port, temporary)


def running(cluster: Cluster) -> bool:
    """True when the cluster's postmaster is alive (``pg_ctl status``)."""
    if not (cluster.data_dir / "PG_VERSION").is_file():
        return False
    result = _run(
        [str(find_binaries().pg_ctl), "status", "-D", str(cluster.data_dir)], what="pg_ctl status", check=False
    )
    return result.returncode == 0


def wait_until_ready(port: int, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll until something accepts TCP connections on 127.0.0.1:``port``, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise PgError(
                    f"PostgreSQL did not accept connections on {HOST}:{port} within {timeout:.0f} s"
                ) from None
            time.sleep(0.1)  # tooling, not a test: a bounded poll


def directory_from_env() -> Path:
    """The cluster folder of the current shell (``$DOJO_PG_DIR``, exported by ``eval "$(dojo pg start)"``)."""
    value = os.environ.get(DIR_ENV)
    if not value:
        raise PgError(f"which server? pass --dir, or eval the output of `dojo pg start` so ${DIR_ENV} is set")
    return Path(value)


def _prepare_folder(cluster: Cluster) -> None:
    folder = cluster.directory
    if len(str(folder)) > _SOCKET_PATH_LIMIT:
        raise PgError(f"{folder} is too long a path for PostgreSQL's socket: use a shorter --dir")
    servers.prepare_folder(folder, RECORD_FILE, PgError, "dojo pg")
    if _as_root():
        server = _server_user()
        os.chown(folder, server.pw_uid, server.pw_gid)


def _as_root() -> bool:
    return os.geteuid() == 0


def _server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PgError(f"PostgreSQL will not run as root and there is no '{SERVER_USER}' user to run it as") from None


def _run(
    command: Sequence[str], *, what: str, check: bool = True, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool (as the ``postgres`` user when we are root); a PgError with its last line on failure."""
    if _as_root():
        _server_user()
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False, cwd="/"
        )
    except subprocess.TimeoutExpired:
        raise PgError(f"{what} did not finish within {COMMAND_TIMEOUT_SECONDS:.0f} s") from None
    if check and result.returncode != 0:
        raise PgError(f"{what} failed: {servers.last_line(result.stderr, result.stdout, log)}")
    return result


def _stop_quietly(binaries: Binaries, folder: Path) -> None:
    data_dir = folder / DATA_SUBDIR
    if (data_dir / "postmaster.pid").is_file():
        _run(
            [str(binaries.pg_ctl), "stop", "-D", str(data_dir), "-m", "immediate", "-w"],
            what="pg_ctl stop",
            check=False,
        )
