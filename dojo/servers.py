"""What `dojo pg` and `dojo redis` share: a throwaway server's folder, its port and its failures.

Each server lives in one folder that holds a JSON record of how it was started (its port, and whether
``stop`` deletes the folder because ``start`` made it). A folder that is not empty and has no record is
somebody else's, and is refused. Errors are the caller's own class (``PgError``, ``RedisServerError``),
so each command keeps its one-line messages.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path


def bind_error(host: str, port: int) -> OSError | None:
    """Why a server could not listen on ``host:port`` right now, or None if it could."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like PostgreSQL and uvicorn: a port whose last connections linger in TIME_WAIT is free to listen on.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def check_port(host: str, port: int, error: type[Exception], command: str) -> None:
    """Refuse a port outside 1024-65535 or one already taken; ``command`` is e.g. ``dojo pg``."""
    if not 1024 <= port <= 65535:
        raise error(f"--port must be between 1024 and 65535, not {port}")
    if bind_error(host, port) is not None:
        raise error(f"port {port} on {host} is busy: pick another with --port, or `{command} stop` the old server")


def prepare_folder(folder: Path, record_file: str, error: type[Exception], command: str) -> None:
    """Create ``folder`` unless it is a file, or a non-empty folder that ``command start`` did not make."""
    if folder.exists() and not folder.is_dir():
        raise error(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / record_file).is_file():
        raise error(f"{folder} is not empty and was not made by `{command} start`: use a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)


def write_record(folder: Path, record_file: str, port: int, temporary: bool) -> None:
    record = {"port": port, "temporary": temporary}
    (folder / record_file).write_text(json.dumps(record) + "\n", encoding="utf-8")


def read_record(
    directory: Path, record_file: str, error: type[Exception], *, command: str, noun: str, by_hand: str
) -> tuple[Path, int, bool]:
    """The folder (resolved), port and ``temporary`` flag that ``command start`` recorded in ``directory``.

    ``noun`` names what runs there ("cluster", "server"); ``by_hand`` says how to stop it when the record
    cannot be read."""
    record_path = directory / record_file
    if not directory.is_dir():
        raise error(f"{directory} does not exist: no server there (stop removes a temporary server's folder)")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        return directory.resolve(), int(record["port"]), bool(record["temporary"])
    except FileNotFoundError:
        raise error(f"{directory} holds no {noun} started by `{command} start` (no {record_file})") from None
    except (OSError, ValueError, KeyError, TypeError) as problem:
        raise error(f"{record_path} is unreadable ({problem}); {by_hand}") from None


def last_line(stderr: str, stdout: str, log: Path | None) -> str:
    """The most useful line of a failure: the server log's last line if there is one, else the tool's."""
    texts = [stderr, stdout]
    if log is not None and log.is_file():
        texts.insert(0, log.read_text(encoding="utf-8", errors="replace"))
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            return lines[-1]
    return "no output"
