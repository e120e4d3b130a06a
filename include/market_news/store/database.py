"""Engines for SQLite and PostgreSQL, and programmatic Alembic migrations.

The store runs in two shapes: an SQLite file for `make demo` and the command line, and
PostgreSQL under Airflow's CeleryExecutor, where several workers write at once. Both
must give the same guarantees, so each engine is set up here for concurrent writers:

- SQLite: WAL (readers never block the writer), a busy timeout (a second writer waits
  instead of failing with "database is locked"), foreign keys on, and every
  transaction opened with `BEGIN IMMEDIATE`, so a read-then-write transaction takes the
  write lock before it reads and two of them serialise instead of deadlocking.
- PostgreSQL: psycopg 3, pre-ping (pooled connections survive a server restart).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Arbitrary constant naming the PostgreSQL advisory lock taken while migrating.
_MIGRATION_LOCK_ID = 0x6D6E5F6D6967  # "mn_mig"


def normalise_url(url: str | URL) -> URL:
    """The URL with a driver chosen: bare `postgresql://` (or `postgres://`) means psycopg 3.

    The interface documents `postgresql+psycopg://`; accepting the bare spelling too
    avoids falling back to psycopg2, which the store is not tested with.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in {"postgres", "postgresql"}:
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for the store at `url`, set up for concurrent writers (module docstring)."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, engine_options)
    if backend == "postgresql":
        engine_options.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **engine_options)
    raise ValueError(f"unsupported store database {backend!r}: use sqlite or postgresql")


def _sqlite_engine(url: URL, options: dict[str, Any]) -> Engine:
    database = url.database or ""
    in_memory = database in {"", ":memory:"} or database.startswith("file::memory:")
    if in_memory:
        # One connection shared by everyone: each new :memory: connection is a new database.
        options.setdefault("poolclass", StaticPool)
        options.setdefault("connect_args", {"check_same_thread": False})
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Stop the sqlite3 module from issuing its own deferred BEGIN; `_on_sqlite_begin` does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations, no `alembic.ini`.

    With `connection` given, `env.py` runs on it instead of opening its own engine.
    Alembic is imported here, not at module level: it is only needed when migrating,
    and importing it costs every process that merely uses the store.
    """
    from alembic.config import Config  # noqa: PLC0415 - lazy, see docstring

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store's schema to `revision`; a no-op when it is already there.

    Runs in one transaction. On PostgreSQL an advisory lock makes concurrent callers
    (several tasks opening the store at once on a fresh database) take turns; on SQLite
    `BEGIN IMMEDIATE` does the same. The second caller then finds the schema at head.
    """
    from alembic import command  # noqa: PLC0415 - lazy: only migrating needs Alembic

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": _MIGRATION_LOCK_ID}
            )
        command.upgrade(alembic_config(connection), revision)


__all__ = ["MIGRATIONS_DIR", "alembic_config", "create_store_engine", "migrate", "normalise_url"]
