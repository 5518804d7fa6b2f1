"""HTTP handlers for /deals: parse the request, call the service or repository, shape the response."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from . import repository, service
from .db import SessionDep
from .errors import ApiError, MethodNotAllowed, validation_failed
from .repository import DealFilters
from .schemas import (
    MAX_ID,
    NO_NUL,
    UNAVAILABLE,
    CityStats,
    DealCreate,
    DealFeed,
    DealOut,
    DealPage,
    DealPatch,
    ErrorResponse,
)

router = APIRouter(
    prefix="/deals",
    tags=["deals"],
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 503: UNAVAILABLE},
)

PRICE_RANGE = "price_min must not be greater than price_max (a 422 naming price_min)"


def deal_filters(
    city: Annotated[
        str | None, Query(min_length=1, max_length=100, pattern=NO_NUL, description="case-insensitive")
    ] = None,
    min_stars: Annotated[int | None, Query(ge=1, le=5)] = None,
    price_min: Annotated[float | None, Query(ge=0, allow_inf_nan=False, description=PRICE_RANGE)] = None,
    price_max: Annotated[float | None, Query(ge=0, allow_inf_nan=False, description=PRICE_RANGE)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=50, pattern=NO_NUL)] = None,
) -> DealFilters:
    if price_min is not None and price_max is not None and price_min > price_max:
        message = "price_min must not be greater than price_max"
        raise validation_failed(message, [{"field": "price_min", "message": message}])
    return DealFilters(city=city, min_stars=min_stars, price_min=price_min, price_max=price_max, category=category)


Filters = Annotated[DealFilters, Depends(deal_filters)]
Limit = Annotated[int, Query(ge=1, le=100)]
DealId = Annotated[int, Path(ge=1, le=MAX_ID, description="1 to 2147483647 (PostgreSQL INTEGER)")]
Skip = Annotated[int, Query(ge=0, le=MAX_ID)]


def encode_cursor(last_id: int) -> str:
    """Opaque to clients: they pass it back, never build it, so the ordering can change without breaking them."""
    return base64.urlsafe_b64encode(json.dumps({"after_id": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after_id = data["after_id"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        after_id = None
    if not isinstance(after_id, int) or isinstance(after_id, bool) or not 0 <= after_id <= MAX_ID:
        raise ApiError(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid_cursor", "the cursor is not one this API issued")
    return after_id


@router.get("")
async def list_deals(db: SessionDep, filters: Filters, skip: Skip = 0, limit: Limit = 20) -> DealPage:
    deals, total = await repository.list_deals(db, filters, skip=skip, limit=limit)
    return DealPage(items=[DealOut.model_validate(deal) for deal in deals], total=total, skip=skip, limit=limit)


@router.get("/feed")
async def deal_feed(
    db: SessionDep,
    filters: Filters,
    after: Annotated[str | None, Query(min_length=1, description="next_cursor of the previous page, as issued")] = None,
    limit: Limit = 20,
) -> DealFeed:
    after_id = decode_cursor(after) if after is not None else 0
    deals = await repository.deals_after(db, filters, after_id=after_id, limit=limit + 1)
    page, more = deals[:limit], len(deals) > limit
    next_cursor = encode_cursor(page[-1].id) if more else None
    return DealFeed(items=[DealOut.model_validate(deal) for deal in page], next_cursor=next_cursor)


@router.get("/stats")
async def deal_stats(db: SessionDep, available_only: bool = False) -> list[CityStats]:
    rows = await repository.city_stats(db, available_only=available_only)
    return [CityStats(city=row.city, avg_price=row.avg_price, deal_count=row.deal_count) for row in rows]


@router.api_route("/feed", methods=["POST", "PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False)
@router.api_route("/stats", methods=["POST", "PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False)
async def read_only() -> None:
    # Without these, PATCH /deals/stats would reach PATCH /deals/{deal_id} and answer 422 ("stats" is
    # not an id) where the client needs 405: the path exists, the method does not.
    raise MethodNotAllowed("GET")


@router.get("/{deal_id}")
async def get_deal(db: SessionDep, deal_id: DealId) -> DealOut:
    return DealOut.model_validate(await service.get_deal(db, deal_id))


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_deal(db: SessionDep, body: DealCreate) -> DealOut:
    return DealOut.model_validate(await service.create_deal(db, body))


@router.patch("/{deal_id}", responses={409: {"model": ErrorResponse}})
async def update_deal(db: SessionDep, deal_id: DealId, body: DealPatch) -> DealOut:
    return DealOut.model_validate(await service.update_deal(db, deal_id, body))


@router.delete("/{deal_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_deal(db: SessionDep, deal_id: DealId) -> Response:
    await service.delete_deal(db, deal_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
