"""An oracle for the capstone's read endpoints: what ``GET /deals``, ``/deals/feed`` and ``/deals/stats`` must
answer, computed from the CSV with plain Python (the csv module, ``Decimal``, no SQL).

The data is the generator's (``dojo.deals_data``, seeded), at a size that keeps a run fast, written in a
shuffled order with the external ids moved up by ``EXTERNAL_ID_OFFSET``. So the three orders a candidate
may confuse differ: the database's ``id`` (file order, for the reference's loader), the CSV's ``id``
(``external_id``) and ``created_at``. The database's ids are the one thing the oracle reads from the
database (``SELECT id, external_id FROM deals``): they are the database's to give.

Hypothesis drives the app from a worker thread (``SyncClient``): the test's event loop keeps running the
app while each Hypothesis example, plain synchronous code, waits for its request to come back.
"""

from __future__ import annotations

import asyncio
import csv
import random
import string
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from hypothesis import strategies as st

from dojo import deals_data
from tests.capstone.helpers import Database, write_csv

ORACLE_ROWS = 300
ORACLE_SEED = 16  # chosen so that some cities tie on deal count, with and without available_only
ORACLE_HOTELS = 40  # in all 18 cities, 13 of them with several hotels of different sizes
EXTERNAL_ID_OFFSET = 1000  # the CSV's ids become 1001.., so they never equal the database's ids
CATEGORY_NAMES = ("budget", "business", "family", "luxury", "romantic")
MAX_PAGES = 25  # a walk is held to this many pages (the smallest limit drawn grows with the result)


def oracle_rows() -> list[dict[str, str]]:
    """The generated rows, shuffled (deterministically) and with their ids offset, as the CSV holds them."""
    rows = [
        {**row, "id": str(int(row["id"]) + EXTERNAL_ID_OFFSET)}
        for row in deals_data.generate_rows(ORACLE_ROWS, ORACLE_SEED, ORACLE_HOTELS)
    ]
    random.Random(ORACLE_SEED).shuffle(rows)
    return rows


def write_oracle_csv(path: Path) -> Path:
    return write_csv(path, oracle_rows())


@dataclass(frozen=True)
class Row:
    """One deal as the oracle expects it: a CSV row parsed with plain Python, or a deal a test created.
    ``deal_id`` is the database's id (0 until the oracle knows it)."""

    external_id: int | None
    name: str
    city: str
    country: str
    phone: str
    star_rating: int
    room_type: str
    price: Decimal
    original_price: Decimal
    discount_percent: int
    checkin_date: str
    checkout_date: str
    is_available: bool
    categories: frozenset[str]
    created_at: datetime
    deal_id: int = 0

    @classmethod
    def parse(cls, row: Mapping[str, str]) -> Row:
        return cls(
            external_id=int(row["id"]), name=row["hotel_name"], city=row["hotel_city"],
            country=row["hotel_country"], phone=row["hotel_phone"], star_rating=int(row["hotel_star_rating"]),
            room_type=row["room_type"], price=Decimal(row["price_per_night"]),
            original_price=Decimal(row["original_price"]), discount_percent=int(row["discount_percent"]),
            checkin_date=row["checkin_date"], checkout_date=row["checkout_date"],
            is_available=row["is_available"] == "true",
            categories=frozenset(name for name in row["categories"].split(",") if name),
            created_at=datetime.fromisoformat(row["created_at"]),
        )  # fmt: skip


def _ascii_lower(text: str) -> str:
    """Case-folding the way both databases' ``lower()`` agree on: ASCII letters only."""
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


@dataclass(frozen=True)
class Filters:
    """The list's query parameters, as the client sends them (text), and the rule each one means."""

    params: Mapping[str, str]

    def match(self, row: Row) -> bool:
        p = self.params
        return (
            ("city" not in p or _ascii_lower(p["city"]) == _ascii_lower(row.city))
            and ("min_stars" not in p or row.star_rating >= int(p["min_stars"]))
            and ("price_min" not in p or row.price >= Decimal(p["price_min"]))
            and ("price_max" not in p or row.price <= Decimal(p["price_max"]))
            and ("category" not in p or p["category"] in row.categories)
        )

    def __str__(self) -> str:
        return "&".join(f"{key}={value}" for key, value in self.params.items()) or "(no filter)"


@dataclass(frozen=True)
class CityStats:
    city: str
    mean_price: Decimal  # exact: the sum of the prices over the count
    deal_count: int


class Oracle:
    """The right answers for what the database holds: the loaded file, then the writes a test made through
    the API (``put`` and ``remove`` keep the oracle in step). ``ids``: the file's ids (external) -> the
    database's deal ids; ``hotel_ids``: phone -> the database's hotel id (both read after the load)."""

    def __init__(self, rows: Sequence[Mapping[str, str]], ids: Mapping[int, int], hotel_ids: Mapping[str, int]) -> None:
        self.ids = dict(ids)
        self.hotel_ids = dict(hotel_ids)
        self.deals: dict[int, Row] = {}
        for text in rows:
            deal_id = self.ids[int(text["id"])]
            self.deals[deal_id] = replace(Row.parse(text), deal_id=deal_id)
        self._derive()

    def _derive(self) -> None:
        self.rows = [self.deals[deal_id] for deal_id in sorted(self.deals)]  # the API's order: the database id
        stars: dict[str, list[int]] = defaultdict(list)
        for row in self.rows:
            stars[row.phone].append(row.star_rating)
        self.avg_star_rating = {phone: sum(found) / len(found) for phone, found in stars.items()}

    def put(self, row: Row) -> None:
        """A deal created or changed through the API (``row.deal_id`` says which)."""
        self.deals[row.deal_id] = row
        self._derive()

    def remove(self, deal_id: int) -> None:
        del self.deals[deal_id]
        self._derive()

    @property
    def cities(self) -> list[str]:
        return sorted({row.city for row in self.rows})

    @property
    def prices(self) -> list[Decimal]:
        return sorted({row.price for row in self.rows})

    def matching(self, filters: Filters) -> list[Row]:
        """The deals the filters select, in the database's id order."""
        return [row for row in self.rows if filters.match(row)]

    def stats(self, *, available_only: bool) -> list[CityStats]:
        """Per city, over its DEALS (not an average of per-hotel averages): busiest first, then by name."""
        prices: dict[str, list[Decimal]] = defaultdict(list)
        for row in self.rows:
            if row.is_available or not available_only:
                prices[row.city].append(row.price)
        found = [CityStats(city, sum(p, Decimal(0)) / len(p), len(p)) for city, p in prices.items()]
        return sorted(found, key=lambda s: (-s.deal_count, s.city))

    def mismatches(self, deal: Mapping[str, Any], row: Row, *, categories: bool = False) -> list[str]:
        """What in one deal of a response differs from its row in the CSV (empty when it is right)."""
        nested = deal.get("hotel")
        hotel: Mapping[str, Any] = nested if isinstance(nested, dict) else {}
        expected: dict[str, Any] = {
            "id": row.deal_id, "external_id": row.external_id, "room_type": row.room_type,
            "star_rating": row.star_rating, "price_per_night": float(row.price),
            "original_price": float(row.original_price), "discount_percent": row.discount_percent,
            "checkin_date": row.checkin_date, "checkout_date": row.checkout_date, "is_available": row.is_available,
            "hotel.id": self.hotel_ids[row.phone], "hotel.name": row.name, "hotel.city": row.city,
            "hotel.country": row.country,
        }  # fmt: skip
        got = {key: hotel.get(key[6:]) if key.startswith("hotel.") else deal.get(key) for key in expected}
        wrong = [f"{key}: expected {value!r}, got {got[key]!r}" for key, value in expected.items() if got[key] != value]
        average = hotel.get("avg_star_rating")
        if not isinstance(average, int | float) or abs(average - self.avg_star_rating[row.phone]) > 0.01:
            wrong.append(
                f"hotel.avg_star_rating: expected {self.avg_star_rating[row.phone]:.4f} (the mean over all the "
                f"hotel's deals), got {average!r}"
            )
        wrong += created_at_mismatches(deal.get("created_at"), row.created_at)
        if categories and sorted(deal.get("categories") or []) != sorted(row.categories):
            wrong.append(f"categories: expected {sorted(row.categories)}, got {deal.get('categories')!r}")
        return wrong

    def check_deals(self, deals: Sequence[Mapping[str, Any]], rows: Sequence[Row], *, categories: bool = False) -> None:
        """Each deal equals its CSV row, field by field; ``deals`` and ``rows`` are in the same order."""
        for deal, row in zip(deals, rows, strict=True):
            wrong = self.mismatches(deal, row, categories=categories)
            assert not wrong, f"deal {deal.get('id')} (CSV id {row.external_id}) differs from the CSV: " + "; ".join(wrong)


def created_at_mismatches(value: Any, expected: datetime) -> list[str]:
    """``created_at`` must be an ISO-8601 timestamp WITH its offset (SQLite hands back naive datetimes)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        return [f"created_at: expected an ISO-8601 timestamp with its UTC offset like '2025-03-01T10:00:00Z', got {value!r}"]
    return [] if parsed == expected else [f"created_at: expected {expected.isoformat()}, got {value!r}"]


async def load_oracle(db: Database, path: Path) -> Oracle:
    """Load ``path`` with the learner's loader, then read the ids the database gave."""
    from katas.deals_api import loader

    await loader.load_csv(db.url, path)
    ids = {int(external): int(deal_id) for deal_id, external in await db.rows("SELECT id, external_id FROM deals")}
    hotel_ids = {phone: int(hotel_id) for hotel_id, phone in await db.rows("SELECT id, phone FROM hotels")}
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return Oracle(rows, ids, hotel_ids)


# ---- Hypothesis: filters a client could send ------------------------------------------------------------


def _recased(city: str) -> st.SearchStrategy[str]:
    return st.sampled_from([city, city.lower(), city.upper(), city.swapcase()])


def _price_bound(oracle: Oracle) -> st.SearchStrategy[Decimal]:
    """Mostly prices that occur (the inclusive bounds matter there), sometimes round numbers."""
    return st.one_of(st.sampled_from(oracle.prices), st.integers(0, 700).map(Decimal))


@st.composite
def filters(draw: st.DrawFn, oracle: Oracle, *, category: bool = False) -> Filters:
    params: dict[str, str] = {}
    if draw(st.booleans()):
        params["city"] = draw(st.sampled_from(oracle.cities).flatmap(_recased))
    if draw(st.booleans()):
        params["min_stars"] = str(draw(st.integers(1, 5)))
    bounds = sorted(draw(st.lists(_price_bound(oracle), max_size=2)))
    if len(bounds) == 2:
        params["price_min"], params["price_max"] = str(bounds[0]), str(bounds[1])
    elif bounds:
        params[draw(st.sampled_from(["price_min", "price_max"]))] = str(bounds[0])
    if category and draw(st.booleans()):
        params["category"] = draw(st.sampled_from(CATEGORY_NAMES))
    return Filters(params)


def smallest_limit(matches: int) -> int:
    """The smallest page size that walks ``matches`` deals in at most ``MAX_PAGES`` pages."""
    return max(1, -(-matches // MAX_PAGES))


# ---- the bridge from Hypothesis (a thread) to the app (the test's event loop) ---------------------------


class SyncClient:
    """A blocking ``get`` for code running in a worker thread, served by the app on the test's event loop."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(self._client.get(path, params=dict(params or {})), self._loop)
        return future.result(timeout=120)

    def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(self._client.request(method, path, json=body), self._loop)
        return future.result(timeout=120)

    def json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.get(path, params)
        assert response.status_code == 200, f"GET {path} {dict(params or {})}: {response.status_code} {response.text[:300]}"
        return response.json()


async def run_in_thread(client: httpx.AsyncClient, check: Callable[[SyncClient], None]) -> None:
    """Run ``check`` (a Hypothesis test) in a worker thread while this event loop serves its requests."""
    bridge = SyncClient(client, asyncio.get_running_loop())
    await asyncio.to_thread(check, bridge)


def every_deal(http: SyncClient, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """All the deals ``GET /deals`` returns for these filters: a bare list (rounds 1-3), or every page (round 4 on)."""
    body = http.json("/deals", {**params, "limit": 100})
    if isinstance(body, list):
        return body
    found: list[dict[str, Any]] = list(body["items"])
    while len(found) < body["total"] and body["items"]:
        body = http.json("/deals", {**params, "limit": 100, "skip": len(found)})
        found += body["items"]
    return found
