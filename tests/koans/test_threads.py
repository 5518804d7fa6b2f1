"""The threads-and-the-GIL koans (katas/koans/threads.py): each claim of the stub runs as the target's file has it.

A claim counts only when the file differs from the stub in its blanks alone (dojo/koans.py)."""

import pytest

from dojo.koans import Koan

KOAN = Koan.of(__file__, "katas/koans/threads.py")


@pytest.mark.parametrize("claim", KOAN.claims, ids=KOAN.ids)
def test_claim(claim: str) -> None:
    KOAN.check(claim)
