"""`dojo serve --fresh`: the reference app on a freshly generated data set, served by uvicorn on loopback."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300
# A safety net for a server that never comes up: the test fails with its output instead of hanging.
STARTUP_LIMIT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A kit root whose trees are the real ones, so `--fresh` writes its data set into tmp_path/.dojo."""
    root = tmp_path / "kit"
    root.mkdir()
    for name in ("solutions", "pristine", "curriculum.toml", "pyproject.toml"):
        (root / name).symlink_to(ROOT / name)
    return root


@pytest.fixture
def server(kit: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    command = [sys.executable, "-m", "dojo", "serve", "--target", "solutions", "--fresh", "--rows", str(ROWS), "--port", str(port)]
    env = {**os.environ, "DOJO_ROOT": str(kit), "NO_COLOR": "1"}
    process = subprocess.Popen(command, cwd=kit, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = b""
    # Raw reads: a buffered readline() could hold the line we wait for where select() cannot see it.
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"Uvicorn running on" not in output:
            if not selector.select(timeout=STARTUP_LIMIT_SECONDS):
                stop(process)
                pytest.fail("dojo serve did not start:\n" + output.decode(errors="replace"))
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                stop(process)
                pytest.fail(f"dojo serve exited with {process.returncode}:\n" + output.decode(errors="replace"))
            output += chunk
    try:
        yield f"http://127.0.0.1:{port}", kit
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT first (uvicorn shuts down gracefully, as on Ctrl-C), then kill; always reap and close the pipe."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def test_serve_fresh_generates_loads_and_serves_the_reference_over_http(server: tuple[str, Path]) -> None:
    base_url, kit = server
    with httpx.Client(base_url=base_url) as client:
        assert client.get("/health").json() == {"status": "ok"}
        page = client.get("/deals", params={"limit": 5}).json()
        assert page["total"] == ROWS, "every generated deal was loaded"
        assert len(page["items"]) == 5
        assert {"id", "hotel", "price_per_night", "categories"} <= set(page["items"][0])
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
    assert (kit / ".dojo" / "capstone" / f"deals-{ROWS}-2024.csv").is_file(), "the data set is kept for next time"


def test_serve_refuses_a_busy_port_in_one_line(kit: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "dojo", "serve", "--target", "solutions", "--port", str(port)],
            cwd=kit,
            env={**os.environ, "DOJO_ROOT": str(kit), "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
    assert completed.returncode == 2
    assert "already in use" in completed.stderr
    assert "--port" in completed.stderr
    assert "Traceback" not in completed.stderr
