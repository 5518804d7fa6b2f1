"""Pagination: offset pages with a total, and keyset pages behind an opaque cursor.

Offset is ``OFFSET n LIMIT k`` plus ``COUNT(*)``: simple, supports "jump to page 7", but the database
still walks the n skipped rows, and rows inserted or deleted between requests shift every later page.

Keyset remembers the last row's sort key and asks for what comes after it:
``WHERE (created_at, id) > (:created_at, :id) ORDER BY created_at, id LIMIT :k + 1``. With an index on
(created_at, id) that is a seek, however deep the page, and a row can neither be skipped nor repeated
when others come and go. ``id`` is the tie-breaker that makes the order total. ``bisect_right`` on the
sorted rows plays the index seek here.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, StrictInt, ValidationError

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


# ---- the answer ----


class Page(BaseModel, Generic[T]):
    """One page of an offset listing: the items, how many rows match in all, whether more follow."""

    items: list[T]
    total: int
    has_more: bool


class CursorPage(BaseModel, Generic[T]):
    """One page of a keyset listing; pass ``next_cursor`` back to get the next page (None: this is the last)."""

    items: list[T]
    next_cursor: str | None


class _Cursor(BaseModel):
    """What a cursor carries: the sort key of the last row served. Validated strictly on the way back in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    created_at: AwareDatetime
    id: StrictInt


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")


def paginate_offset(rows: Sequence[T], limit: int = 20, offset: int = 0) -> Page[T]:
    _check_limit(limit)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a non-negative integer, got {offset!r}")
    items = list(rows[offset : offset + limit])
    total = len(rows)
    return Page(items=items, total=total, has_more=offset + len(items) < total)


def encode_cursor(row: Row) -> str:
    """base64url (unpadded) of the JSON ``{"created_at": ..., "id": ...}``: opaque to clients, safe in a URL."""
    payload = _Cursor(created_at=row.created_at, id=row.id).model_dump_json().encode("utf-8")
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The sort key a cursor carries; ValueError for anything encode_cursor could not have produced."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        decoded = _Cursor.model_validate_json(raw)
    except (binascii.Error, ValidationError):
        raise ValueError(f"invalid cursor {cursor!r}: pass back a next_cursor exactly as it was returned") from None
    return (decoded.created_at, decoded.id)


def paginate_keyset(table: Table, limit: int = 20, cursor: str | None = None) -> CursorPage[Row]:
    _check_limit(limit)
    rows = table.rows
    # Seek: the first row whose sort key is strictly greater than the cursor's. The cursor's row may
    # have been deleted since; the comparison does not need it to exist.
    start = 0 if cursor is None else bisect.bisect_right(rows, decode_cursor(cursor), key=sort_key)
    page = rows[start : start + limit + 1]  # one extra row answers "is there more?" without a COUNT
    items = list(page[:limit])
    next_cursor = encode_cursor(items[-1]) if len(page) > limit else None
    return CursorPage(items=items, next_cursor=next_cursor)
