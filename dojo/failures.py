"""A failing test as a learner should read it: the test's own message first, then where, nothing else.

pytest's report of a Hypothesis state machine is thirty lines of library frames before the one line
that explains the bug. Here a failure is: the message (what the test expected), the lines of the
test and of the learner's file that were running (never a library's), and Hypothesis's example,
folded to the terminal's width and cut at a fixed number of lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dojo.commands import command
from dojo.paths import LEARNER_PACKAGES

MAX_LINES = 15
WIDTH = 80


def _relative(path: Path, base: Path) -> str | None:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None


def _message(error: BaseException) -> list[str]:
    text = str(error).strip()
    if isinstance(error, AssertionError):
        return text.splitlines() or ["assertion failed"]
    first, *rest = text.splitlines() or [""]
    return [f"{type(error).__name__}: {first}".rstrip(": "), *rest]


def _frames(excinfo: pytest.ExceptionInfo[BaseException], root: Path, tree: Path) -> list[str]:
    """``at FILE:LINE in NAME: source`` for the frames in the kit's tests and the learner's files."""
    lines: list[str] = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        rel = _relative(path, tree)
        mine = rel is not None and rel.split("/", 1)[0] in LEARNER_PACKAGES
        if not mine:
            rel = _relative(path, root)
            if rel is None or not rel.startswith("tests/"):
                continue  # a library's frame: pytest, Hypothesis, asyncio, SQLAlchemy...
        try:
            source = str(entry.statement).strip().splitlines()[0]
        except (IndexError, OSError):
            source = ""
        lines.append(f"at {rel}:{entry.lineno + 1} in {entry.name}: {source}".rstrip(": "))
    return lines


def fitted(*pieces: str, width: int = WIDTH) -> str:
    """The pieces joined by `` · ``, as many to a line as fit in ``width``; a later line is indented by
    four, and a piece is wrapped only when it is wider than a line itself (never a command in it)."""
    indent = "    "
    lines: list[str] = []
    for piece in pieces:
        joined = f"{lines[-1]} · {piece}" if lines else piece
        if lines and len(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(indent + piece if lines else piece)
    folded: list[str] = []
    for line in lines:
        folded.extend(
            textwrap.wrap(line, width=width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
        )
    return "\n".join(folded)


def learner_failure(
    excinfo: pytest.ExceptionInfo[BaseException],
    root: Path,
    tree: Path,
    slug: str | None,
    width: int = WIDTH,
    max_lines: int = MAX_LINES,
) -> str:
    error = excinfo.value
    notes = [str(note) for note in getattr(error, "__notes__", ())]
    logical = [*_message(error), *_frames(excinfo, root, tree), *(line for note in notes for line in note.splitlines())]
    lines: list[str] = []
    for line in logical:
        lines.extend(
            textwrap.wrap(line, width=width, subsequent_indent="    ", drop_whitespace=False, break_on_hyphens=False)
            or [""]
        )
    if len(lines) > max_lines:
        more = len(lines) - (max_lines - 1)
        everything = command(f"check {slug} --full") if slug else "pytest --tb=long"
        lines = [*lines[: max_lines - 1], f"… {more} more lines: {everything}"]
    return "\n".join(line.rstrip() for line in lines)
