"""The reference deals API with its list endpoint written the N+1 way, for `dojo bench round7`.

Everything but ``GET /deals`` is the reference's. The list runs the same COUNT and page query, then
fetches each deal's hotel and categories on their own: one query per row and relationship, the
shape an ORM's lazy loading produces (a hotel already in the session's identity map costs no query,
as with a real lazy load). Served by uvicorn in a child process:

    uvicorn --factory --app-dir solutions dojo.bench.n_plus_one:create_app

It imports ``katas.deals_api`` from whichever tree is first on ``sys.path`` (``--app-dir``). (No
``from __future__ import annotations`` here: FastAPI must see the handler's annotations as objects,
and ``SessionDep`` is imported inside the factory.)
"""

from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value


def create_app(settings: Any = None) -> FastAPI:
    from katas.deals_api.db import SessionDep
    from katas.deals_api.main import create_app as create_reference_app
    from katas.deals_api.models import Category, Deal, Hotel, deal_categories
    from katas.deals_api.schemas import DealOut, DealPage

    async def list_deals(
        db: SessionDep,
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> DealPage:
        total = (await db.execute(select(func.count()).select_from(Deal))).scalar_one()
        deals = (await db.scalars(select(Deal).order_by(Deal.id).offset(skip).limit(limit))).all()
        for deal in deals:  # the N: a query per deal for its hotel, and one for its categories
            set_committed_value(deal, "hotel", await db.get(Hotel, deal.hotel_id))
            links = select(Category).join(deal_categories).where(deal_categories.c.deal_id == deal.id)
            set_committed_value(deal, "categories", list(await db.scalars(links.order_by(Category.name))))
        return DealPage(items=[DealOut.model_validate(deal) for deal in deals], total=total, skip=skip, limit=limit)

    app = create_reference_app(settings)
    # Routes match in order: put this one first, and GET /deals never reaches the reference's handler.
    app.router.routes.insert(0, APIRoute("/deals", list_deals, methods=["GET"], response_model=DealPage))
    return app
