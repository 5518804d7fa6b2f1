"""Pagination (kata, ~35 min).

"GET /articles returns every row. Page it: offset pages with a total for the admin screen, and a
cursor for the public feed, which must stay correct while articles are added and removed."

- `Page[T]`, a generic Pydantic v2 model: `items: list[T]`, `total: int`, `has_more: bool`.
- `paginate_offset(rows, limit=20, offset=0) -> Page[T]`: the slice, the count of ALL rows, and whether
  anything follows this page. ValueError, naming whichever of `limit` and `offset` is wrong, unless
  limit is an int with 1 <= limit <= MAX_LIMIT and offset an int >= 0 (a bool, a float or a str is not
  an int).
- `CursorPage[T]`, also generic: `items: list[T]`, `next_cursor: str | None` (None on the last page).
- `encode_cursor(row)`: base64url (unpadded) JSON `{"created_at": <ISO 8601>, "id": <int>}`, so a
  cursor holds only letters, digits, `-` and `_`: safe in a query string as it is.
  `decode_cursor(cursor) -> (created_at, id)`: a ValueError whose message says "cursor" for anything
  that is not such a cursor (characters outside base64url, bad JSON, missing or mistyped fields, a
  datetime without a timezone).
- `paginate_keyset(table, limit=20, cursor=None) -> CursorPage[Row]` (`limit` checked as above): rows
  ordered by (created_at, id). Each page starts right after the row the cursor names, even if that row
  has since been deleted, so no row is skipped or repeated while others are inserted or deleted. The
  last page has `next_cursor=None`, even when the rows divide evenly into pages.

`Row`, `sort_key` and `Table` (the "database", kept sorted by sort_key) are given.

Run `dojo check pagination`; `dojo hint pagination` when stuck.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

MAX_LIMIT = 100


# ---- given: the "table" ----


@dataclass(frozen=True)
class Row:
    id: int
    created_at: datetime
    title: str


def sort_key(row: Row) -> tuple[datetime, int]:
    """The order every page follows: oldest first, ties broken by id."""
    return (row.created_at, row.id)


class Table:
    """An in-memory stand-in for a table with an index on (created_at, id): rows stay sorted by sort_key."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self._rows: list[Row] = []
        self._ids: set[int] = set()
        for row in rows:
            self.insert(row)

    @property
    def rows(self) -> Sequence[Row]:
        """Every row, sorted by sort_key. Read only: change rows through insert and delete."""
        return self._rows

    def insert(self, row: Row) -> None:
        if row.id in self._ids:
            raise ValueError(f"a row with id {row.id} already exists")
        self._ids.add(row.id)
        bisect.insort(self._rows, row, key=sort_key)

    def delete(self, row_id: int) -> None:
        """Remove the row with this id, if there is one."""
        if row_id in self._ids:
            self._ids.remove(row_id)
            self._rows = [row for row in self._rows if row.id != row_id]


# ---- your answer ----


class Page(BaseModel, Generic[T]):
    """One page of an offset listing."""

    # TODO: the fields items, total and has_more


class CursorPage(BaseModel, Generic[T]):
    """One page of a keyset listing."""

    # TODO: the fields items and next_cursor


def paginate_offset(rows: Sequence[T], limit: int = 20, offset: int = 0) -> Page[T]:
    raise NotImplementedError("paginate_offset")  # TODO


def encode_cursor(row: Row) -> str:
    raise NotImplementedError("encode_cursor")  # TODO


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    raise NotImplementedError("decode_cursor")  # TODO


def paginate_keyset(table: Table, limit: int = 20, cursor: str | None = None) -> CursorPage[Row]:
    raise NotImplementedError("paginate_keyset")  # TODO
