"""The schema: hotels 1 -- N deals N -- M categories.

Facts from the data (see the README) become constraints, so bad rows fail loudly whatever path they
take into the database (the API, the loader, a psql session):

- a hotel is identified by its phone, and (name, city, country) is unique too;
- ``star_rating`` belongs to the deal (one hotel's deals carry different ratings); the hotel's
  ``avg_star_rating`` is computed from its deals in SQL, never stored;
- the CSV's ``id`` is another system's key: kept as ``external_id`` (unique, the loader's upsert
  key), while the database generates its own primary key;
- ``version`` drives optimistic locking: SQLAlchemy adds ``AND version = :loaded`` to every UPDATE
  and DELETE, so a write based on a stale read fails instead of silently winning.

Relationships are ``lazy="raise"``: an async session cannot lazy-load, and an accidental lazy load
is an N+1 anyway, so every query states what it loads (``selectinload``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .db import Base

Money = Numeric(10, 2, asdecimal=False)

deal_categories = Table(
    "deal_categories",
    Base.metadata,
    Column("deal_id", ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    # The primary key (deal_id, category_id) serves "categories of these deals"; this index serves
    # the other direction, "deals in this category", which the category filter needs.
    Index("ix_deal_categories_category_id", "category_id"),
)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("star_rating BETWEEN 1 AND 5", name="star_rating_range"),
        CheckConstraint("price_per_night > 0", name="price_positive"),
        CheckConstraint("original_price > 0", name="original_price_positive"),
        CheckConstraint("original_price >= price_per_night", name="price_not_above_original"),
        CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount_range"),
        CheckConstraint("checkout_date > checkin_date", name="checkout_after_checkin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[int | None] = mapped_column(unique=True)
    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), index=True)
    room_type: Mapped[str] = mapped_column(String(50))
    star_rating: Mapped[int] = mapped_column(index=True)
    price_per_night: Mapped[float] = mapped_column(Money, index=True)
    original_price: Mapped[float] = mapped_column(Money)
    discount_percent: Mapped[int]
    checkin_date: Mapped[date]
    checkout_date: Mapped[date]
    is_available: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    hotel: Mapped[Hotel] = relationship(back_populates="deals", lazy="raise")
    categories: Mapped[list[Category]] = relationship(
        secondary=deal_categories, order_by=Category.name, lazy="raise"
    )

    # The ORM adds "AND version = :loaded_version" to UPDATE/DELETE and raises StaleDataError when no
    # row matches; the service bumps the number itself (generator off), once per accepted PATCH.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class Hotel(Base):
    __tablename__ = "hotels"
    __table_args__ = (UniqueConstraint("name", "city", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), unique=True)

    # Loaded with the hotel, as a correlated subquery: one statement for any number of hotels.
    avg_star_rating: Mapped[float | None] = column_property(
        select(cast(func.avg(Deal.star_rating), Float))
        .where(Deal.hotel_id == id)
        .correlate_except(Deal)
        .scalar_subquery()
    )

    deals: Mapped[list[Deal]] = relationship(back_populates="hotel", lazy="raise", passive_deletes=True)


# Case-insensitive city search compares lower(city): only an index on that expression can serve it.
Index("ix_hotels_city_lower", func.lower(Hotel.city))
