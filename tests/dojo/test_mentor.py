"""Mentor comments (dojo/mentor.py): advice after a green check, which can never fail it.

The green path runs end to end in test_cli.py (a real `dojo check` on the miniature kit); these cover
which files are read and what happens when the pack cannot run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from dojo import mentor, rulepack
from dojo.curriculum import Exercise, Kind


def exercise(slug: str, kind: Kind, path: str) -> Exercise:
    return Exercise(
        slug=slug, title=slug, kind=kind, topic="t", difficulty="easy", path=path, tests=(), hints=(), talking_points=()
    )


def test_each_exercise_file_is_read_and_every_file_of_a_package(tmp_path: Path) -> None:
    for relative in ("katas/queue.py", "katas/shop/__init__.py", "katas/shop/routes.py", "reviews/r.py"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x = 1\n", encoding="utf-8")
    chosen = [exercise("queue", "kata", "katas/queue.py"), exercise("round1", "capstone", "katas/shop"),
              exercise("r", "review", "reviews/r.py")]
    files = mentor.files_for(tmp_path, chosen, "learner")
    assert [path.relative_to(tmp_path.resolve()).as_posix() for path in files] == [
        "katas/queue.py", "katas/shop/__init__.py", "katas/shop/routes.py", "reviews/r.py"
    ]


def test_a_pack_that_cannot_run_is_one_dim_line_not_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "katas").mkdir()
    (tmp_path / "katas" / "queue.py").write_text("def f(q: list[int]) -> int:\n    return q.pop(0)\n", encoding="utf-8")

    def broken(files: object) -> list[rulepack.PackFinding]:
        raise rulepack.PackError("ast-grep is not installed")

    monkeypatch.setattr(rulepack, "scan", broken)
    console = Console(record=True, width=200)
    mentor.advise(console, tmp_path, [exercise("queue", "kata", "katas/queue.py")], "learner")
    assert console.export_text().strip() == "No mentor comments this time: ast-grep is not installed"
