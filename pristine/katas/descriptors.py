"""Descriptors: a validated field (kata, ~25 min).

"Pydantic and SQLAlchemy columns are descriptors. Write a small one: a field that checks its type and
bounds on every assignment, reusable across classes."

    class OrderLine:
        quantity = Validated(int, min_value=1, max_value=100)

        def __init__(self, quantity: int) -> None:
            self.quantity = quantity          # validated here too

- `Validated(kind, min_value=None, max_value=None)`: both bounds inclusive, either optional (equal
  bounds allow exactly that value); min_value > max_value is a ValueError naming `min_value`, at once.
- Assigning a value that is not an instance of `kind` raises TypeError (and `True` is not an int here,
  though `Validated(bool)` takes it); one out of bounds raises ValueError. Both messages name the field
  as `OrderLine.quantity`; the TypeError names the expected and the received type ("OrderLine.quantity
  must be int, got str '3'"), the ValueError the bound: "OrderLine.quantity must be >= 1, got 0".
- Reading a field that was never set raises AttributeError naming the field.
- `OrderLine.quantity` (on the class) returns the descriptor itself.
- Two OrderLine instances never share a value.

Run `dojo check descriptors`; `dojo hint descriptors` when stuck.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload


class _Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


C = TypeVar("C", bound=_Comparable)


class Validated(Generic[C]):
    def __init__(self, kind: type[C], *, min_value: C | None = None, max_value: C | None = None) -> None:
        raise NotImplementedError("Validated.__init__")  # TODO

    def __set_name__(self, owner: type, name: str) -> None:
        raise NotImplementedError("Validated.__set_name__")  # TODO

    @overload
    def __get__(self, instance: None, owner: type) -> Validated[C]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> C: ...
    def __get__(self, instance: object | None, owner: type) -> Validated[C] | C:
        raise NotImplementedError("Validated.__get__")  # TODO

    def __set__(self, instance: object, value: C) -> None:
        raise NotImplementedError("Validated.__set__")  # TODO
