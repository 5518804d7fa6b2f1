"""The deals-API capstone's tooling: data generator, loader command, server. (Placeholder.)"""

from __future__ import annotations

from pathlib import Path

import typer

from dojo.curriculum import Curriculum
from dojo.problems import Problem


def verify_problems(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Capstone-specific checks for `dojo verify`."""
    return []


def register(app: typer.Typer) -> None:
    """Add the capstone commands (`dojo data`, `dojo capstone`, `dojo serve`) to the CLI."""
