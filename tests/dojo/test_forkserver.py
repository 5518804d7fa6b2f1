"""dojo/forkserver.py: a run forked from the server is judged exactly as a fresh ``python -m pytest``.

Each test compares the two on a miniature kit: the same outcomes, the same isolation between runs,
and a plain subprocess whenever the server cannot stand in for one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dojo import forkserver
from dojo.runner import RunResult, run_pytest
from tests.dojo.conftest import write

PROBES = """
import os
import subprocess
import sys

import probe_state
from katas.adder import add


def test_adds():
    assert add(2, 3) == 5


def test_fails_on_purpose():
    assert add(1, 1) == 3


def test_sees_the_requested_environment_and_folder():
    assert os.environ.get("DOJO_PROBE") == "seen"
    assert os.environ.get("DOJO_NOT_SENT") is None
    assert os.getcwd() == os.environ["DOJO_PROBE_CWD"]


def test_its_own_subprocesses_report_their_exit_status():
    assert subprocess.run([sys.executable, "-c", "raise SystemExit(3)"], check=False).returncode == 3


def test_says_which_interpreter_ran_it():
    main = sys.modules["__main__"]
    with open(os.environ["DOJO_PROBE_MAIN"], "w") as record:
        record.write(main.__spec__.name if main.__spec__ else "?")


def test_module_state_starts_fresh():
    assert probe_state.touched == [], "state left behind by an earlier run"
    probe_state.touched.append("this run")
"""


@pytest.fixture
def probe_kit(mini_kit: Path) -> Path:
    write(mini_kit / "tests" / "katas" / "test_adder.py", PROBES)
    write(mini_kit / "tests" / "katas" / "probe_state.py", "touched: list[str] = []\n")
    write(
        mini_kit / "tests" / "katas" / "conftest.py",
        "import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parent))\n",
    )
    return mini_kit


@pytest.fixture
def server(probe_kit: Path) -> Iterator[forkserver.ForkServer]:
    with forkserver.running(probe_kit) as started:
        assert started is not None, "the fork server did not start"
        yield started


def _outcomes(result: RunResult) -> dict[str, str]:
    return {test.nodeid.rsplit("::", 1)[1]: test.outcome for test in result.tests}


def _run(root: Path, server: forkserver.ForkServer | None) -> RunResult:
    env = {"DOJO_PROBE": "seen", "DOJO_PROBE_CWD": str(root), "DOJO_PROBE_MAIN": str(root / "main.txt")}
    os.environ.pop("DOJO_NOT_SENT", None)
    return run_pytest(root, ["-q", "tests/katas/test_adder.py"], target="solutions", extra_env=env, server=server)


def _ran_in(root: Path) -> str:
    return (root / "main.txt").read_text(encoding="utf-8")


EXPECTED = {
    "test_adds": "passed",
    "test_fails_on_purpose": "failed",
    "test_sees_the_requested_environment_and_folder": "passed",
    "test_its_own_subprocesses_report_their_exit_status": "passed",
    "test_says_which_interpreter_ran_it": "passed",
    "test_module_state_starts_fresh": "passed",
}


def test_the_preloaded_libraries_import_without_a_warning() -> None:
    # A warning raised once in the server would never reach a run: there must be none to hide.
    code = "from dojo.forkserver import preload; import sys; sys.exit('; '.join(preload()) or 0)"
    completed = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr or completed.stdout


def test_a_forked_run_gives_the_outcomes_of_a_fresh_interpreter(probe_kit: Path, server: forkserver.ForkServer) -> None:
    fresh = _run(probe_kit, None)
    assert _ran_in(probe_kit) == "pytest.__main__"
    forked = _run(probe_kit, server)
    assert _ran_in(probe_kit) == "dojo.forkserver", "the run did not go through the server"
    assert _outcomes(fresh) == EXPECTED
    assert _outcomes(forked) == EXPECTED
    assert forked.exitstatus == fresh.exitstatus == 1
    assert "1 failed, 5 passed" in forked.output


def test_runs_share_nothing_but_the_preloaded_libraries(probe_kit: Path, server: forkserver.ForkServer) -> None:
    # Each run appends to a module-level list and insists it starts empty: a second run would fail.
    assert [_outcomes(_run(probe_kit, server)) for _ in range(3)] == [EXPECTED] * 3
    assert _ran_in(probe_kit) == "dojo.forkserver"


def test_an_environment_the_server_cannot_honour_gets_a_fresh_interpreter(
    probe_kit: Path, server: forkserver.ForkServer
) -> None:
    assert server.accepts(dict(os.environ))
    changed = {**os.environ, "PYTHONHASHSEED": "12345"}  # fixed when an interpreter starts
    assert not server.accepts(changed)
    with pytest.raises(forkserver.ForkServerError):
        server.run(["-q"], probe_kit, changed)
    assert server.accepts({**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}), "a child can honour this one"


def test_a_dead_server_falls_back_to_a_subprocess(probe_kit: Path, server: forkserver.ForkServer) -> None:
    process = server._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _outcomes(_run(probe_kit, server)) == EXPECTED
    assert _ran_in(probe_kit) == "pytest.__main__"
