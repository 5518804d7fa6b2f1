"""Request and response bodies. Validation that needs no database happens here, before any query.

The cross-field rules (checkout after checkin, price not above the original) live on ``DealFields``
and run on creation and on the *merged* result of a PATCH: a patch that only moves the checkout date
can still make the deal invalid.

Request fields are strict, so the OpenAPI schema says exactly what is accepted: ``"star_rating": "5"``
and ``"checkin_date": 0`` are 422s, not silently coerced. Every bound is the database's own:

- ids and versions are PostgreSQL ``INTEGER`` (1 to 2,147,483,647): a larger number is a 422, never a
  500 from the driver;
- prices are exact cents (``NUMERIC(10, 2)``): 0.01 to 99,999,999.99, and more decimals are rounded
  half up to the cent *before* any rule or the database sees them, so SQLite and PostgreSQL store and
  answer the same number (a float column would keep ``5e-324``; NUMERIC would round it to 0.00);
- text cannot hold a NUL character (PostgreSQL refuses it): the pattern says so in the schema.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Final, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

MAX_ID: Final = 2**31 - 1
"""PostgreSQL INTEGER's largest value: ids, versions and the cursor's position stay below it."""
MAX_PRICE: Final = 99_999_999.99
NO_NUL: Final = r"^[^\x00]*$"
"""Text without a NUL character (PostgreSQL rejects NUL in text), as a JSON Schema pattern."""
CENT: Final = Decimal("0.01")


def to_cents(value: float) -> float:
    """Round half up to the cent, from the number as written (``repr``), not its binary approximation."""
    return float(Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def _written_as_a_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (or a ``date``) is a date: pydantic alone would read 0 as 1970-01-01."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _a_json_integer(value: Any) -> Any:
    """JSON Schema's integer: 5 and 5.0 (a number with no fraction), never "5" or true."""
    if isinstance(value, str | bool):
        raise ValueError("must be an integer (a JSON number), not text or a boolean")
    return value


# FastAPI validates the parsed JSON in Python mode, where pydantic would otherwise turn "5" into 5 and
# "yes" into True; the schema says integer, number and boolean, so the server takes only those.
# (The bounds come before the validator, so the OpenAPI schema still shows them as minimum and maximum.)
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_a_json_integer)]
StarRating = Annotated[int, Field(ge=1, le=5), BeforeValidator(_a_json_integer)]
Flag = Annotated[bool, Strict()]
Price = Annotated[
    float,
    Strict(),
    Field(ge=0.01, le=MAX_PRICE, allow_inf_nan=False, description="in cents: more decimals are rounded half up"),
    AfterValidator(to_cents),
]
Discount = Annotated[int, Field(ge=0, le=100), BeforeValidator(_a_json_integer)]
Day = Annotated[date, BeforeValidator(_written_as_a_date)]
RoomType = Annotated[str, Strict(), Field(min_length=1, max_length=50, pattern=NO_NUL)]
CategoryName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50, pattern=NO_NUL)
]
Categories = Annotated[list[CategoryName], Field(max_length=20)]


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive timestamps (stored as UTC); PostgreSQL aware ones. Clients always get UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _category_names(value: Any) -> Any:
    """ORM ``Category`` objects (or plain names) to a list of names."""
    if isinstance(value, list):
        return [getattr(item, "name", item) for item in value]
    return value


class HotelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    city: str
    country: str
    phone: str
    avg_star_rating: float | None


class DealFields(BaseModel):
    """A deal's own fields, with the rules that involve several of them."""

    room_type: RoomType
    star_rating: StarRating
    price_per_night: Price
    original_price: Price
    discount_percent: Discount = 0
    checkin_date: Day
    checkout_date: Day
    is_available: Flag = True

    @model_validator(mode="after")
    def check_consistency(self) -> Self:
        if self.checkout_date <= self.checkin_date:
            raise ValueError("checkout_date must be after checkin_date")
        if self.original_price < self.price_per_night:
            raise ValueError("original_price must not be below price_per_night")
        return self


class DealCreate(DealFields):
    model_config = ConfigDict(extra="forbid")

    hotel_id: Id
    categories: Categories = Field(default_factory=list)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _omitted() -> Any:
    """A PATCH field's default: not sent means "leave it". The schema shows no default, and null is not
    a valid value (a 422), so the field's type stays the one documented."""
    return Field(default=None, json_schema_extra=_no_default)


class DealPatch(BaseModel):
    """Every field optional: only the fields sent change. ``version``, if sent, must be the current one.

    A field that was not sent holds the placeholder ``None`` (never validated, never documented); the
    service reads only ``model_dump(exclude_unset=True)``, the fields the client did send.
    """

    model_config = ConfigDict(extra="forbid")

    room_type: RoomType = _omitted()
    star_rating: StarRating = _omitted()
    price_per_night: Price = _omitted()
    original_price: Price = _omitted()
    discount_percent: Discount = _omitted()
    checkin_date: Day = _omitted()
    checkout_date: Day = _omitted()
    is_available: Flag = _omitted()
    categories: Categories = _omitted()
    version: Id = _omitted()


class DealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: int | None
    hotel: HotelOut
    room_type: str
    star_rating: int
    price_per_night: float
    original_price: float
    discount_percent: int
    checkin_date: date
    checkout_date: date
    is_available: bool
    categories: Annotated[list[str], BeforeValidator(_category_names)]
    created_at: Annotated[datetime, AfterValidator(_as_utc)]
    version: int


class DealPage(BaseModel):
    items: list[DealOut]
    total: int
    skip: int
    limit: int


class DealFeed(BaseModel):
    items: list[DealOut]
    next_cursor: str | None


class CityStats(BaseModel):
    city: str
    avg_price: float
    deal_count: int


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The shape of every error response (documented in OpenAPI)."""

    error: ErrorBody


class Status(BaseModel):
    status: str


UNAVAILABLE: Final[dict[str, Any]] = {
    "model": ErrorResponse,
    "description": "the database is unreachable, refusing connections, or every pooled connection is busy",
    "headers": {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
}
"""The documented 503 ``database_unavailable``, for every route that needs the database."""
