"""Many short pytest runs for the price of one interpreter's imports: verify's fork server.

``dojo verify`` starts a fresh pytest for every hand-written mutant and every capstone step, against a
mutated copy of ``solutions/``: some 500 runs, most of them one or a few tests. Each paid again for
starting Python and importing pytest, Hypothesis, FastAPI, pydantic and SQLAlchemy, the same work every
time. The server does that once. Each run is then a ``fork()`` of it, so it starts with those libraries
imported and nothing else: no pytest session, no test module, no exercise code has ever been loaded in
the server, and everything a run imports or starts lives and dies in its own child. Runs are as separate
as separate processes, because they are separate processes.

What differs from ``python -m pytest`` is only what the server fixed when it started: the interpreter,
the hash seed and the ``PYTHON*`` variables read at start-up. A request whose ``PYTHON*`` variables differ
from the server's (other than the two a child can honour: ``PYTHONDONTWRITEBYTECODE`` and
``PYTHONPYCACHEPREFIX``) is refused, and the caller runs a plain subprocess instead. The preloaded
modules must import without a warning (a warning shown once in the server would never be shown to a
run); ``tests/dojo/test_forkserver.py`` holds them to that.

The protocol is one JSON line per connection on a Unix socket: ``{"args", "cwd", "env", "output"}``.
The child runs ``pytest.main(args)`` in ``cwd`` with exactly ``env``, its stdout and stderr written to
the file ``output``, and sends back its exit status as one line. ``{"stop": true}`` ends the server.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Final

# What the exercises' tests import. Only libraries: never the kit's trees, never anything that reads
# the environment or the working directory at import time.
PRELOAD: Final = (
    "pytest",
    "_pytest.python",
    "_pytest.terminal",
    "pytest_asyncio",
    "anyio",
    "hypothesis",
    "hypothesis.stateful",
    "hypothesis.strategies",
    "pydantic",
    "fastapi",
    "fastapi.responses",
    "starlette.applications",
    "httpx",
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "psycopg",
)
CHILD_ENV: Final = frozenset({"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"})
READY: Final = "dojo-forkserver ready"
START_TIMEOUT_SECONDS: Final = 120.0


class ForkServerError(RuntimeError):
    """The server did not start or stopped answering: the caller runs a plain subprocess."""


def _startup_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") and k not in CHILD_ENV}


def preload() -> list[str]:
    """Import PRELOAD; the warnings any of them raised (there must be none), as lines."""
    found: list[str] = []
    for name in PRELOAD:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        found.extend(f"{name}: {w.category.__name__}: {w.message}" for w in caught)
    return found


class ForkServer:
    """A running server (see the module docstring); ``run`` is safe to call from many threads at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._scratch = tempfile.TemporaryDirectory(prefix="dojo-fork-")
        self.socket_path = Path(self._scratch.name) / "server.sock"
        self._env = _startup_env(os.environ)
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> ForkServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "dojo.forkserver", str(self.socket_path)],
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if line != READY:
            rest = self._process.stdout.read() if self._process.poll() is not None else ""
            self.close()
            raise ForkServerError(f"the fork server did not start: {(line + ' ' + rest).strip() or 'no output'}")
        return self

    def accepts(self, env: Mapping[str, str]) -> bool:
        """Can a child of this server stand in for ``python -m pytest`` with this environment?"""
        return self._process is not None and self._process.poll() is None and _startup_env(env) == self._env

    def run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[int, str]:
        """Run ``pytest args`` in a child; its exit status and its output (stdout and stderr together)."""
        if not self.accepts(env):
            raise ForkServerError("this environment needs a fresh interpreter")
        with tempfile.NamedTemporaryFile(prefix="run-", suffix=".out", dir=self._scratch.name) as output:
            request = {"args": list(args), "cwd": str(cwd), "env": dict(env), "output": output.name}
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                    connection.connect(str(self.socket_path))
                    connection.sendall(json.dumps(request).encode() + b"\n")
                    answer = _read_line(connection)
            except OSError as error:
                raise ForkServerError(f"the fork server stopped answering: {error}") from None
            if not answer.lstrip("-").isdigit():
                raise ForkServerError(f"the fork server's child died without an exit status ({answer or 'nothing'})")
            return int(answer), Path(output.name).read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(str(self.socket_path))
                connection.sendall(b'{"stop": true}\n')
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        self._scratch.cleanup()


@contextlib.contextmanager
def running(root: Path) -> Iterator[ForkServer | None]:
    """A started server for the block, or None (with runs falling back to subprocesses) if it cannot start."""
    try:
        server = ForkServer(root).start()
    except (ForkServerError, OSError):
        yield None
        return
    try:
        yield server
    finally:
        server.close()


def _read_line(connection: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()


# ---- the server process: python -m dojo.forkserver SOCKET ----


def _serve(socket_path: str) -> None:
    problems = preload()
    if problems:
        print(f"preloading raised warnings: {'; '.join(problems)}", flush=True)
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(socket_path)
        listener.listen(64)
        print(READY, flush=True)
        while True:
            connection, _ = listener.accept()
            with connection:
                request = json.loads(_read_line(connection) or "{}")
                if request.get("stop") or not request:
                    return
                if os.fork() == 0:
                    listener.close()
                    _child(connection, request)  # never returns
            _reap()


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _keep_quiet_about_preloaded_plugins() -> None:
    """pytest assertion-rewrites the packages of its plugins (hypothesis, anyio, pytest_asyncio) as it
    imports them, and warns, as an error under this kit's ``filterwarnings``, when one was imported
    before it could. In a child they were: by the server. Their own internal asserts are all that goes
    unrewritten, which changes no verdict; the warning stays for every module the server did not load."""
    from _pytest.assertion.rewrite import AssertionRewritingHook

    preloaded = frozenset(sys.modules)
    warn = AssertionRewritingHook._warn_already_imported

    def warn_unless_preloaded(hook: AssertionRewritingHook, name: str) -> None:
        if name not in preloaded:
            warn(hook, name)

    setattr(AssertionRewritingHook, "_warn_already_imported", warn_unless_preloaded)  # noqa: B010


def _child(connection: socket.socket, request: dict[str, object]) -> None:
    status = 70  # EX_SOFTWARE: the child itself broke
    output: IO[str] | None = None
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        cwd = str(request["cwd"])
        env = request["env"]
        args = request["args"]
        if not isinstance(env, dict) or not isinstance(args, list):
            raise TypeError(f"a request needs an env object and an args list, not {request!r}")
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
        sys.pycache_prefix = os.environ.get("PYTHONPYCACHEPREFIX") or None
        sys.path[0] = cwd  # as `python -m pytest` run in cwd would have it
        sys.argv = ["pytest", *map(str, args)]
        output = open(str(request["output"]), "w", encoding="utf-8")  # noqa: SIM115 (lives until os._exit)
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        _keep_quiet_about_preloaded_plugins()
        import pytest

        status = int(pytest.main([str(arg) for arg in args]))
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(OSError):
            connection.sendall(f"{status}\n".encode())
        os._exit(0)


if __name__ == "__main__":
    _serve(sys.argv[1])
