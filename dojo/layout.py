"""Lines that read well at any width: hanging indents without padding, and commands never split.

A rich ``Table.grid`` gives a hanging indent, but pads every line of a cell to the column's width,
so at 80 columns each wrapped line ends in spaces up to the terminal's edge; console.print of a
long line wraps it back to column 0. :class:`Hanging` wraps a text under its own start and pads
nothing; :class:`Packed` puts whole pieces (commands a learner copies) on a line, never half of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

MIN_ROOM = 20  # below this many columns for the text, wrap it under the label's start instead


def _text(value: str | Text, style: str = "") -> Text:
    return value if isinstance(value, Text) else Text.from_markup(value, style=style)


class Hanging:
    """``label`` then ``body``; each later line of the body, wrapped or its own, starts under the body.

    ``label`` and ``body`` are markup (or Text); a body with several lines keeps them."""

    def __init__(self, label: str | Text, body: str | Text, *, label_style: str = "") -> None:
        self.label = _text(label, label_style)
        self.body = _text(body)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = self.label.cell_len
        if options.max_width - indent < MIN_ROOM:
            indent = min(indent, 2)
        lines = self.body.wrap(console, max(options.max_width - indent, 1), justify="default", overflow="fold")
        for number, line in enumerate(lines):
            line.rstrip()
            prefix = self.label if number == 0 else Text(" " * indent)
            if number == 0 and indent < self.label.cell_len:  # no room beside a long label: the body goes below
                yield from prefix.render(console)
                yield Segment.line()
                prefix = Text(" " * indent)
            yield from prefix.render(console)
            yield from line.render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        body = Measurement.get(console, options, self.body)
        indent = self.label.cell_len
        return Measurement(indent + body.minimum, min(indent + body.maximum, options.max_width))


class Packed:
    """Pieces joined by ``separator``, as many to a line as fit; a later line is indented by ``indent``.

    No piece is split while it fits on a line of its own: a command wrapped in the middle cannot be
    copied as typed."""

    def __init__(self, pieces: Sequence[str | Text], *, separator: str = " · ", indent: int = 2) -> None:
        self.pieces = [_text(piece) for piece in pieces]
        self.separator = separator
        self.indent = indent

    def _lines(self, width: int) -> Iterable[tuple[int, Text]]:
        """(indent, text) for each line: the first at column 0, the later ones under ``indent``."""
        lead, line = 0, Text()
        for piece in self.pieces:
            if not line.plain:
                line = piece.copy()
            elif lead + line.cell_len + len(self.separator) + piece.cell_len <= width:
                line.append(self.separator)
                line.append_text(piece)
            else:
                yield lead, line
                lead, line = self.indent, piece.copy()
        if line.plain:
            yield lead, line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for lead, line in self._lines(options.max_width):
            yield Hanging(Text(" " * lead), line)  # a piece wider than a line wraps under its own start

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        joined = Text(self.separator).join(self.pieces)
        widest = max((piece.cell_len for piece in self.pieces), default=0)
        return Measurement(min(widest, options.max_width), min(joined.cell_len, options.max_width))
