"""Class creation hooks: a plugin registry with ``__init_subclass__`` and a docstring-enforcing metaclass.

``__init_subclass__`` is an ordinary (implicit) classmethod that runs on the parent whenever a
subclass is created, receiving the class keywords (``class Csv(Plugin, name="csv")``). It composes
through ``super()`` like any method. A metaclass does more (it can rewrite the namespace before the
class exists) but a class can only have one metaclass: combine two bases whose metaclasses are
unrelated (ABCMeta, a framework's) and Python refuses with "metaclass conflict".
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar


class Plugin:
    """Subclass with ``name=...`` to register; a subclass without a name is a base and is not registered."""

    registry: ClassVar[dict[str, type[Plugin]]] = {}
    plugin_name: ClassVar[str | None] = None

    def __init_subclass__(cls, *, name: str | None = None, **kwargs: Any) -> None:
        # Pass the other keywords on: another base in the MRO may define its own.
        super().__init_subclass__(**kwargs)
        if name is None:
            return
        if not isinstance(name, str) or not name:
            raise TypeError(f"{cls.__qualname__}: a plugin name must be a non-empty string, got {name!r}")
        taken_by = Plugin.registry.get(name)
        if taken_by is not None:
            raise ValueError(
                f"plugin name {name!r} is already taken by {taken_by.__module__}.{taken_by.__qualname__}; "
                f"{cls.__module__}.{cls.__qualname__} needs another"
            )
        cls.plugin_name = name
        Plugin.registry[name] = cls

    @classmethod
    def get(cls, name: str) -> type[Plugin]:
        try:
            return Plugin.registry[name]
        except KeyError:
            known = ", ".join(sorted(Plugin.registry)) or "none registered"
            raise KeyError(f"no plugin named {name!r} (known: {known})") from None


class DocumentedMeta(type):
    """Refuses to create a class whose public methods (name not starting with '_') lack a docstring."""

    # Positional-only parameters: class keywords arrive in **kwargs, and one of them may well be `name`.
    def __new__(
        mcs, class_name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any
    ) -> DocumentedMeta:
        for attribute, value in namespace.items():
            if attribute.startswith("_"):
                continue
            # classmethod/staticmethod wrap the function; look through them.
            function = value.__func__ if isinstance(value, classmethod | staticmethod) else value
            if inspect.isfunction(function) and not (function.__doc__ or "").strip():
                raise TypeError(f"{class_name}.{attribute} is public and needs a docstring")
        return super().__new__(mcs, class_name, bases, namespace, **kwargs)
