"""Data access: every query the API runs, and nothing else (no HTTP, no business rules).

Functions take an ``AsyncSession`` and return ORM objects or plain rows. Lists always load their
relationships eagerly with ``selectinload`` (one extra statement per relationship, whatever the
page size), so the number of statements per request is constant: no N+1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, desc, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .models import Category, Deal, Hotel


@dataclass(frozen=True)
class DealFilters:
    """Optional filters, combined with AND. ``None`` means "do not filter on this"."""

    city: str | None = None
    min_stars: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    category: str | None = None


@dataclass(frozen=True)
class CityStatsRow:
    city: str
    avg_price: float
    deal_count: int


def _money(value: float) -> ColumnElement[Decimal]:
    """A price bound as NUMERIC, like the column. Bound as a float, PostgreSQL would compare
    ``price_per_night::float8 >= $1`` and could not use the index on the NUMERIC column."""
    return literal(Decimal(str(value)), Numeric())


def _filtered(statement: Select[Any], filters: DealFilters) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if filters.city is not None:
        statement = statement.join(Deal.hotel)
        # lower() on both sides, matching the ix_hotels_city_lower expression index.
        conditions.append(func.lower(Hotel.city) == func.lower(filters.city))
    if filters.min_stars is not None:
        conditions.append(Deal.star_rating >= filters.min_stars)
    if filters.price_min is not None:
        conditions.append(Deal.price_per_night >= _money(filters.price_min))
    if filters.price_max is not None:
        conditions.append(Deal.price_per_night <= _money(filters.price_max))
    if filters.category is not None:
        # EXISTS (a semi-join): a deal matches once, however many categories it has.
        conditions.append(Deal.categories.any(Category.name == filters.category.strip().lower()))
    return statement.where(*conditions)


def _deals() -> Select[Deal]:
    return select(Deal).options(selectinload(Deal.hotel), selectinload(Deal.categories))


async def list_deals(
    session: AsyncSession, filters: DealFilters, *, skip: int, limit: int
) -> tuple[Sequence[Deal], int]:
    """One page in id order, and the number of deals matching the filters (not just this page)."""
    page = _filtered(_deals(), filters).order_by(Deal.id).offset(skip).limit(limit)
    count = _filtered(select(func.count()).select_from(Deal), filters)
    total = (await session.execute(count)).scalar_one()
    deals = (await session.scalars(page)).all()
    return deals, total


async def deals_after(session: AsyncSession, filters: DealFilters, *, after_id: int, limit: int) -> Sequence[Deal]:
    """Keyset page: up to ``limit`` deals with id > ``after_id``, in id order (an index seek, no OFFSET)."""
    statement = _filtered(_deals(), filters).where(Deal.id > after_id).order_by(Deal.id).limit(limit)
    return (await session.scalars(statement)).all()


async def get_deal(session: AsyncSession, deal_id: int, *, for_update: bool = False) -> Deal | None:
    """The deal with its hotel and categories; ``for_update`` locks its row until the transaction ends.

    The lock is what makes concurrent writes to one deal queue up instead of racing: PostgreSQL makes a
    second ``SELECT ... FOR UPDATE`` wait for the first transaction, then returns the row as committed
    (the new version, or no row after a delete). SQLite has no row locks and omits the clause; its
    writers are serialised by the database lock instead.
    """
    statement = _deals().where(Deal.id == deal_id).execution_options(populate_existing=True)
    if for_update:
        statement = statement.with_for_update(of=Deal)
    return (await session.scalars(statement)).one_or_none()


async def hotel_exists(session: AsyncSession, hotel_id: int) -> bool:
    return await session.get(Hotel, hotel_id) is not None


async def categories_named(session: AsyncSession, names: Sequence[str]) -> list[Category]:
    """The categories with these names, creating the missing ones."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    existing = {c.name: c for c in await session.scalars(select(Category).where(Category.name.in_(wanted)))}
    for name in wanted:
        if name not in existing:
            existing[name] = Category(name=name)
            session.add(existing[name])
    return [existing[name] for name in wanted]


async def add_deal(session: AsyncSession, deal: Deal) -> Deal:
    session.add(deal)
    await session.flush()
    loaded = await get_deal(session, deal.id)
    assert loaded is not None
    return loaded


async def save_deal(session: AsyncSession, deal: Deal) -> Deal:
    """Flush pending changes (raises StaleDataError if someone else changed the row) and reload."""
    await session.flush()
    loaded = await get_deal(session, deal.id)
    assert loaded is not None
    return loaded


async def delete_deal(session: AsyncSession, deal: Deal) -> None:
    await session.delete(deal)
    await session.flush()


async def city_stats(session: AsyncSession, *, available_only: bool) -> list[CityStatsRow]:
    """Average nightly price and deal count per city, in one GROUP BY query, busiest city first."""
    deal_count = func.count(Deal.id).label("deal_count")
    statement = (
        select(Hotel.city, func.round(func.avg(Deal.price_per_night), 2).label("avg_price"), deal_count)
        .select_from(Deal)
        .join(Deal.hotel)
        .group_by(Hotel.city)
        .order_by(desc(deal_count), Hotel.city)
    )
    if available_only:
        statement = statement.where(Deal.is_available.is_(True))
    rows = await session.execute(statement)
    return [CityStatsRow(city=row.city, avg_price=float(row.avg_price), deal_count=row.deal_count) for row in rows]
