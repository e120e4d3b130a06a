"""Store fixtures: every store test runs on SQLite and on PostgreSQL.

`store_url` is parametrised over both databases; the PostgreSQL case gets a schema of
its own inside the session's fresh database (`tests/support/databases.py`) and carries
the `postgres` marker, so `-m "not postgres"` runs the SQLite half alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from market_news.store import Store

try:  # `tests/` is on sys.path via tests/conftest.py (rootdir-relative imports)
    from support.databases import postgres_database, postgres_schema_url, postgres_url
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.support.databases import postgres_database, postgres_schema_url, postgres_url

__all__ = ["postgres_database", "postgres_schema_url", "postgres_url"]


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store database, one per test, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on `store_url`, closed after the test."""
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()
