"""Code review: the order list endpoint (~15 min).

"GET /orders backs the back-office order list. It was fine in staging with ten orders; in production
the page takes seconds and the database graphs show a wall of tiny queries. Review it, then fix it."

Read it as a reviewer first: say what happens per request and what each problem costs in production.
Then fix this file in place: the same URL, `limit` (1 to 200, default 50) and JSON shape (an order
with no lines totals 0), the same API docs (titled "Back office"), a number of queries per request that
does not grow with the number of orders, and a file that `dojo lint n_plus_one` passes.

`create_app(session_factory)` is the seam the tests use: they pass their own SQLite database.

Run `dojo check n_plus_one`; `dojo hint n_plus_one` when stuck.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.ext.asyncio import AsyncAttrs, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order: Mapped[Order] = relationship(back_populates="lines")
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


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session_factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with session_factory() as session:
        yield session


def create_app(session_factory: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI(title="Back office")
    app.state.session_factory = session_factory

    @app.get("/orders")
    async def list_orders(limit: int = Query(50, ge=1, le=200), session=Depends(get_session)) -> list[OrderOut]:
        orders = (await session.scalars(select(Order).order_by(Order.id).limit(limit))).all()
        result = []
        for order in orders:
            customer = await order.awaitable_attrs.customer
            lines = await order.awaitable_attrs.lines
            result.append(
                OrderOut(
                    id=order.id,
                    customer=customer.name,
                    lines=[OrderLineOut.model_validate(line) for line in lines],
                    total=sum((line.quantity * line.unit_price for line in lines), Decimal(0)),
                )
            )
        return result

    return app
