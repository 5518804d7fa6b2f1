"""Bytes from a terminal in cbreak mode, as the keys the watch loop understands.

A key held with a modifier is not a command: Ctrl-H arrives as a control byte and Alt-Q as ESC
followed by ``q``, and both are dropped, so that a shortcut meant for the terminal or the editor
never resets or quits by accident.
"""

from __future__ import annotations

ESC = 0x1B
_NAMED_CSI = {b"A": "up", b"B": "down"}


def decode(data: bytes) -> list[str]:
    """The keys in one read: printable characters as themselves, plus enter, escape, up and down."""
    keys: list[str] = []
    index = 0
    while index < len(data):
        byte = data[index]
        if byte == ESC:
            index, key = _escape_sequence(data, index)
            if key:
                keys.append(key)
            continue
        index += 1
        if byte in (0x0D, 0x0A):
            keys.append("enter")
        elif 0x20 < byte < 0x7F:
            keys.append(chr(byte))
        # Control bytes (a Ctrl-held key), space, DEL and non-ASCII are not commands.
    return keys


def _escape_sequence(data: bytes, start: int) -> tuple[int, str | None]:
    """Consume one sequence starting with ESC: ``(index after it, key or None to ignore)``."""
    following = data[start + 1 : start + 2]
    if not following:
        return start + 1, "escape"
    if following in (b"[", b"O"):
        end = start + 2
        while end < len(data) and not 0x40 <= data[end] <= 0x7E:
            end += 1  # parameter bytes, such as the "1;5" of Ctrl-Up
        final = data[end : end + 1]
        parameters = data[start + 2 : end]
        key = _NAMED_CSI.get(final) if not parameters else None
        return end + 1, key
    return start + 2, None  # Alt-held key: ESC then the key
