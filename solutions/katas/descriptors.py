"""Descriptors: a reusable, validated attribute.

A class attribute whose type defines ``__set__`` is a *data descriptor*: ``obj.x = v`` calls
``Descriptor.__set__(obj, v)`` and ``obj.x`` calls ``Descriptor.__get__(obj, type(obj))``, ahead of the
instance ``__dict__``. That precedence is what lets each value live in the instance's own ``__dict__``
under the same name: the descriptor is shared by every instance, so it must never hold a value itself.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


C = TypeVar("C", bound=_Comparable)


class Validated(Generic[C]):
    """An attribute that only accepts a ``kind`` value within ``[min_value, max_value]`` (both inclusive)."""

    def __init__(self, kind: type[C], *, min_value: C | None = None, max_value: C | None = None) -> None:
        if min_value is not None and max_value is not None and max_value < min_value:
            raise ValueError(f"min_value {min_value!r} is greater than max_value {max_value!r}")
        self.kind = kind
        self.min_value = min_value
        self.max_value = max_value
        self.name = "<unnamed>"
        self.label = "<unnamed>"

    def __set_name__(self, owner: type, name: str) -> None:
        # Called once, when the owning class body is executed: the only place the field learns its name.
        self.name = name
        self.label = f"{owner.__qualname__}.{name}"

    @overload
    def __get__(self, instance: None, owner: type) -> Validated[C]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> C: ...
    def __get__(self, instance: object | None, owner: type) -> Validated[C] | C:
        if instance is None:
            return self  # Class.field: the descriptor itself, for introspection (like property)
        try:
            value: C = instance.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{self.label} has not been set") from None
        return value

    def __set__(self, instance: object, value: C) -> None:
        instance.__dict__[self.name] = self.validate(value)

    def validate(self, value: object) -> C:
        # bool is a subclass of int: Validated(int) taking True is a bug that isinstance() alone lets in.
        if not isinstance(value, self.kind) or (isinstance(value, bool) and self.kind is not bool):
            raise TypeError(f"{self.label} must be {self.kind.__name__}, got {type(value).__name__} {value!r}")
        if self.min_value is not None and value < self.min_value:
            raise ValueError(f"{self.label} must be >= {self.min_value!r}, got {value!r}")
        if self.max_value is not None and self.max_value < value:
            raise ValueError(f"{self.label} must be <= {self.max_value!r}, got {value!r}")
        return value
