"""Round 3: indexes for the list filters.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The city filter compares lower(city) = lower(:city): a plain index on city could not serve it.
    op.create_index("ix_hotels_city_lower", "hotels", [sa.text("lower(city)")])
    op.create_index(op.f("ix_deals_star_rating"), "deals", ["star_rating"])
    op.create_index(op.f("ix_deals_price_per_night"), "deals", ["price_per_night"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deals_price_per_night"), table_name="deals")
    op.drop_index(op.f("ix_deals_star_rating"), table_name="deals")
    op.drop_index("ix_hotels_city_lower", table_name="hotels")
