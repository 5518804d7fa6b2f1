"""Where the kit lives on disk, and the three trees the same tests can run against.

The kit is a checkout: ``curriculum.toml`` sits at its root beside three trees that share one layout
(``katas/...``, ``reviews/...``):

- the learner tree is the root itself: ``katas/`` and ``reviews/`` are the learner's working files;
- ``pristine/`` holds the untouched stubs (what ``dojo reset`` restores; never edit it to practise);
- ``solutions/`` holds the reference answers.

``DOJO_ROOT`` points the tooling at another checkout (the kit's own tests use it on a copy).
"""

from __future__ import annotations

import os
from pathlib import Path

from dojo.errors import DojoError
from dojo.kinds import learner_folders

CURRICULUM_FILE = "curriculum.toml"
LEARNER_PACKAGES = learner_folders()  # ("katas", "reviews"): every exercise kind's folder
STATE_DIR = ".dojo"


class KitNotFoundError(DojoError, RuntimeError):
    """The folder given as the kit's root has no curriculum.toml."""


def kit_root() -> Path:
    """The checkout's root folder: ``$DOJO_ROOT`` or the folder holding this package."""
    configured = os.environ.get("DOJO_ROOT")
    root = Path(configured).resolve() if configured else Path(__file__).resolve().parent.parent
    if not (root / CURRICULUM_FILE).is_file():
        hint = "DOJO_ROOT" if configured else "the dojo package's parent folder"
        raise KitNotFoundError(f"no {CURRICULUM_FILE} in {root} ({hint}); run dojo from a Backend Dojo checkout")
    return root


def pristine_root(root: Path) -> Path:
    return root / "pristine"


def solutions_root(root: Path) -> Path:
    return root / "solutions"


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def dojo_command() -> str:
    """How the user can run dojo from their shell, for the commands our messages suggest.

    ``uv run dojo`` when uv started us (uv sets $UV; its PATH holds the venv only for this run);
    ``dojo`` when this environment's script is on PATH (an activated venv, a pip install); else
    ``python -m dojo``.
    """
    import shutil
    import sys

    if os.environ.get("UV"):
        return "uv run dojo"
    found = shutil.which("dojo")
    if found and Path(found).resolve().is_relative_to(Path(sys.prefix).resolve()):
        return "dojo"
    return "python -m dojo"
