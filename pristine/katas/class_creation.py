"""Class creation: a plugin registry and a docstring-enforcing metaclass (kata, ~25 min).

"Exporters register themselves just by being defined:

    class CsvExporter(Plugin, name="csv"): ...
    Plugin.get("csv")          # -> CsvExporter

Build that with `__init_subclass__`, then build a metaclass that refuses undocumented public methods.
Which of the two tools would you reach for first, and why?"

Plugin (`__init_subclass__`):
- A subclass declared with `name=` is stored in `Plugin.registry[name]` and gets `plugin_name = name`.
- A subclass without `name=` is a base (e.g. an abstract `Exporter`): not registered.
- A name already taken raises ValueError naming both classes; an empty name raises TypeError naming
  the class.
- Other class keywords are passed on to `super().__init_subclass__`, so other bases still get theirs.
- `Plugin.get(name)` returns the class, or raises KeyError naming it and listing the known names,
  sorted and comma-separated: "no plugin named 'yaml' (known: csv, xml)".

DocumentedMeta (a metaclass):
- Creating a class with a public method (a function, classmethod or staticmethod whose name does not
  start with "_") that has no docstring raises TypeError naming it: "Report.render is public and
  needs a docstring". Private and dunder methods are exempt.
- Class keywords still reach `__init_subclass__`: `class X(Plugin, metaclass=DocumentedMeta, name="x")`.

Why `__init_subclass__` first: a class has exactly one metaclass. Mix a base using DocumentedMeta with
one using ABCMeta (or SQLAlchemy's or Pydantic's metaclass) and Python stops with "metaclass conflict".
`__init_subclass__` is an ordinary classmethod hook: it composes with any metaclass.

Run `dojo check class_creation`; `dojo hint class_creation` when stuck.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Plugin:
    registry: ClassVar[dict[str, type[Plugin]]] = {}
    plugin_name: ClassVar[str | None] = None

    def __init_subclass__(cls, *, name: str | None = None, **kwargs: Any) -> None:
        raise NotImplementedError("Plugin.__init_subclass__")  # TODO

    @classmethod
    def get(cls, name: str) -> type[Plugin]:
        raise NotImplementedError("Plugin.get")  # TODO


class DocumentedMeta(type):
    def __new__(
        mcs, class_name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any
    ) -> DocumentedMeta:
        raise NotImplementedError("DocumentedMeta.__new__")  # TODO
