"""Apps under uvicorn on loopback, and a pooled client that sends them a fixed list of requests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx

from dojo.bench.harness import Contender, Kind, Run

CONCURRENCY = 8  # requests in flight at once


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def uvicorn_server(app: str, tree: Path, database_url: str) -> AsyncIterator[str]:
    """``app`` (a factory, ``module:function``) served by uvicorn in a child process on loopback; yields its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", app, "--app-dir", str(tree), "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "PYTHONDONTWRITEBYTECODE": "1"}
    # Its output goes to a file, not a pipe: a pipe nobody reads would stall the server once full.
    with tempfile.TemporaryFile() as log:
        server = await asyncio.create_subprocess_exec(*command, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            await _wait_until_up(server, base, log)
            yield base
        finally:
            if server.returncode is None:
                server.terminate()
                try:
                    await asyncio.wait_for(server.wait(), timeout=10)
                except TimeoutError:
                    server.kill()
                    await server.wait()


async def _wait_until_up(server: asyncio.subprocess.Process, base: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if server.returncode is not None:
                log.seek(0)
                problem = log.read().decode(errors="replace").strip().splitlines()
                raise RuntimeError(f"uvicorn exited: {problem[-1] if problem else server.returncode}")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer on {base} within 30 s")


def get_requests(base: str, paths: list[str], note: str, row: str, kind: Kind) -> Contender:
    """GET every path, CONCURRENCY at a time, through one pooled client; every answer must be a 200.

    The client and the server's pool are warmed up first, untimed, with one request per connection.
    """

    async def prepare() -> Run:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        client = httpx.AsyncClient(base_url=base, limits=limits, timeout=60)

        async def get_all(queue: Iterator[str]) -> None:
            async def worker() -> None:
                for path in queue:
                    response = await client.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:200]}")

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

        await get_all(iter(paths[:1] * CONCURRENCY))

        async def run() -> None:
            try:
                await get_all(iter(paths))
            finally:
                await client.aclose()

        return run

    return Contender(row, kind, prepare, note=note)
