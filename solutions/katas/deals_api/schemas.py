"""Request and response bodies. Validation that needs no database happens here, before any query.

The cross-field rules (checkout after checkin, price not above the original) live on ``DealFields``
and run on creation and on the *merged* result of a PATCH: a patch that only moves the checkout date
can still make the deal invalid.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

StarRating = Annotated[int, Field(ge=1, le=5)]
Price = Annotated[float, Field(gt=0, le=99_999_999.99)]
Discount = Annotated[int, Field(ge=0, le=100)]
RoomType = Annotated[str, Field(min_length=1, max_length=50)]
CategoryName = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v), Field(min_length=1, max_length=50)]


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
    checkin_date: date
    checkout_date: date
    is_available: bool = True

    @model_validator(mode="after")
    def check_consistency(self) -> Self:
        if self.checkout_date <= self.checkin_date:
            raise ValueError("checkout_date must be after checkin_date")
        if self.original_price < self.price_per_night:
            raise ValueError("original_price must not be below price_per_night")
        return self


class DealCreate(DealFields):
    model_config = ConfigDict(extra="forbid")

    hotel_id: int
    categories: list[CategoryName] = Field(default_factory=list, max_length=20)


class DealPatch(BaseModel):
    """Every field optional: only the fields sent change. ``version``, if sent, must be the current one."""

    model_config = ConfigDict(extra="forbid")

    room_type: RoomType | None = None
    star_rating: StarRating | None = None
    price_per_night: Price | None = None
    original_price: Price | None = None
    discount_percent: Discount | None = None
    checkin_date: date | None = None
    checkout_date: date | None = None
    is_available: bool | None = None
    categories: list[CategoryName] | None = Field(default=None, max_length=20)
    version: int | None = None

    @model_validator(mode="after")
    def reject_explicit_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"these fields cannot be null: {', '.join(nulls)}")
        return self


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
