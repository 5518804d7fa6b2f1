"""Business rules between HTTP and the database: existence checks, optimistic locking, merged validation.

Raises ``ApiError`` (404/409/422), which the error handlers turn into the JSON error envelope.

Concurrent writes to one deal (stated in the spec, tested on PostgreSQL): PATCH and DELETE read the
deal ``FOR UPDATE``, so they run one after another. A PATCH without ``version`` therefore never gets a
409 (it applies to whatever is current); of N PATCHes sent with the same version exactly one wins and
the others get 409; of N DELETEs one gets 204 and the others 404, because the row is gone once they
get their turn.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from . import repository
from .errors import ApiError, from_validation_error, not_found
from .models import Deal
from .schemas import DealCreate, DealFields, DealPatch


async def get_deal(session: AsyncSession, deal_id: int, *, for_update: bool = False) -> Deal:
    deal = await repository.get_deal(session, deal_id, for_update=for_update)
    if deal is None:
        raise not_found("deal_not_found", f"deal {deal_id} does not exist")
    return deal


async def create_deal(session: AsyncSession, data: DealCreate) -> Deal:
    # Checked first for a clear 404; the foreign key still guards against a race with a delete.
    if not await repository.hotel_exists(session, data.hotel_id):
        raise not_found("hotel_not_found", f"hotel {data.hotel_id} does not exist")
    deal = Deal(**data.model_dump(exclude={"categories"}))
    deal.categories = await repository.categories_named(session, data.categories)
    return await repository.add_deal(session, deal)


def _version_conflict(deal_id: int) -> ApiError:
    return ApiError(409, "version_conflict", f"deal {deal_id} was changed by someone else; reload it and retry")


async def update_deal(session: AsyncSession, deal_id: int, patch: DealPatch) -> Deal:
    deal = await get_deal(session, deal_id, for_update=True)
    sent = patch.model_fields_set
    if "version" in sent and patch.version != deal.version:
        raise _version_conflict(deal_id)
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "categories"})
    current = DealFields.model_validate(deal, from_attributes=True).model_dump()
    try:
        merged = DealFields.model_validate(current | changes)  # the rules hold for the result, not just the patch
    except ValidationError as error:
        raise from_validation_error(error) from None
    for name in changes:
        setattr(deal, name, getattr(merged, name))
    if "categories" in sent:
        deal.categories = await repository.categories_named(session, patch.categories)
    deal.version += 1  # every accepted PATCH is a new version, even one that only touches categories
    try:
        return await repository.save_deal(session, deal)
    except StaleDataError:
        # Someone committed between our read and our UPDATE ... WHERE version = :read_version.
        raise _version_conflict(deal_id) from None


async def delete_deal(session: AsyncSession, deal_id: int) -> None:
    deal = await get_deal(session, deal_id, for_update=True)
    try:
        await repository.delete_deal(session, deal)
    except StaleDataError:
        raise _version_conflict(deal_id) from None
