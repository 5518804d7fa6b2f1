"""Alembic's environment: runs migrations on the connection ``deals_api.migrations`` passes in.

Not meant for the ``alembic`` command line (there is no alembic.ini): use
``python -m katas.deals_api.migrations ...``, which opens the connection and sets
``config.attributes["connection"]`` and ``["target_metadata"]``.
"""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through katas.deals_api.migrations (upgrade/downgrade/revision)")

context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    # SQLite cannot ALTER most things in place: autogenerate writes batch operations (copy and swap).
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
