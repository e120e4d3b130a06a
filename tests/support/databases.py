"""Throwaway PostgreSQL databases for tests, shared by every test folder.

The `postgres_url` fixture creates a fresh database on the server at 127.0.0.1:5432
(or `MARKET_NEWS_TEST_POSTGRES`, an admin URL) once per test session and drops it at the
end, so a run never sees another run's rows. `postgres_schema_url` gives each test its
own schema inside it, cheap enough to use per test. When the server is unreachable the
PostgreSQL tests are skipped, except under CI (`CI=true`), where that is a failure: CI
must never go green by skipping the database it is meant to test.

Import the fixtures into a folder's conftest:
`from support.databases import postgres_schema_url, postgres_url`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("MARKET_NEWS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CONNECT_TIMEOUT_S = 5


def _admin_connect(url: str = ADMIN_URL) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)


def postgres_unavailable_reason(url: str = ADMIN_URL) -> str | None:
    """None when the server answers, else why not."""
    try:
        with _admin_connect(url) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)}: {exc}"
    return None


def require_postgres(url: str = ADMIN_URL) -> None:
    """Skip the test when PostgreSQL is unreachable; fail instead under CI."""
    reason = postgres_unavailable_reason(url)
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs PostgreSQL: {reason}")
    pytest.skip(reason)


def sqlalchemy_url(database: str, *, options: str | None = None) -> str:
    """A psycopg 3 SQLAlchemy URL for `database` on the admin URL's server."""
    url = make_url(ADMIN_URL).set(drivername="postgresql+psycopg", database=database)
    if options:
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


@contextmanager
def temporary_database(prefix: str = "market_news_test") -> Iterator[str]:
    """Create a database with a random name; yield its name; drop it (and its sessions)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _admin_connect() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _admin_connect() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def temporary_schema(database: str) -> Iterator[str]:
    """A fresh schema in `database`; yields a URL whose search_path is that schema."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    with _admin_connect(admin) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield sqlalchemy_url(database, options=f"-csearch_path={schema}")
    finally:
        with _admin_connect(admin) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Name of a fresh database for this test session (dropped at the end)."""
    require_postgres()
    with temporary_database() as name:
        yield name


@pytest.fixture(scope="session")
def postgres_url(postgres_database: str) -> str:
    """SQLAlchemy URL (`postgresql+psycopg://`) of this session's fresh database."""
    return sqlalchemy_url(postgres_database)


@pytest.fixture
def postgres_schema_url(postgres_database: str) -> Iterator[str]:
    """SQLAlchemy URL of a schema of its own for one test, inside the session database."""
    with temporary_schema(postgres_database) as url:
        yield url


__all__ = [
    "ADMIN_URL",
    "postgres_database",
    "postgres_schema_url",
    "postgres_unavailable_reason",
    "postgres_url",
    "require_postgres",
    "sqlalchemy_url",
    "temporary_database",
    "temporary_schema",
]
