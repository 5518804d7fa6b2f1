"""Round 6: categories move from a comma-separated text column to categories + deal_categories.

A data migration: it parses the text, de-duplicates the names (trimmed, lower-case), links every
deal to its categories and only then drops the column. The downgrade rebuilds the text from the
links, names in alphabetical order joined by "," (the form the CSV uses), so upgrade + downgrade
gives back exactly the text that was there.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Lightweight table stand-ins: a migration must not import the app's models, which keep changing.
deals = sa.table("deals", sa.column("id", sa.Integer()), sa.column("categories", sa.Text()))


def split_names(text: str | None) -> list[str]:
    """``"business, Luxury,,luxury"`` -> ``["business", "luxury"]``."""
    return sorted({name.strip().lower() for name in (text or "").split(",") if name.strip()})


def upgrade() -> None:
    categories = op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
    )
    deal_categories = op.create_table(
        "deal_categories",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("deal_id", "category_id", name=op.f("pk_deal_categories")),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_categories_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_deal_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_deal_categories_category_id", "deal_categories", ["category_id"])

    bind = op.get_bind()
    parsed = [(deal_id, split_names(text)) for deal_id, text in bind.execute(sa.select(deals.c.id, deals.c.categories))]
    names = sorted({name for _, deal_names in parsed for name in deal_names})
    if names:
        bind.execute(categories.insert(), [{"name": name} for name in names])
        ids = dict(bind.execute(sa.select(categories.c.name, categories.c.id)).all())
        links = [{"deal_id": deal_id, "category_id": ids[name]} for deal_id, deal_names in parsed for name in deal_names]
        bind.execute(deal_categories.insert(), links)

    op.drop_column("deals", "categories")


def downgrade() -> None:
    op.add_column("deals", sa.Column("categories", sa.Text(), server_default="", nullable=False))

    bind = op.get_bind()
    links = bind.execute(
        sa.text(
            "SELECT dc.deal_id, c.name FROM deal_categories dc JOIN categories c ON c.id = dc.category_id"
        )
    )
    names_by_deal: defaultdict[int, list[str]] = defaultdict(list)
    for deal_id, name in links:
        names_by_deal[deal_id].append(name)
    if names_by_deal:
        bind.execute(
            deals.update().where(deals.c.id == sa.bindparam("deal_id")).values(categories=sa.bindparam("text")),
            [{"deal_id": deal_id, "text": ",".join(sorted(names))} for deal_id, names in names_by_deal.items()],
        )

    op.drop_index("ix_deal_categories_category_id", table_name="deal_categories")
    op.drop_table("deal_categories")
    op.drop_table("categories")
