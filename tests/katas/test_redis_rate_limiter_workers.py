"""redis_rate_limiter under several processes: `uvicorn --workers 3` on loopback, in-memory vs Redis.

The in-memory bucket lives in each worker, so a client that reaches two workers gets two buckets; the
Redis bucket is one for all of them. This needs a real redis-server (the workers are separate
processes, and fakeredis lives inside one): it runs when ``DOJO_REDIS_URL`` is set, which CI always
does (and under ``CI=true`` verify fails on a skipped test). Mutant runs drop the variable, like
PostgreSQL's, so this test does not start servers once per mutant.

Deterministic: the refill is one token every 10,000 s, so none arrives during the test; the loops are
bounded; readiness is the workers' own "Application startup complete." lines, read from uvicorn's log
through a pipe with a deadline; nothing sleeps.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest
import redis

import katas.redis_rate_limiter
from tests.katas.redis_rate_limiter_support import (
    BURST_ENV,
    PID_HEADER,
    PREFIX_ENV,
    RATE_ENV,
    REDIS_ENV,
)

WORKERS = 3
BURST = 5
RATE = 0.0001  # one token every 10,000 s: no refill while the test runs
MAX_REQUESTS = 120  # enough for a kernel that spreads connections over 3 workers to reach 2 of them
START_SECONDS = 60.0
KIT_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not os.environ.get(REDIS_ENV),
    reason='runs uvicorn --workers 3 against a real redis-server: eval "$(uv run dojo redis start)" first',
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextmanager
def uvicorn_workers(prefix: str) -> Iterator[str]:
    """Serve the kata's app (both limiters) under `uvicorn --workers 3`; yield its URL once every worker started."""
    tree = Path(katas.redis_rate_limiter.__file__).resolve().parents[1]  # the tree this run tests
    port = free_port()
    env = {
        **os.environ,
        # `python -m` and uvicorn's --app-dir both put the working folder first on sys.path: run in the tree
        # under test, so `katas` is its, and find `tests` (this kit's) through PYTHONPATH.
        "PYTHONPATH": os.pathsep.join([str(tree), str(KIT_ROOT)]),
        PREFIX_ENV: prefix,
        RATE_ENV: str(RATE),
        BURST_ENV: str(BURST),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.katas.redis_rate_limiter_support:create_worker_app",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert server.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(server.stderr, lines), daemon=True).start()
    log: list[str] = []
    ready = False
    try:
        started = 0
        deadline = time.monotonic() + START_SECONDS  # a bound on the wait, not a timing: nothing asserts on it
        while started < WORKERS:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"uvicorn's workers did not start within {START_SECONDS:.0f} s:\n{''.join(log)}")
            if line is None:
                pytest.fail(f"uvicorn exited with {server.wait()} before its workers started:\n{''.join(log)}")
            log.append(line)
            # A worker that cannot build the app dies, and uvicorn's supervisor would start another forever.
            if line.startswith("Traceback") or " died" in line:
                _read_traceback(lines, log)
                pytest.fail(f"a uvicorn worker could not start the app:\n{''.join(log[-40:])}")
            started += "Application startup complete." in line
        ready = True
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(server, graceful=ready)


def _read_traceback(lines: queue.Queue[str | None], log: list[str]) -> None:
    """The rest of a worker's traceback: up to its last line (the exception), at most 200 lines or 10 s."""
    for _ in range(200):
        try:
            line = lines.get(timeout=10)
        except queue.Empty:
            return
        if line is None:
            return
        log.append(line)
        if line[:1].isalpha() and ("Error" in line or "Exception" in line):
            return


def _stop(server: subprocess.Popen[str], *, graceful: bool) -> None:
    """SIGTERM the uvicorn parent (it stops its workers), then SIGKILL its process group if it hangs.

    A server whose workers never started (they keep dying and being restarted) goes straight to SIGKILL.
    """
    if server.poll() is None:
        if graceful:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30 if graceful else 0)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group uvicorn leads (start_new_session): it and its workers
            server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):  # a worker the parent left behind: the group is ours alone
        os.killpg(server.pid, signal.SIGKILL)
    if server.stderr is not None:
        server.stderr.close()


def hammer(base_url: str) -> tuple[int, set[str], list[int]]:
    """Fresh connections, one request each, until 2 workers have answered (and > BURST requests went out)."""
    pids: set[str] = set()
    statuses: list[int] = []
    # max_keepalive_connections=0: every request opens a new connection, which any worker may accept.
    with httpx.Client(base_url=base_url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        for _ in range(MAX_REQUESTS):
            response = client.get("/ping")
            statuses.append(response.status_code)
            pids.add(response.headers.get(PID_HEADER, "?"))
            if len(pids) >= 2 and len(statuses) > BURST:
                break
    return statuses.count(200), pids, statuses


def test_in_memory_buckets_multiply_the_limit_by_the_workers_and_redis_holds_it():
    prefix = f"dojo-workers-{uuid.uuid4().hex[:12]}"
    try:
        with uvicorn_workers(prefix) as url:
            memory = hammer(url + "/memory")
            shared = hammer(url + "/redis")
    finally:
        with redis.Redis.from_url(os.environ[REDIS_ENV]) as client:
            leftover = list(client.scan_iter(match=f"{prefix}:*"))
            if leftover:
                client.delete(*leftover)
    for name, (_, pids, statuses) in {"in-memory": memory, "Redis": shared}.items():
        assert set(statuses) <= {200, 429}, f"only 200 or 429 expected from the {name} app, got {statuses}"
        assert len(pids) >= 2, f"{len(statuses)} fresh connections to the {name} app reached only the workers {pids}"
    allowed, pids, statuses = memory
    assert allowed > BURST, (
        f"control: with in-memory buckets and {len(pids)} workers answering, more than burst={BURST} requests "
        f"should get through (each worker has its own bucket), got {allowed}: {statuses}"
    )
    allowed, pids, statuses = shared
    assert allowed == BURST, (
        f"with the Redis bucket shared by {len(pids)} workers, exactly burst={BURST} requests should get "
        f"through, got {allowed}: {statuses}"
    )
