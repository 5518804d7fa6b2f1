"""pagination: offset pages with a generic Page[T], keyset pages behind an opaque cursor."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from pydantic import ValidationError

from katas.pagination import (
    MAX_LIMIT,
    CursorPage,
    Page,
    Row,
    Table,
    decode_cursor,
    encode_cursor,
    paginate_keyset,
    paginate_offset,
    sort_key,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def row(row_id: int, minute: int) -> Row:
    return Row(id=row_id, created_at=T0 + timedelta(minutes=minute), title=f"article {row_id}")


def ids(rows: list[Row]) -> list[int]:
    return [r.id for r in rows]


def walk_keyset(table: Table, limit: int, between_pages=None) -> list[Row]:
    """Follow next_cursor from the first page to the last; `between_pages()` may change the table."""
    seen: list[Row] = []
    cursor = None
    for _ in range(500):
        page = paginate_keyset(table, limit=limit, cursor=cursor)
        assert len(page.items) <= limit, f"limit={limit} but the page has {len(page.items)} rows"
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
        if between_pages is not None:
            between_pages()
    raise AssertionError(f"still paging after 500 pages (rows so far: {ids(seen)[:20]}...): does a cursor point backwards?")


def b64(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


# ---- the generic page models ----


def test_page_is_a_generic_pydantic_model_that_validates_its_items():
    page = Page[int].model_validate({"items": [1, 2], "total": 5, "has_more": True})
    assert page.model_dump() == {"items": [1, 2], "total": 5, "has_more": True}
    with pytest.raises(ValidationError):
        Page[int].model_validate({"items": ["not a number"], "total": 1, "has_more": False})


def test_cursor_page_is_generic_and_the_last_page_has_no_cursor():
    page = CursorPage[Row](items=[row(1, 0)], next_cursor=None)
    assert page.model_dump()["next_cursor"] is None
    assert page.items == [row(1, 0)]
    with pytest.raises(ValidationError):
        CursorPage[int].model_validate({"items": ["x"], "next_cursor": None})


# ---- offset pagination ----


def test_offset_first_page_has_the_slice_the_total_and_more_to_come():
    page = paginate_offset(list(range(10)), limit=3, offset=0)
    assert (page.items, page.total, page.has_more) == ([0, 1, 2], 10, True)


def test_offset_total_counts_every_row_not_just_the_page():
    page = paginate_offset(list(range(10)), limit=3, offset=3)
    assert page.total == 10, f"total is how many rows match in all (10), not how many are on this page: got {page.total}"


def test_offset_last_partial_page_has_no_more():
    page = paginate_offset(list(range(10)), limit=3, offset=9)
    assert (page.items, page.has_more) == ([9], False)


def test_offset_a_full_last_page_has_no_more():
    page = paginate_offset(list(range(6)), limit=3, offset=3)
    assert page.items == [3, 4, 5]
    assert page.has_more is False, (
        "rows 3-5 are the last of 6: a full page does not mean more follow (compare offset + len(items) with total)"
    )


def test_offset_past_the_end_is_an_empty_page_not_an_error():
    page = paginate_offset(list(range(10)), limit=3, offset=20)
    assert (page.items, page.total, page.has_more) == ([], 10, False)


@pytest.mark.parametrize(
    ("limit", "offset", "named"),
    [
        (0, 0, "limit"), (-1, 0, "limit"), (MAX_LIMIT + 1, 0, "limit"), (2.5, 0, "limit"), (3.0, 0, "limit"),
        (True, 0, "limit"), (10, -1, "offset"), (10, True, "offset"), (10, 2.5, "offset"), (10, 2.0, "offset"),
        (10, "3", "offset"),
    ],
    ids=[
        "zero_limit", "negative_limit", "limit_over_max", "float_limit", "whole_float_limit", "bool_limit",
        "negative_offset", "bool_offset", "float_offset", "whole_float_offset", "str_offset",
    ],
)
def test_offset_rejects_a_bad_limit_or_offset(limit, offset, named):
    with pytest.raises(ValueError, match=named):
        paginate_offset(list(range(10)), limit=limit, offset=offset)


def test_the_default_page_is_twenty_rows():
    rows = list(range(50))
    assert paginate_offset(rows).items == rows[:20], "limit defaults to 20"
    table = Table([row(i, i) for i in range(1, 51)])
    assert ids(paginate_keyset(table).items) == list(range(1, 21)), "limit defaults to 20"


def test_offset_allows_exactly_max_limit():
    assert paginate_offset(list(range(3)), limit=MAX_LIMIT).items == [0, 1, 2]


# ---- cursors ----


def test_a_cursor_is_url_safe_and_round_trips_to_the_rows_sort_key():
    article = row(42, 90)
    cursor = encode_cursor(article)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor), f"{cursor!r} should be unpadded base64url, safe in a query string"
    assert decode_cursor(cursor) == sort_key(article)


def test_every_cursor_is_unpadded_url_safe_and_round_trips():
    # Many ids and times, so the encoded JSON has every length modulo 3: every amount of padding to drop.
    for row_id in range(0, 400, 7):
        article = Row(id=row_id, created_at=T0 + timedelta(seconds=row_id * 7919, microseconds=row_id), title="t")
        cursor = encode_cursor(article)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor), f"{cursor!r} should be unpadded base64url, safe in a query string"
        assert decode_cursor(cursor) == sort_key(article)


GARBAGE_CURSORS = {
    "empty": "",
    "not_base64": "not a cursor!",
    "plain_base64_alphabet": base64.b64encode(b'{"created_at": "2024-01-01T00:00:00+00:00", "id": 7}?>').decode(),
    "stray_characters": (lambda c: c[:8] + "!.*~" + c[8:])(b64({"created_at": "2024-01-01T00:00:00+00:00", "id": 7})),
    "not_json": base64.urlsafe_b64encode(b"page 2 please").decode().rstrip("="),
    "json_list": b64([1, 2]),
    "missing_id": b64({"created_at": "2024-01-01T00:00:00+00:00"}),
    "id_is_text": b64({"created_at": "2024-01-01T00:00:00+00:00", "id": "7"}),
    "tampered_date": b64({"created_at": "yesterday", "id": 7}),
    "no_timezone": b64({"created_at": "2024-01-01T00:00:00", "id": 7}),
}


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS.values(), ids=GARBAGE_CURSORS.keys())
def test_a_garbage_or_tampered_cursor_is_a_clear_value_error(cursor):
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor(cursor)
    with pytest.raises(ValueError, match="cursor"):
        paginate_keyset(Table([row(1, 0)]), limit=2, cursor=cursor)


# ---- keyset pagination ----


def test_keyset_pages_follow_created_at_then_id():
    table = Table([row(3, 2), row(1, 0), row(2, 1), row(4, 3), row(5, 4)])
    first = paginate_keyset(table, limit=2)
    assert ids(first.items) == [1, 2]
    assert first.next_cursor is not None
    second = paginate_keyset(table, limit=2, cursor=first.next_cursor)
    assert ids(second.items) == [3, 4]


def test_keyset_last_page_has_no_cursor_even_when_rows_divide_evenly():
    table = Table([row(i, i) for i in range(1, 5)])
    first = paginate_keyset(table, limit=2)
    last = paginate_keyset(table, limit=2, cursor=first.next_cursor)
    assert ids(last.items) == [3, 4]
    assert last.next_cursor is None, "4 rows in pages of 2: the second page is the last, so no cursor (no empty third page)"


def test_keyset_rows_with_the_same_timestamp_are_each_served_once():
    table = Table([row(i, 0) for i in (5, 1, 4, 2, 3)] + [row(6, 1)])
    got = ids(walk_keyset(table, limit=2))
    assert got == [1, 2, 3, 4, 5, 6], (
        f"five rows share a timestamp: expected each once in id order, got {got}. "
        "Compare (created_at, id) as a pair, not created_at alone"
    )


def test_keyset_deleting_rows_already_served_skips_nothing():
    table = Table([row(i, i) for i in range(1, 9)])
    first = paginate_keyset(table, limit=3)
    for served in first.items:
        table.delete(served.id)
    second = paginate_keyset(table, limit=3, cursor=first.next_cursor)
    assert ids(second.items) == [4, 5, 6], (
        f"after deleting rows 1-3 the next page should still be 4, 5, 6, got {ids(second.items)}: "
        "a cursor holding an offset shifts when earlier rows go away"
    )


def test_keyset_continues_after_the_cursor_row_itself_is_deleted():
    table = Table([row(i, i) for i in range(1, 7)])
    first = paginate_keyset(table, limit=2)
    table.delete(2)  # the row the cursor names
    second = paginate_keyset(table, limit=2, cursor=first.next_cursor)
    assert ids(second.items) == [3, 4]


def test_keyset_an_insert_before_the_cursor_does_not_repeat_a_row():
    table = Table([row(i, i * 10) for i in range(1, 7)])
    first = paginate_keyset(table, limit=2)
    table.insert(row(100, 5))  # older than everything served so far
    table.insert(row(101, 35))  # lands in the part not yet served
    second = paginate_keyset(table, limit=3, cursor=first.next_cursor)
    assert ids(second.items) == [3, 101, 4], f"expected rows 3, 101, 4 after the cursor, got {ids(second.items)}"


@pytest.mark.parametrize(
    "limit", [0, MAX_LIMIT + 1, 2.5, 3.0, True], ids=["zero", "over_max", "float", "whole_float", "bool"]
)
def test_keyset_rejects_a_bad_limit(limit):
    with pytest.raises(ValueError, match="limit"):
        paginate_keyset(Table([row(1, 0)]), limit=limit)


# ---- properties ----

# Few distinct minutes, so many rows tie on created_at and the id tie-breaker matters.
tables = st.lists(st.tuples(st.integers(1, 500), st.integers(0, 4)), max_size=25, unique_by=lambda pair: pair[0]).map(
    lambda pairs: [row(row_id, minute) for row_id, minute in pairs]
)


@given(rows=tables, limit=st.integers(1, 7))
def test_property_walking_every_page_serves_each_row_once_in_order(rows, limit):
    table = Table(rows)
    expected = ids(sorted(rows, key=sort_key))
    assert ids(walk_keyset(table, limit)) == expected, "keyset walk"

    ordered = list(table.rows)
    offset_walk: list[Row] = []
    offset = 0
    while True:
        page = paginate_offset(ordered, limit=limit, offset=offset)
        assert page.total == len(ordered)
        offset_walk.extend(page.items)
        if not page.has_more:
            break
        offset += limit
    assert ids(offset_walk) == expected, "offset walk"


edits = st.lists(st.tuples(st.sampled_from(["insert", "delete"]), st.integers(0, 1_000)), max_size=4)


@given(rows=tables, limit=st.integers(1, 5), data=st.data())
def test_property_rows_that_stay_are_served_once_while_others_come_and_go(rows, limit, data):
    table = Table(rows)
    survivors = {r.id for r in rows}
    next_id = iter(range(1_000, 10_000))

    def change_the_table() -> None:
        for action, number in data.draw(edits, label="edits before the next page"):
            if action == "insert":
                table.insert(row(next(next_id), number % 5))
            elif table.rows:
                victim = table.rows[number % len(table.rows)].id
                table.delete(victim)
                survivors.discard(victim)

    seen = walk_keyset(table, limit, between_pages=change_the_table)
    seen_ids = ids(seen)
    duplicates = sorted({i for i in seen_ids if seen_ids.count(i) > 1})
    assert not duplicates, f"rows served twice: {duplicates}"
    missing = sorted(survivors - set(seen_ids))
    assert not missing, f"rows present for the whole walk but never served: {missing}"
    keys = [sort_key(r) for r in seen]
    assert keys == sorted(keys), "rows came out of (created_at, id) order"


@pytest.mark.guard
def test_the_given_table_keeps_rows_sorted_refuses_duplicates_and_deletes():
    table = Table([row(3, 2), row(1, 5), row(2, 2)])
    assert ids(list(table.rows)) == [2, 3, 1]
    with pytest.raises(ValueError, match="3"):
        table.insert(row(3, 9))
    table.delete(3)
    table.delete(99)  # deleting a missing id is not an error
    assert ids(list(table.rows)) == [2, 1]
    table.insert(row(3, 0))  # a deleted id may come back
    assert ids(list(table.rows)) == [3, 2, 1]


class PagesAgainstSlicing(RuleBasedStateMachine):
    """Inserts, deletes and page reads must match plain list slicing of the sorted rows.

    Offset pages are a slice of the current rows. A keyset walk in progress must serve, in order,
    every row after its cursor's sort key: the model keeps the last key served and slices past it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.table = Table()
        self.next_id = 1
        self.after: tuple[datetime, int] | None = None  # the model's cursor: last sort key served
        self.cursor: str | None = None
        self.walking = False

    def model_rows(self) -> list[Row]:
        return sorted(self.table.rows, key=sort_key)

    @rule(minute=st.integers(0, 3))
    def insert(self, minute: int) -> None:
        self.table.insert(row(self.next_id, minute))
        self.next_id += 1

    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        if self.table.rows:
            self.table.delete(self.model_rows()[pick % len(self.table.rows)].id)

    @rule(limit=st.integers(1, 4), offset=st.integers(0, 8))
    def offset_page(self, limit: int, offset: int) -> None:
        rows = self.model_rows()
        page = paginate_offset(rows, limit=limit, offset=offset)
        assert page.items == rows[offset : offset + limit]
        assert page.total == len(rows)
        assert page.has_more == (offset + limit < len(rows))

    @rule(limit=st.integers(1, 4))
    def keyset_page(self, limit: int) -> None:
        rows = self.model_rows()
        rest = rows if self.after is None else [r for r in rows if sort_key(r) > self.after]
        page = paginate_keyset(self.table, limit=limit, cursor=self.cursor)
        assert ids(page.items) == ids(rest[:limit]), (
            f"after {self.after}, expected {ids(rest[:limit])}, got {ids(page.items)}"
        )
        more = len(rest) > limit
        assert (page.next_cursor is not None) == more, "next_cursor is there exactly when rows follow"
        if more:
            self.cursor, self.after = page.next_cursor, sort_key(page.items[-1])
        else:
            self.cursor, self.after = None, None  # the walk ended; the next read starts over

    @invariant()
    def the_table_stays_sorted(self) -> None:
        assert list(self.table.rows) == self.model_rows()


TestPagesAgainstSlicing = PagesAgainstSlicing.TestCase
TestPagesAgainstSlicing.settings = settings(max_examples=50, stateful_step_count=30)
