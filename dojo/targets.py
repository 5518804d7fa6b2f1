"""Targets: which tree's ``katas`` and ``reviews`` packages the tests import.

Every tree (the learner's root, ``pristine/``, ``solutions/``) holds packages with the same names, so
a test imports ``from katas.lru_cache import LRUCache`` whatever it runs against: activating a target
puts that tree first on ``sys.path`` and forgets any exercise module imported from another tree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final, Literal

from dojo.paths import LEARNER_PACKAGES, pristine_root, solutions_root

Target = Literal["learner", "solutions", "pristine"]
TARGETS: Final[tuple[Target, ...]] = ("learner", "solutions", "pristine")
DEFAULT_TARGET: Final[Target] = "learner"
ENV_VAR: Final = "DOJO_TARGET"


def tree_for(root: Path, target: Target) -> Path:
    if target == "solutions":
        return solutions_root(root)
    if target == "pristine":
        return pristine_root(root)
    return root


def activate(tree: Path) -> None:
    """Make ``import katas...``/``import reviews...`` load from ``tree`` in this process."""
    resolved = tree.resolve()
    for name, module in list(sys.modules.items()):
        if name.split(".", 1)[0] not in LEARNER_PACKAGES:
            continue
        # Modules already loaded from this very tree stay: a process that runs pytest several times
        # (mutmut does) must keep one copy of each class, or pydantic and isinstance see two.
        origin = getattr(module, "__file__", None)
        if origin is None or not Path(origin).resolve().is_relative_to(resolved):
            del sys.modules[name]
    entry = str(tree)
    while entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)


def check_active(tree: Path) -> None:
    """Fail loudly if an exercise package still resolves to another tree (a stray sys.path entry)."""
    import importlib

    for package in LEARNER_PACKAGES:
        if not (tree / package / "__init__.py").is_file():
            continue
        module = importlib.import_module(package)
        origin = Path(module.__file__ or "").resolve().parent.parent
        if origin != tree.resolve():
            raise RuntimeError(f"'{package}' was imported from {origin}, expected {tree}")
