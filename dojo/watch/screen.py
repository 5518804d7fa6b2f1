"""Drawing the session: one screen that fits the terminal, whatever its size.

The header (where you are) and the footer (the keys) always show; the body between them (brief,
failures, hints, talking points, the solution diff) is cut to the rows that are left, saying so.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dojo.briefs import bullets, describe
from dojo.commands import command, typed
from dojo.diffs import fold
from dojo.progress import Status
from dojo.watch.session import Panel, Question, Session, View

MARK = {
    Status.SOLVED: "[green]✔[/]",
    Status.IN_PROGRESS: "[yellow]…[/]",
    Status.NOT_STARTED: "[dim]·[/]",
    Status.BLOCKED: "[cyan]✔[/]",
    Status.TESTS_MODIFIED: "[red]✗[/]",
}
CLEAR = "\x1b[H\x1b[2J\x1b[3J"


def _lines(renderables: list[RenderableType], width: int, color: bool) -> list[str]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False, legacy_windows=False
    )
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue().rstrip("\n").split("\n")


def render(session: Session, color: bool = True) -> str:
    """The whole screen as text to write after clearing it."""
    width = max(20, session.columns)
    header = _lines(_header(session), width, color)
    footer = _lines(_footer(session), width, color)
    body = _lines(_body(session), width, color)
    room = max(1, session.rows - len(header) - len(footer) - 1)
    if len(body) > room:
        hidden = len(body) - room + 1
        body = [
            *body[: room - 1],
            *_lines(
                [Text(f"… {hidden} more lines ({command('check ' + session.exercise.slug)} shows all)", style="dim")],
                width,
                color,
            ),
        ]
    return CLEAR + "\n".join([*header, *body, *footer])


def _header(session: Session) -> list[RenderableType]:
    exercise = session.exercise
    solved = sum(p.status is Status.SOLVED for p in session.progress)
    position = list(session.curriculum).index(exercise) + 1
    top = f"[bold]Backend Dojo[/] · {solved}/{len(session.curriculum)} solved · exercise {position}: [bold]{exercise.slug}[/]"
    if session.view is View.LIST:
        return [top, "[dim]─ every exercise ─[/]"]
    return [top, f"{escape(exercise.title)} · {describe(exercise)} · [bold]{exercise.path}[/]", _status(session)]


def _status(session: Session) -> str:
    check = session.check
    if session.running:
        return "[cyan]running the tests…[/]"
    if check is None:
        return "[dim]not run yet[/]"
    if session.status_of(session.exercise) is Status.TESTS_MODIFIED:
        return "[red]✗ tests modified[/]: edited tests do not count (l lists; `dojo list` says how to restore)"
    if check.passed:
        return f"[bold green]✔ passes[/] ({check.passing}/{check.total} tests)"
    if session.services.untouched(session.exercise):
        return f"[dim]· not started[/] · 0/{check.total} tests pass: replace the TODOs and save"
    return f"[yellow]✗ failing[/] · {check.passing}/{check.total} tests pass"


def _footer(session: Session) -> list[RenderableType]:
    lines: list[RenderableType] = []
    if session.question is Question.RESET:
        lines.append(
            f"[bold]Reset {session.exercise.path} to the stub?[/] Your file is backed up first. [bold]y[/] yes · any other key: no"
        )
    elif session.question is Question.PEEK:
        lines.append("[bold]Peek at the reference before your tests pass?[/] [bold]y[/] yes · any other key: no")
    elif session.notice:
        lines.append(f"[yellow]{escape(session.notice)}[/]")
    if session.view is View.LIST:
        keys = "↑/k ↓/j move · enter: work on it · l back · q quit"
    else:
        moving = "[bold]n[/] next · " if session.check is not None and session.check.passed else ""
        keys = f"{moving}[bold]h[/] hint · [bold]l[/] list · [bold]r[/] run · [bold]x[/] reset · [bold]s[/] solution · [bold]q[/] quit"
    where = "watching" if session.watching else "starting…"
    lines.append(f"[dim]{where} ·[/] {keys}")
    return lines


def _body(session: Session) -> list[RenderableType]:
    if session.view is View.LIST:
        return [_listing(session)]
    exercise = session.exercise
    parts: list[RenderableType] = []
    if session.panel is Panel.HINTS:
        shown = session.services.hints_seen(exercise)
        for number, hint in enumerate(exercise.hints[:shown], start=1):
            style = "bold" if number == shown else "dim"
            parts.append(Text.assemble((f"hint {number}/{len(exercise.hints)}: ", style), typed(hint)))
    if session.panel is Panel.SOLUTION:
        if not session.solution:
            parts.append("Your files match the reference exactly.")
        for line in session.solution:
            for piece in fold(line, session.columns):
                style = "green" if piece.startswith("+") else "red" if piece.startswith("-") else "dim"
                parts.append(Text(piece, style=style, no_wrap=True, overflow="crop"))
        return parts
    check = session.check
    if check is not None and check.passed:
        if session.finished:
            parts.append("[bold green]Every exercise is solved.[/] n walks on through them; q leaves.")
        parts.append("Now say these aloud, as you would to an interviewer:")
        parts.append(bullets(exercise.talking_points))
        parts.append("[bold]n[/]: on to the next exercise once you have said them.")
        return parts
    if check is None or session.services.untouched(exercise) or not check.failures:
        parts.append(Markdown(session.services.brief(exercise)))
    if check is not None and not session.services.untouched(exercise):
        for failure in check.failures:
            parts.append(Text.assemble(("✗ ", "red"), (failure.title, "bold")))
            parts.append(Text(failure.message.rstrip() or "(no message)"))
    return parts


def _listing(session: Session) -> Table:
    rows = list(session.curriculum)
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=1, no_wrap=True)
    table.add_column(min_width=2 + max(len(e.slug) for e in rows), no_wrap=True)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    # Keep the cursor in view: show the window of rows around it that fits.
    room = max(3, session.rows - 6)
    start = max(0, min(session.cursor - room // 2, len(rows) - room))
    for index, exercise in enumerate(rows[start : start + room], start=start):
        pointer = "[reverse]>[/]" if index == session.cursor else " "
        title = f"[reverse]{exercise.slug}[/]" if index == session.cursor else exercise.slug
        table.add_row(
            pointer,
            f"{MARK[session.status_of(exercise)]} {title}",
            f"[dim]{exercise.kind} · {escape(exercise.title)}[/]",
        )
    return table
