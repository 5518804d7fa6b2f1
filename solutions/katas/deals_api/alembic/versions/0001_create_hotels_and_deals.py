"""Round 1: hotels and deals, with the data's rules as constraints.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("country", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotels")),
        sa.UniqueConstraint("phone", name=op.f("uq_hotels_phone")),
        sa.UniqueConstraint("name", "city", "country", name=op.f("uq_hotels_name_city_country")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Integer(), nullable=True),
        sa.Column("hotel_id", sa.Integer(), nullable=False),
        sa.Column("room_type", sa.String(50), nullable=False),
        sa.Column("star_rating", sa.Integer(), nullable=False),
        sa.Column("price_per_night", sa.Numeric(10, 2), nullable=False),
        sa.Column("original_price", sa.Numeric(10, 2), nullable=False),
        sa.Column("discount_percent", sa.Integer(), nullable=False),
        sa.Column("checkin_date", sa.Date(), nullable=False),
        sa.Column("checkout_date", sa.Date(), nullable=False),
        sa.Column("is_available", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("external_id", name=op.f("uq_deals_external_id")),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["hotels.id"], name=op.f("fk_deals_hotel_id_hotels"), ondelete="CASCADE"
        ),
        sa.CheckConstraint("star_rating BETWEEN 1 AND 5", name=op.f("ck_deals_star_rating_range")),
        sa.CheckConstraint("price_per_night > 0", name=op.f("ck_deals_price_positive")),
        sa.CheckConstraint("original_price > 0", name=op.f("ck_deals_original_price_positive")),
        sa.CheckConstraint("original_price >= price_per_night", name=op.f("ck_deals_price_not_above_original")),
        sa.CheckConstraint("discount_percent BETWEEN 0 AND 100", name=op.f("ck_deals_discount_range")),
        sa.CheckConstraint("checkout_date > checkin_date", name=op.f("ck_deals_checkout_after_checkin")),
    )
    # PostgreSQL does not index foreign keys by itself; joins and "deals of this hotel" need it.
    op.create_index(op.f("ix_deals_hotel_id"), "deals", ["hotel_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deals_hotel_id"), table_name="deals")
    op.drop_table("deals")
    op.drop_table("hotels")
