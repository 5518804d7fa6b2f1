"""Koans: calls: *args and **kwargs, defaults, closures and the walrus. Time box: 10 minutes.

How Python binds arguments and names, where a TypeScript engineer's intuition (spread and rest,
`let` in a loop, default parameters evaluated per call) leads astray. Each function below states one
claim in its docstring and proves it by running code. Fill each blank: a `__` takes the value you
predict (`3`, `'text'`, `[1, 2]`, a name such as `TypeError`); change nothing else (the check compares
your file with the stub).

Run `dojo check koan_calls`; `dojo hint koan_calls` when stuck.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def test_star_args_is_a_tuple_and_double_star_kwargs_a_dict() -> None:
    """*args collects extra positional arguments in a tuple, **kwargs the keyword ones in a dict; at a call they unpack."""

    def collect(*args: object, **kwargs: object) -> tuple[tuple[object, ...], dict[str, object]]:
        return args, kwargs

    assert collect(1, 2, retries=3) == ((1, 2), {"retries": 3})

    def connect(host: str, port: int = 5432, *, timeout: int = 10) -> str:
        return f"{host}:{port} timeout={timeout}"

    options = {"host": "db", "timeout": 3}
    assert connect(**options) == "db:5432 timeout=3"  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        connect("db", 5432, 3)  # type: ignore[call-arg]


def test_a_default_value_is_built_once() -> None:
    """A default is evaluated once, when `def` runs: a mutable default is shared by every call."""

    def remember(item: str, seen: list[str] = []) -> list[str]:  # the bug this claim is about
        seen.append(item)
        return seen

    remember("a")
    assert remember("b") == ["a", "b"]


def test_closures_see_variables_not_values() -> None:
    """A lambda made in a loop looks its variable up when called, so every one sees the last value (JS `let` would not)."""
    callbacks: list[Callable[[], int]] = [lambda: i for i in range(3)]  # the late binding this claim is about
    assert [callback() for callback in callbacks] == [2, 2, 2]


def test_the_walrus_binds_inside_an_expression_and_leaks_out_of_a_comprehension() -> None:
    """`(name := value)` assigns and returns the value; in a comprehension the name is bound in the enclosing function."""
    chunks = iter(["ab", "cd", ""])
    read = []
    while chunk := next(chunks):
        read.append(chunk)
    assert (read, chunk) == (["ab", "cd"], "")
    doubled_big = [doubled for value in [3, 8, 1] if (doubled := value * 2) > 5]
    assert (doubled_big, doubled) == ([6, 16], 2)
