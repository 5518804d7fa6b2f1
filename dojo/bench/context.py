"""What a benchmark run knows: the kit, whose code it times, how big the work is, the libraries to hand."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

from dojo.bench.harness import Contender, Kind, Run
from dojo.paths import solutions_root

BenchTarget = Literal["learner", "solutions"]
BENCH_TARGETS: tuple[BenchTarget, ...] = ("learner", "solutions")
SEED = 2024
EXTRA = "bench"  # the optional dependency group in pyproject.toml


@dataclass(frozen=True)
class Context:
    root: Path
    target: BenchTarget
    scale: float = 1.0
    postgres_url: str | None = None
    seed: int = SEED

    def trees(self) -> list[tuple[str, Kind, Path]]:
        """(row name, kind, tree) of the code to time: yours first when timing yours, then the reference."""
        mine: list[tuple[str, Kind, Path]] = [("yours", "learner", self.root)] if self.target == "learner" else []
        return [*mine, ("reference", "reference", solutions_root(self.root))]

    def katas(self, name: str) -> list[tuple[str, Kind, ModuleType]]:
        """The kata module ``katas/<name>.py`` of each tree, imported under a private name."""
        return [
            (row, kind, load_file(tree / "katas" / f"{name}.py", f"dojo_bench_{kind}_{name}"))
            for row, kind, tree in self.trees()
        ]


def load_file(path: Path, name: str) -> ModuleType:
    """Import one file as module ``name`` (kept in sys.modules: dataclasses look their module up there)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def library(name: str) -> ModuleType | None:
    """The installed library ``name``, or None (the alternatives are an optional extra)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def install_hint() -> str:
    """The one command that installs the libraries `dojo bench` compares against."""
    if os.environ.get("UV"):
        return f"uv sync --extra {EXTRA}"
    return f"pip install -e '.[{EXTRA}]'"


def unavailable(name: str, kind: Kind, package: str) -> Contender:
    """A contender whose library is missing: shown with the install line, never timed."""

    async def prepare() -> Run:
        raise RuntimeError(f"{package} is not installed")

    return Contender(name, kind, prepare, missing=package)
