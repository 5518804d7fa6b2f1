"""The capstone's data set: a deterministic generator of the hotel-deals CSV the interviewer hands over.

The file has the mock interview's 15 columns (``COLUMNS``) and its facts, which the learner discovers
while exploring it and the capstone's tests rely on:

- About 150 hotels (``hotels=``), each identified by its phone number and also unique by
  (name, city, country): a phone maps to exactly one (name, city, country) and back. Names repeat
  across cities ("Crown Tower" in Chicago and in Tokyo), so a name alone is not a key.
- Realistic cities with their countries and phone prefixes: ``+1-212-555-1420`` is New York,
  ``+44-20-555-...`` London, ``+971-4-555-...`` Dubai.
- ``hotel_star_rating`` (1-5) is a property of the deal, not of the hotel: one hotel's deals carry
  several ratings, skewed towards 4 and 5 (the API reports the hotel's average).
- Prices are positive decimals with two places, and ``original_price >= price_per_night``.
  ``discount_percent`` is an integer from 0 to 70 (inside the schema's 0-100) and consistent with the
  two prices: ``price_per_night = original_price * (100 - discount_percent) / 100``, rounded half up
  to the cent. Because every original price is at least 30.00, the converse holds too:
  ``round(100 * (original - price) / original) == discount_percent``.
- ``checkout_date > checkin_date`` (1 to 14 nights); dates are ISO ``YYYY-MM-DD``.
- ``is_available`` is ``true`` or ``false`` (about 85% true).
- ``categories`` is a non-empty, comma-separated subset of ``CATEGORIES`` written in alphabetical order
  (``"business,luxury"``; "luxury" is likelier on 5-star deals), 1.6 names per deal on average: 50,000 rows make about 80,000 deal-category
  links. The fixed order lets a migration that normalised the column restore the text exactly.
- ``created_at`` is an ISO-8601 UTC timestamp (``2025-03-14T09:26:31Z``), non-decreasing with ``id``,
  and always before the check-in date.
- ``id`` is the external system's id: 1..N in file order.

The same (rows, seed, hotels) always gives a byte-identical file: everything is drawn from one
``random.Random(seed)``, whose sequence Python keeps stable across versions, and no wall clock is read.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Final, TextIO

COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "hotel_name",
    "hotel_city",
    "hotel_country",
    "hotel_star_rating",
    "hotel_phone",
    "room_type",
    "price_per_night",
    "original_price",
    "discount_percent",
    "checkin_date",
    "checkout_date",
    "is_available",
    "categories",
    "created_at",
)
CATEGORIES: Final[tuple[str, ...]] = ("budget", "business", "family", "luxury", "romantic")
ROOM_TYPES: Final[tuple[str, ...]] = ("Standard", "Superior", "Deluxe", "Family", "Suite")

DEFAULT_ROWS: Final = 50_000
DEFAULT_SEED: Final = 2024
DEFAULT_HOTELS: Final = 150
MAX_HOTELS: Final = 1_000

# The small sample committed for the capstone's tests (tests/capstone/data/deals_sample.csv).
SAMPLE_PATH: Final = Path("tests/capstone/data/deals_sample.csv")
SAMPLE_ROWS: Final = 400
SAMPLE_SEED: Final = 7
SAMPLE_HOTELS: Final = 40

MIN_ORIGINAL_CENTS: Final = 30_00
MAX_DISCOUNT_PERCENT: Final = 70


@dataclass(frozen=True)
class City:
    name: str
    country: str
    phone_prefix: str  # country code and area code: "+1-212"
    base_price: int  # a typical 3-star standard room, in whole currency units


CITIES: Final[tuple[City, ...]] = (
    City("New York", "United States", "+1-212", 240),
    City("Chicago", "United States", "+1-312", 170),
    City("San Francisco", "United States", "+1-415", 220),
    City("Los Angeles", "United States", "+1-310", 190),
    City("Toronto", "Canada", "+1-416", 160),
    City("Montreal", "Canada", "+1-514", 140),
    City("Vancouver", "Canada", "+1-604", 165),
    City("Calgary", "Canada", "+1-403", 120),
    City("London", "United Kingdom", "+44-20", 210),
    City("Paris", "France", "+33-1", 200),
    City("Berlin", "Germany", "+49-30", 130),
    City("Rome", "Italy", "+39-06", 150),
    City("Barcelona", "Spain", "+34-93", 140),
    City("Amsterdam", "Netherlands", "+31-20", 175),
    City("Tokyo", "Japan", "+81-3", 180),
    City("Sydney", "Australia", "+61-2", 170),
    City("Singapore", "Singapore", "+65-6", 190),
    City("Dubai", "United Arab Emirates", "+971-4", 200),
)

_NAME_FIRST: Final = (
    "Lakeside", "Metro", "Crown", "City", "Silver", "Golden", "Harbor", "Grand", "Royal", "Park",
    "Riverside", "Sunset", "Ocean", "Summit", "Garden", "Old Town",
)  # fmt: skip
_NAME_SECOND: Final = (
    "Court", "Tower", "Lodge", "Hotel", "Residence", "Resort", "Inn", "Suites", "Palace", "House",
    "Central", "Plaza",
)  # fmt: skip

# Deals per star rating, skewed towards the top like the interview's data; each hotel jitters them.
_STAR_WEIGHTS: Final = (2.0, 8.0, 22.0, 32.0, 36.0)
_STAR_PRICE_FACTOR: Final = (0.55, 0.75, 1.0, 1.35, 1.9)
_STARS: Final = (1, 2, 3, 4, 5)
_ROOMS: Final = tuple(range(len(ROOM_TYPES)))
_ROOM_CUM_WEIGHTS: Final = tuple(accumulate((40.0, 25.0, 18.0, 10.0, 7.0)))
_ROOM_PRICE_FACTOR: Final = (1.0, 1.2, 1.45, 1.6, 2.3)
_NIGHTS: Final = tuple(range(1, 15))
_NIGHT_CUM_WEIGHTS: Final = tuple(accumulate((14.0, 18.0, 16.0, 12.0, 10.0, 7.0, 9.0, 3.0, 2.0, 2.0, 1.5, 1.0, 1.0, 3.5)))
_CATEGORY_COUNTS: Final = (1, 2, 3)
_CATEGORY_COUNT_CUM_WEIGHTS: Final = tuple(accumulate((5.0, 4.0, 1.0)))  # weights 5:4:1, a mean of 1.6
_NO_DISCOUNT_SHARE: Final = 0.25
_AVAILABLE_SHARE: Final = 0.85
_CREATED_FROM: Final = datetime(2025, 1, 1, tzinfo=UTC)
_CREATED_SPAN_SECONDS: Final = 365 * 24 * 3600


@dataclass(frozen=True)
class Hotel:
    name: str
    city: City
    phone: str
    star_cum_weights: tuple[float, ...]  # for rng.choices(cum_weights=...)
    popularity: float


def generate_hotels(rng: random.Random, count: int) -> list[Hotel]:
    """``count`` hotels with distinct phones and distinct (name, city) pairs, drawn from ``rng``."""
    if not 1 <= count <= MAX_HOTELS:
        raise ValueError(f"hotels must be between 1 and {MAX_HOTELS}, got {count}")
    hotels: list[Hotel] = []
    taken_names: set[tuple[str, str]] = set()
    taken_phones: set[str] = set()
    while len(hotels) < count:
        city = rng.choice(CITIES)
        name = f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_SECOND)}"
        phone = f"{city.phone_prefix}-555-{rng.randint(1000, 9999)}"
        if (name, city.name) in taken_names or phone in taken_phones:
            continue  # draw again: both are keys of the hotel
        taken_names.add((name, city.name))
        taken_phones.add(phone)
        star_weights = [weight * rng.uniform(0.6, 1.4) for weight in _STAR_WEIGHTS]
        hotels.append(Hotel(name, city, phone, tuple(accumulate(star_weights)), popularity=rng.uniform(0.7, 1.3)))
    return hotels


def generate_rows(rows: int, seed: int, hotels: int = DEFAULT_HOTELS) -> Iterator[dict[str, str]]:
    """The CSV's rows in order, each a dict from column name (``COLUMNS``) to its text."""
    if rows < 0:
        raise ValueError(f"rows must be zero or more, got {rows}")
    rng = random.Random(seed)
    catalogue = generate_hotels(rng, hotels)
    popularity = list(accumulate(hotel.popularity for hotel in catalogue))
    mean_gap = _CREATED_SPAN_SECONDS // max(rows, 1)
    created_at = _CREATED_FROM
    for external_id in range(1, rows + 1):
        hotel = rng.choices(catalogue, cum_weights=popularity)[0]
        star = rng.choices(_STARS, cum_weights=hotel.star_cum_weights)[0]
        room = rng.choices(_ROOMS, cum_weights=_ROOM_CUM_WEIGHTS)[0]

        typical = hotel.city.base_price * _STAR_PRICE_FACTOR[star - 1] * _ROOM_PRICE_FACTOR[room]
        original_cents = max(MIN_ORIGINAL_CENTS, round(typical * rng.uniform(0.85, 1.15)) * 100)
        if rng.random() < 0.3:
            original_cents -= 1  # a "199.99" price
        discount = 0 if rng.random() < _NO_DISCOUNT_SHARE else rng.randint(5, 60)
        price_cents = discounted_cents(original_cents, discount)

        created_at += timedelta(seconds=rng.randint(0, 2 * mean_gap))
        checkin = created_at.date() + timedelta(days=rng.randint(1, 180))
        checkout = checkin + timedelta(days=rng.choices(_NIGHTS, cum_weights=_NIGHT_CUM_WEIGHTS)[0])
        available = rng.random() < _AVAILABLE_SHARE
        how_many = rng.choices(_CATEGORY_COUNTS, cum_weights=_CATEGORY_COUNT_CUM_WEIGHTS)[0]
        categories = sorted(_pick_categories(rng, star, how_many))

        yield {
            "id": str(external_id),
            "hotel_name": hotel.name,
            "hotel_city": hotel.city.name,
            "hotel_country": hotel.city.country,
            "hotel_star_rating": str(star),
            "hotel_phone": hotel.phone,
            "room_type": ROOM_TYPES[room],
            "price_per_night": format_cents(price_cents),
            "original_price": format_cents(original_cents),
            "discount_percent": str(discount),
            "checkin_date": checkin.isoformat(),
            "checkout_date": checkout.isoformat(),
            "is_available": "true" if available else "false",
            "categories": ",".join(categories),
            "created_at": created_at.isoformat().replace("+00:00", "Z"),  # whole seconds: 2025-03-14T09:26:31Z
        }


def _pick_categories(rng: random.Random, star: int, how_many: int) -> list[str]:
    """``how_many`` distinct categories; "luxury" leans to 5-star deals and "budget" to 1-star ones."""
    weights = {"budget": 6.0 - star, "business": 3.0, "family": 3.0, "luxury": float(star), "romantic": 3.0}
    picked: list[str] = []
    for _ in range(how_many):
        name = rng.choices(list(weights), weights=list(weights.values()))[0]
        picked.append(name)
        del weights[name]
    return picked


def discounted_cents(original_cents: int, discount_percent: int) -> int:
    """The price after ``discount_percent`` off, rounded half up to the cent (integer arithmetic)."""
    return (original_cents * (100 - discount_percent) + 50) // 100


def format_cents(cents: int) -> str:
    """``19999`` -> ``"199.99"``."""
    return f"{cents // 100}.{cents % 100:02d}"


def write_rows(
    stream: TextIO, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, hotels: int = DEFAULT_HOTELS
) -> int:
    """Write the header and ``rows`` rows to ``stream`` (opened with ``newline=""``); return the row count."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in generate_rows(rows, seed, hotels):
        writer.writerow(row)
        written += 1
    return written


def write_csv(path: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, hotels: int = DEFAULT_HOTELS) -> None:
    """Write the data set to ``path`` (UTF-8, ``\\n`` line endings), replacing any file there."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_rows(stream, rows, seed, hotels)


def write_sample(root: Path) -> Path:
    """(Re)write the committed test sample under the kit's ``root``; return its path."""
    path = root / SAMPLE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, SAMPLE_ROWS, SAMPLE_SEED, SAMPLE_HOTELS)
    return path

