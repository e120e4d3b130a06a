"""Alembic environment for the market-news store.

Migrations normally run through `market_news.store.database.migrate`, which hands over
an open connection (inside the transaction that holds the migration lock). Run from the
`alembic` command line instead, the URL comes from `sqlalchemy.url` or the
`MARKET_NEWS_DB_URL` setting.
"""

from __future__ import annotations

import os

from alembic import context
from market_news.store.database import create_store_engine
from market_news.store.schema import Base
from sqlalchemy.engine import Connection

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode recreates the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the given connection, or over a new engine from the configuration."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or os.environ["MARKET_NEWS_DB_URL"]
    engine = create_store_engine(url)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
