"""Commands as the learner can type them: one place decides the ``uv run`` prefix.

The curriculum, the stubs' briefs and the kit's messages say ``dojo check lru_cache``; with uv the
``dojo`` script is not on PATH, so everything the kit prints goes through :func:`typed`, which
rewrites those mentions to what this shell can run (``uv run dojo check lru_cache``).
"""

from __future__ import annotations

import re
from functools import cache

from dojo.paths import dojo_command

# The subcommands a message may suggest. A bare "dojo" in prose ("the dojo plugin") is left alone.
SUBCOMMANDS = (
    "answer", "bench", "capstone", "check", "checksums", "data", "drill", "fuzz", "hint", "lint", "list", "mutation", "pair", "pg",
    "reset", "restore", "serve", "solution", "verify", "watch",
)  # fmt: skip
_MENTION = re.compile(r"(?<![\w./-])(?<!uv run )(?<!-m )dojo(?= (?:" + "|".join(SUBCOMMANDS) + r")\b)|(?<=`)dojo(?=`)")


@cache
def program() -> str:
    """``dojo``, ``uv run dojo`` or ``python -m dojo``: how this shell runs the kit."""
    return dojo_command()


def command(arguments: str) -> str:
    """A dojo command line the learner can paste: ``command("hint x")`` is ``uv run dojo hint x``."""
    return f"{program()} {arguments}".rstrip()


def typed(text: str) -> str:
    """``text`` with every suggested ``dojo SUBCOMMAND`` rewritten to run as typed in this shell."""
    prefix = program()
    return text if prefix == "dojo" else _MENTION.sub(prefix, text)
