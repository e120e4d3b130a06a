"""Read-only access to the store for the monitoring page.

The page must never get in the pipeline's way, and never change the store:

- SQLite: the store's own engine opens every transaction with `BEGIN IMMEDIATE` (it
  takes the write lock, right for writers). A page that refreshes every 30 seconds must
  not queue behind, or in front of, a writing task, so the monitor uses its own engine:
  a deferred `BEGIN` (a WAL read snapshot, no lock), `PRAGMA query_only`, and it never
  creates the database file when it is missing.
- PostgreSQL: the store's engine settings, with read-only `REPEATABLE READ`
  transactions, so the figures of one page come from one snapshot.

A store that does not exist yet, or whose tables were never created, reads as "not
ready" (`snapshot` yields None) instead of raising: the page then says so.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.pool import ConnectionPoolEntry

from market_news.store import create_store_engine
from market_news.store.database import SQLITE_BUSY_TIMEOUT_MS, normalise_url

#: A table every migrated store has; its absence means "never migrated".
_MARKER_TABLE = "alerts"


def describe_url(url: str | URL) -> str:
    """The URL as safe to show on a page: the password hidden."""
    return normalise_url(url).render_as_string(hide_password=True)


class StoreReader:
    """Opens a read-only engine on first use and hands out snapshot connections.

    One reader per app: the URL is resolved and the engine (and its pool) created once,
    lazily, so building the app (which Airflow does in every process that loads plugins)
    reads no settings and touches no database.
    """

    def __init__(self, url: str | URL | Callable[[], str]) -> None:
        self._source = url
        self._url: URL | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> URL:
        """The store's URL; a callable source is asked once, on first use."""
        if self._url is None:
            source = self._source
            self._url = normalise_url(source() if callable(source) else source)
        return self._url

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def _sqlite_file(self) -> Path | None:
        database = self.url.database or ""
        if database in {"", ":memory:"} or database.startswith("file:"):
            return None
        return Path(database).expanduser()

    def exists(self) -> bool:
        """False for an SQLite store whose file was never created (nothing to read)."""
        if self.backend != "sqlite":
            return True
        path = self._sqlite_file()
        return path is None or path.is_file()

    def engine(self) -> Engine:
        """The engine, created on the first call and reused afterwards."""
        with self._lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        if self.backend == "sqlite":
            engine = create_engine(self.url)
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        engine = create_store_engine(self.url)
        return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)

    @contextmanager
    def snapshot(self) -> Iterator[Connection | None]:
        """A connection in one read transaction; None when the store is not there yet."""
        if not self.exists():
            yield None
            return
        with self.engine().connect() as connection:
            if not inspect(connection).has_table(_MARKER_TABLE):
                yield None
                return
            try:
                yield connection
            finally:
                connection.rollback()

    def dispose(self) -> None:
        """Close pooled connections (tests; a long-lived server never needs to)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Take over transaction control from the sqlite3 module (see `_on_sqlite_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA query_only = ON")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    # Deferred: a read snapshot that takes no write lock (unlike the store's writers).
    connection.exec_driver_sql("BEGIN")


__all__ = ["StoreReader", "describe_url"]
