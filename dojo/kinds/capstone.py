"""The capstone: rounds that grow one package (``katas/deals_api``) into a database-backed API.

Its rounds share ``group = "capstone"``, so each builds on the ones before. A check probes PostgreSQL
when ``DOJO_POSTGRES_URL`` is set and names the databases in its header (dojo.capstone); verify adds
the seams, starter and sample-data checks (dojo.capstone) and the reference-in-rounds series
(dojo.capstone_steps); ``dojo solution ROUND`` shows that round's step rather than the finished app.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

from dojo.kinds import ExerciseKind

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.forkserver import ForkServer
    from dojo.problems import Problem


class Capstone(ExerciseKind):
    """The rounds' package is ``katas/deals_api`` (each entry names it as its ``path``): the default folder."""

    name: ClassVar[str] = "capstone"
    heading: ClassVar[str] = "capstone rounds"
    tests_dir: ClassVar[str] = "tests/capstone"
    databases: ClassVar[bool] = True

    def prepare_check(self, root: Path, exercises: Sequence[Exercise], target: str) -> str:
        down = unreachable_postgres()
        if down is not None:
            from dojo.capstone import CapstoneError
            from dojo.errors import FAILED

            raise CapstoneError(down, FAILED)
        return databases_label()

    def check_notes(self, root: Path, exercises: Sequence[Exercise], target: str) -> list[str]:
        from dojo import capstone

        return capstone.check_notes(root, target)

    def verify_problems(
        self, root: Path, curriculum: Curriculum, *, jobs: int, server: ForkServer | None = None
    ) -> list[Problem]:
        from dojo import capstone, capstone_steps

        return capstone.verify_problems(root, curriculum) + capstone_steps.verify_problems(
            root, curriculum, jobs=jobs, server=server
        )

    def show_solution(self, root: Path, curriculum: Curriculum, exercise: Exercise, *, peek: bool, plain: bool) -> bool:
        from dojo.capstone_steps import show_step

        show_step(root, curriculum, exercise, peek=peek, plain=plain)
        return True


KIND = Capstone()


def mask_password(url: str) -> str:
    """The URL with any password replaced by ``***``, for printing."""
    scheme, separator, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{location}"


# ---- the databases a round's tests run on (kept here so a check need not import dojo.capstone) ----

POSTGRES_ENV: Final = "DOJO_POSTGRES_URL"


def _postgres_address(url: str) -> tuple[str, int]:
    from sqlalchemy import make_url

    parsed = make_url(url)
    return parsed.host or "localhost", parsed.port or 5432


def databases_label() -> str:
    """``databases: SQLite and PostgreSQL (127.0.0.1:55432)``, for the header of a capstone check."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        return f"databases: SQLite (set {POSTGRES_ENV} to add PostgreSQL)"
    try:
        host, port = _postgres_address(url)
    except Exception:  # an unparsable URL is reported by unreachable_postgres
        return "databases: SQLite and PostgreSQL"
    return f"databases: SQLite and PostgreSQL ({host}:{port})"


def unreachable_postgres() -> str | None:
    """One line when ``DOJO_POSTGRES_URL`` is set but nothing answers there (a `dojo pg stop` ago, say)."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        return None
    try:
        host, port = _postgres_address(url)
    except Exception:
        return f"{POSTGRES_ENV}={mask_password(url)} is not a database URL: postgresql://USER@HOST:PORT/postgres"
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            f"{POSTGRES_ENV} points at {host}:{port}, where no PostgreSQL answers ({reason}): start one with "
            f'`eval "$(dojo pg start --port {port})"`, or `unset {POSTGRES_ENV}` to run on SQLite alone'
        )
    return None
