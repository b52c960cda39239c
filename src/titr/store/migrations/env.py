"""Alembic environment: uses the connection titr hands over (or TITR_DATABASE_URL)."""

from alembic import context
from sqlalchemy import create_engine

from titr.store.tables import metadata

config = context.config


def _run(connection):  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


conn = config.attributes.get("connection")
if conn is not None:
    _run(conn)
else:
    from titr.store.db import database_url

    engine = create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as c:
        _run(c)
