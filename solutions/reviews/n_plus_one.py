"""The order list endpoint, reviewed: two queries per page, however many orders it holds.

The flawed version awaited each order's customer and lines one by one (``awaitable_attrs``): one query
for the page, then one or two more per order, the N+1 pattern. Here the query says up front what it
needs: ``joinedload`` pulls the customer into the same SELECT (a many-to-one adds one row's columns),
``selectinload`` fetches every line of the page in one ``WHERE order_id IN (...)`` query (a one-to-many
joined in would repeat each order once per line). ``lazy="raise"`` on the relationships turns any
future accidental lazy load into an error in tests instead of a slow page in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship, selectinload


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[Customer] = relationship(lazy="raise")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id", lazy="raise")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    quantity: int
    unit_price: Decimal


class OrderOut(BaseModel):
    id: int
    customer: str
    lines: list[OrderLineOut]
    total: Decimal

    @classmethod
    def from_order(cls, order: Order) -> OrderOut:
        lines = [OrderLineOut.model_validate(line) for line in order.lines]
        total = sum((line.quantity * line.unit_price for line in lines), Decimal(0))
        return cls(id=order.id, customer=order.customer.name, lines=lines, total=total)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session_factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with session_factory() as session:
        yield session


def create_app(session_factory: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI(title="Back office")
    app.state.session_factory = session_factory

    @app.get("/orders")
    async def list_orders(
        session: Annotated[AsyncSession, Depends(get_session)],
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> list[OrderOut]:
        query = select(Order).order_by(Order.id).limit(limit)
        # Say up front what the response needs: the customer joined in, every line of the page in one IN query.
        query = query.options(joinedload(Order.customer), selectinload(Order.lines))
        orders = (await session.scalars(query)).all()
        return [OrderOut.from_order(order) for order in orders]

    return app
