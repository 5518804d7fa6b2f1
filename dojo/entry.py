"""The ``dojo`` command's entry point (and ``python -m dojo``'s).

``dojo check SLUG [--target T] [--full]``, the command a learner runs after every save, goes straight
to dojo.checking: importing the whole CLI (typer and the pydantic it builds parameters with, Markdown,
every other command) would cost more than the tests of a small kata take to run. Every other command
line, ``--help`` included, goes to the typer app in dojo.cli, and so does a check whose input is
wrong, so that every error reads the same whichever way it came.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NamedTuple


class QuickCheck(NamedTuple):
    slug: str
    target: str
    full: bool


def quick_check(argv: Sequence[str]) -> QuickCheck | None:
    """``argv`` as a plain check (``check SLUG``, ``--target T`` or ``--target=T``, ``--full``), or None."""
    if not argv or argv[0] != "check":
        return None
    slug: str | None = None
    target = "learner"
    full = False
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        if word == "--full":
            full = True
        elif word == "--target" and rest:
            target = rest.pop(0)
        elif word.startswith("--target="):
            target = word.removeprefix("--target=")
        elif word.startswith("-") or slug is not None:
            return None  # --help, -h, an unknown option, a second slug: the typer app answers
        else:
            slug = word
    return QuickCheck(slug, target, full) if slug is not None else None


def _run_quick(asked: QuickCheck) -> int | None:
    """The check's exit status, or None when its input needs the full CLI's answer."""
    from dojo.curriculum import CurriculumError
    from dojo.curriculum import load as load_curriculum
    from dojo.paths import KitNotFoundError, kit_root
    from dojo.targets import TARGETS

    if asked.target not in TARGETS:
        return None
    try:
        root = kit_root()
        curriculum = load_curriculum(root)
        selected = curriculum.select(asked.slug)
    except (CurriculumError, KitNotFoundError):
        return None
    from dojo.checking import run_check
    from dojo.errors import DojoError, exit_status, render

    try:
        return run_check(root, curriculum, selected, asked.target, full=asked.full, once=True)
    except (DojoError, OSError) as error:  # as every other command says it (dojo.errors)
        render(error)
        return exit_status(error)


def main() -> None:
    asked = quick_check(sys.argv[1:])
    if asked is not None:
        status = _run_quick(asked)
        if status is not None:
            sys.exit(status)
    from dojo.cli import main as full_cli

    full_cli()
