"""A package exercise's brief lives in its README: one ``## `` section per round.

Shared by the briefs (``dojo``, ``dojo watch``) and the drills' interview plan, so that both quote the
same section; it imports nothing of the kit's, so neither import cycles through the other.
"""

from __future__ import annotations

import re
from pathlib import Path


def readme_section(readme: Path, slug: str) -> str | None:
    """The ``## `` section of ``readme`` whose heading, squeezed to ``[a-z0-9]`` before its colon,
    equals the slug's (``## Round 3: filters`` for ``round3``); None when there is none."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return None
    wanted = _squeeze(slug)
    for section in re.split(r"(?m)^(?=## )", text):
        if section.startswith("## ") and _squeeze(section.splitlines()[0][3:].split(":")[0]) == wanted:
            return section.strip()
    return None


def _squeeze(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
