"""Errors a user can fix, and the one way the kit shows them: a single line on stderr, then an exit status.

Every module raises a subclass of :class:`DojoError` (``CurriculumError``, ``CapstoneError``,
``LintError``, ``AnswerKeyError``, ``PgError``...) with the message a learner should read; none of them
prints or exits. Every command is wrapped by :func:`one_line_errors` (:func:`guard` wraps a whole typer
app: each module's ``register`` guards its commands, and dojo.cli the whole ``dojo`` app), which renders
what the command raised with :func:`render` and exits with the error's ``status``: 2 for bad input (the
default), 1 for "tried, and it did not work". A traceback means a bug in the kit, never a mistake
of the user's.

Two foreign errors count as the user's too: ``FileNotFoundError`` (status 2: a path they typed, a file
the kit lacks) and any other ``OSError`` (status 1: a port in use, a folder they cannot write).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import typer

F = TypeVar("F", bound=Callable[..., Any])

USAGE: int = 2  # bad input: a slug, an option, a path
FAILED: int = 1  # the input was fine, the thing did not work (a server down, a load refused)


class DojoError(Exception):
    """Something to tell the user in one line; ``status`` is the exit code (2: bad usage, 1: failed).

    A subclass sets its usual status as the class attribute ``status``; a raise site can override it:
    ``CapstoneError("...", 2)``.
    """

    status: int = USAGE

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self)


def exit_status(error: BaseException) -> int:
    """The exit status ``error`` ends the command with."""
    if isinstance(error, DojoError):
        return error.status
    return USAGE if isinstance(error, FileNotFoundError) else FAILED


def one_line(error: BaseException | str) -> str:
    """The message as one line: the lines of a multi-line text (a tool's output) joined by spaces."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


def render(error: BaseException | str) -> None:
    """Print ``dojo: <message>`` on stderr, the message's ``dojo SUBCOMMAND`` mentions as this shell types them."""
    from rich.console import Console
    from rich.markup import escape

    from dojo.commands import typed

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]dojo:[/] {escape(typed(one_line(error)))}")


def one_line_errors(command: F) -> F:
    """``command`` (a typer command's function), with a DojoError or OSError it raises shown by :func:`render`
    and turned into ``typer.Exit(status)``. The signature is kept (typer reads it through ``__wrapped__``)."""
    if getattr(command, "__dojo_one_line__", False):
        return command

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (DojoError, OSError) as error:
            import typer

            render(error)
            raise typer.Exit(exit_status(error)) from None

    guarded.__dojo_one_line__ = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


def guard(app: typer.Typer) -> typer.Typer:
    """Wrap every command of ``app`` (its callback and its sub-apps' too) in :func:`one_line_errors`.

    Call it after the commands are registered; guarding twice is harmless."""
    if app.registered_callback is not None and app.registered_callback.callback is not None:
        app.registered_callback.callback = one_line_errors(app.registered_callback.callback)
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = one_line_errors(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard(group.typer_instance)
    return app


__all__ = ["FAILED", "USAGE", "DojoError", "exit_status", "guard", "one_line", "one_line_errors", "render"]
