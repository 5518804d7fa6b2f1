"""Help screens as learners expect from click tools: ``--yes`` rather than ``--yes <bool>``.

typer's rich help prints every option's type, and for an on/off flag that is ``<bool>``, which
reads as if the flag took a value. A flag takes none, so its type column stays empty.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_type_column = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx: Any) -> str | None:  # typer's own (vendored) click Context
    return None if self.is_flag else _type_column(self, ctx)


def install() -> None:
    """Apply to every command of the process (idempotent)."""
    TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]
