"""An exercise's brief, as the interviewer states it, and the lines that describe it."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from rich.console import Group
from rich.markup import escape

from dojo.commands import typed
from dojo.curriculum import Exercise
from dojo.layout import Hanging
from dojo.paths import pristine_root
from dojo.readme import readme_section


def brief(root: Path, exercise: Exercise) -> str:
    """The stub's module docstring, or for a package exercise (the capstone) the README section whose
    heading names it ("## Round 3: filters" for round3); commands in it run as typed."""
    stub = pristine_root(root) / exercise.path
    if stub.is_dir():
        section = readme_section(stub / "README.md", exercise.slug)
        if section:
            return typed(section)
    source = stub / "__init__.py" if stub.is_dir() else stub
    try:
        doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8")))
    except (OSError, SyntaxError):
        doc = None
    return typed(doc or exercise.title)


def describe(exercise: Exercise) -> str:
    """``kata · data structures · easy · 20 min``."""
    parts = [exercise.kind, exercise.topic, exercise.difficulty]
    if exercise.timebox_minutes:
        parts.append(f"{exercise.timebox_minutes} min")
    return " · ".join(parts)


def bullets(points: Sequence[str], marker: str = "•") -> Group:
    """Points with a hanging indent: a wrapped line starts under the text, not under the bullet, and
    no line is padded out to the terminal's width (dojo.layout)."""
    return Group(*(Hanging(f"  {escape(marker)} ", escape(typed(point))) for point in points))
