"""Grading a review drill's notes against the answer key, by smell rather than by wording.

Each finding of an answer key carries ``keywords``: groups of synonyms, written ``"session|connection"``.
A note names the finding when every group has a word in it (a synonym matches the start of a word, so
``close`` also finds "closed" and "closing"). "The DB session is never closed" and "connection leak: no
close()" both find the unclosed-session finding; "looks fine" finds nothing. A note that finds nothing
in the key is shown as found beyond the key: it may be a real smell the key does not list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dojo.reviews import AnswerKey, KeyFinding

TEMPLATE: Final = (
    "# Review notes: {slug}\n"
    "# One finding per line (or per bullet): what is wrong and why it matters, in your own words.\n"
    "# Lines starting with # are ignored. When you are done, press f in the drill (or wait for the clock).\n"
    "\n"
)
_BULLET: Final = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def notes_path(slug: str) -> str:
    """Beside the learner's review file, so it is theirs (git-ignored) and easy to open."""
    return f"reviews/{slug}.notes.md"


def template(slug: str) -> str:
    return TEMPLATE.format(slug=slug)


def parse_notes(text: str) -> list[str]:
    """One entry per bullet or line; an indented line continues the entry above it."""
    notes: list[str] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[:1].isspace() and notes and not _BULLET.match(raw):
            notes[-1] += " " + raw.strip()
        else:
            notes.append(_BULLET.sub("", raw).strip())
    return [note for note in notes if note]


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9_]+", " ", text.lower()) + " "


def matches(note: str, finding: KeyFinding) -> bool:
    """Every keyword group of the finding has a synonym starting a word of the note."""
    if not finding.keywords:
        return False
    words = _words(note)
    return all(any(f" {synonym}" in words for synonym in _synonyms(group)) for group in finding.keywords)


def _synonyms(group: str) -> list[str]:
    """``"close|never returned"`` -> ``["close", "never returned"]``, normalised like the notes."""
    return [normalised for synonym in group.split("|") if (normalised := _words(synonym).strip())]


@dataclass(frozen=True)
class Grade:
    found: tuple[tuple[KeyFinding, str], ...]  # the finding and the first note that named it
    missed: tuple[KeyFinding, ...]
    beyond: tuple[str, ...]  # notes that name nothing in the key

    @property
    def score(self) -> str:
        return f"{len(self.found)}/{len(self.found) + len(self.missed)}"


def grade(notes: list[str], key: AnswerKey) -> Grade:
    found: list[tuple[KeyFinding, str]] = []
    missed: list[KeyFinding] = []
    for finding in key.findings:
        named = next((note for note in notes if matches(note, finding)), None)
        if named is None:
            missed.append(finding)
        else:
            found.append((finding, named))
    beyond = tuple(note for note in notes if not any(matches(note, finding) for finding in key.findings))
    return Grade(tuple(found), tuple(missed), beyond)


def read_notes(path: Path) -> list[str]:
    try:
        return parse_notes(path.read_text(encoding="utf-8"))
    except OSError:
        return []
