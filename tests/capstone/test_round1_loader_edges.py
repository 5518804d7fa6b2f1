"""Round 1's loader edges: a file that the database itself must refuse still fails as the spec says.

A later file may name a stored hotel (same name, city and country) under a second phone. Both a phone and
(name, city, country) identify a hotel, and ``hotels`` keeps each unique, so the file contradicts what is
stored and cannot be loaded. The loader raises ``LoadError`` with a non-empty reason, all or nothing:
the database keeps no hotel and no deal from that file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from katas.deals_api import loader
from tests.capstone.helpers import BERLIN, TOKYO, TORONTO, Database, deal_row, write_csv


async def test_a_later_file_giving_a_stored_hotel_a_second_phone_raises_load_error_and_keeps_nothing(
    db: Database, tmp_path: Path
) -> None:
    await loader.load_csv(db.url, write_csv(tmp_path / "first.csv", [deal_row(1, TORONTO), deal_row(2, BERLIN)]))
    second_phone = {**TORONTO, "hotel_phone": "+1-416-555-0199"}  # Harbor Inn, Toronto, Canada: stored already
    second = [deal_row(3, TOKYO), deal_row(4, second_phone)]
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, write_csv(tmp_path / "second.csv", second))
    reason = caught.value.reason
    assert isinstance(reason, str), f"LoadError.reason is a text, got {reason!r}"
    assert reason, "LoadError.reason should say what is wrong"
    counts = (await db.count("hotels"), await db.count("deals"))
    assert counts == (2, 2), f"a refused file adds nothing (not Tokyo's hotel, not deal 3): hotels, deals = {counts}"
