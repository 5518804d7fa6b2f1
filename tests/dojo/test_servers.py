"""dojo/servers.py: what `dojo pg` and `dojo redis` share, on real sockets and folders."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from dojo import servers

RECORD = "dojo-test.json"


class Refused(Exception):
    pass


def test_a_port_outside_the_unprivileged_range_is_refused() -> None:
    with pytest.raises(Refused, match="--port must be between 1024 and 65535, not 80"):
        servers.check_port("127.0.0.1", 80, Refused, "dojo pg")


def test_a_port_something_listens_on_is_busy_and_the_message_names_the_stop_command() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert servers.bind_error("127.0.0.1", port) is not None
        with pytest.raises(Refused, match=f"port {port} on 127.0.0.1 is busy: .*`dojo redis stop`"):
            servers.check_port("127.0.0.1", port, Refused, "dojo redis")
    assert servers.bind_error("127.0.0.1", port) is None


def test_a_record_round_trips_and_the_folder_is_reused(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    servers.prepare_folder(folder, RECORD, Refused, "dojo pg")
    servers.write_record(folder, RECORD, 55999, temporary=True)
    servers.prepare_folder(folder, RECORD, Refused, "dojo pg")  # ours: accepted again
    assert servers.read_record(folder, RECORD, Refused, command="dojo pg", noun="cluster", by_hand="x") == (
        folder.resolve(),
        55999,
        True,
    )


def test_somebody_elses_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(Refused, match="is not empty and was not made by `dojo redis start`"):
        servers.prepare_folder(tmp_path, RECORD, Refused, "dojo redis")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    file = tmp_path / "notes.txt"
    with pytest.raises(Refused, match="exists and is not a folder"):
        servers.prepare_folder(file, RECORD, Refused, "dojo redis")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "holds no cluster started by `dojo pg start` \\(no dojo-test.json\\)"),
        ("{not json", "is unreadable .*; stop it by hand"),
        ('{"port": 1}', "is unreadable .*; stop it by hand"),
    ],
    ids=["no-record", "not-json", "missing-key"],
)
def test_a_missing_or_broken_record_is_one_clear_error(tmp_path: Path, content: str | None, expected: str) -> None:
    if content is not None:
        (tmp_path / RECORD).write_text(content, encoding="utf-8")
    with pytest.raises(Refused, match=expected):
        servers.read_record(tmp_path, RECORD, Refused, command="dojo pg", noun="cluster", by_hand="stop it by hand")
    with pytest.raises(Refused, match="does not exist"):
        servers.read_record(tmp_path / "gone", RECORD, Refused, command="dojo pg", noun="cluster", by_hand="")


def test_the_last_line_prefers_the_log_then_stderr_then_stdout(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    assert servers.last_line("", "", None) == "no output"
    assert servers.last_line("err 1\nerr 2\n\n", "out", None) == "err 2"
    assert servers.last_line("", "out 1\nout 2", log) == "out 2"  # no log file yet
    log.write_text("starting\nFATAL: could not bind\n", encoding="utf-8")
    assert servers.last_line("err", "out", log) == "FATAL: could not bind"
