"""The reference solution as a diff against the learner's files, readable at any width.

A wrapped diff line that loses its ``+``/``-`` reads as context, so long lines are folded here, each
piece keeping the line's marker, instead of being left to the terminal.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from dojo.curriculum import Exercise
from dojo.paths import solutions_root
from dojo.workspace import files_in, pristine_files


def solution_diff(root: Path, exercise: Exercise) -> list[str]:
    """Unified diff lines from the learner's files to the reference; empty when they match."""
    reference_tree = solutions_root(root)
    # The stub's files and the reference's: a package's reference has modules the starter does not.
    files = sorted(set(pristine_files(root, exercise)) | set(files_in(reference_tree, exercise)))
    lines: list[str] = []
    for rel in files:
        reference = reference_tree / rel
        if not reference.is_file():
            continue
        mine = root / rel
        theirs = reference.read_text(encoding="utf-8").splitlines()
        ours = mine.read_text(encoding="utf-8").splitlines() if mine.is_file() else []
        lines.extend(difflib.unified_diff(ours, theirs, f"yours/{rel}", f"reference/{rel}", lineterm=""))
    return lines


def fold(line: str, width: int) -> list[str]:
    """One diff line cut into pieces of at most ``width`` columns, each starting with the line's marker."""
    if len(line) <= width or width < 8 or line.startswith(("---", "+++", "@@")):
        return [line]
    marker, body = (line[0], line[1:]) if line[:1] in "+- " else (" ", line)
    room = width - 2  # the marker and a continuation sign
    pieces = [body[i : i + room] for i in range(0, len(body), room)]
    return [f"{marker}{pieces[0]}", *(f"{marker}↪{piece}" for piece in pieces[1:])]
