"""Koans: the import system: sys.modules, `from` imports, circular imports, distributions. Time box: 15 minutes.

`import m` looks in the sys.modules cache first, then finds the file on sys.path, runs its body once
and caches the module object. Everything else follows from that. Each function below states one
claim in its docstring and proves it by running code on small modules it writes to a temporary
folder. Fill each blank: a `__` takes the value you predict (`3`, `'text'`, `(True, ['x'])`, a name
such as `ImportError`); change nothing else (the check compares your file with the stub).

Run `dojo check koan_imports`; `dojo hint koan_imports` when stuck.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def scratch_modules(**sources: str) -> Iterator[None]:
    """Write each source to <name>.py in a temporary folder on sys.path; forget the modules afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        for name, source in sources.items():
            (Path(folder) / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        sys.path.insert(0, folder)
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(folder)
            for name in sources:
                sys.modules.pop(name, None)


def test_a_module_body_runs_once_and_later_imports_reuse_it() -> None:
    """The first import runs the module's body; every later import returns the same object from sys.modules."""
    with scratch_modules(koan_counter="runs = []\nruns.append('body ran')\n"):
        first = importlib.import_module("koan_counter")
        second = importlib.import_module("koan_counter")
        assert (first is second, first.runs) == (True, ["body ran"])
        assert (sys.modules["koan_counter"] is first) is True


def test_from_import_copies_the_binding_not_the_variable() -> None:
    """`from m import x` binds a new name to x's current object: rebinding m.x later does not change it."""
    with scratch_modules(koan_flags="debug = False\n"):
        from koan_flags import debug  # type: ignore[import-not-found]

        module: Any = importlib.import_module("koan_flags")
        module.debug = True  # what a test's monkeypatch.setattr(koan_flags, "debug", True) does
        assert (debug, module.debug) == (False, True)


def test_a_circular_from_import_finds_a_half_built_module() -> None:
    """In a cycle, the second module runs while the first is half built: `from a import NAME` fails before NAME exists."""
    with (
        scratch_modules(koan_a="import koan_b\nNAME = 'a'\n", koan_b="from koan_a import NAME\n"),
        pytest.raises(ImportError) as caught,
    ):
        importlib.import_module("koan_a")
    assert ("partially initialized" in str(caught.value)) is True


def test_a_late_attribute_lookup_survives_the_cycle() -> None:
    """`import a` plus `a.NAME` at call time works in a cycle: by the time the function runs, a is complete."""
    later = "import koan_c\n\ndef name() -> str:\n    return koan_c.NAME\n"
    with scratch_modules(koan_c="import koan_d\nNAME = 'c'\n", koan_d=later):
        importlib.import_module("koan_c")
        assert sys.modules["koan_d"].name() == "c"


def test_type_checking_imports_never_run() -> None:
    """typing.TYPE_CHECKING is False at run time: an import under it exists for mypy only, so it cannot close a cycle."""
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import koan_not_a_module\n"
    with scratch_modules(koan_typed=source):
        module = importlib.import_module("koan_typed")
        assert hasattr(module, "koan_not_a_module") is False


def test_you_install_distributions_and_import_modules() -> None:
    """pip and uv install distributions (like npm packages); code imports modules, and the two names can differ."""
    found = importlib.metadata.packages_distributions()
    assert (found["yaml"], found["jwt"]) == (["PyYAML"], ["PyJWT"])
    assert (sys.prefix != sys.base_prefix) is True
