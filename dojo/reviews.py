"""Code-review exercises: lint grading and answer keys. (Placeholder: filled in by the reviews work.)"""

from __future__ import annotations

from pathlib import Path

import typer

from dojo.curriculum import Curriculum
from dojo.problems import Problem


def verify_problems(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Review-specific checks for `dojo verify` (lint findings match each answer key)."""
    return []


def register(app: typer.Typer) -> None:
    """Add the review commands (`dojo lint`, `dojo answer`) to the CLI."""
