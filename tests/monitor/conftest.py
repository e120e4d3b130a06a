"""Monitor fixtures: a populated SQLite store and the app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from market_news.monitor.app import create_app
from market_news.store import Store
from monitor_data import populate


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def populated_url(store_url: str) -> str:
    """URL of a store filled by `monitor_data.populate`."""
    store = Store.open(store_url)
    try:
        populate(store)
    finally:
        store.close()
    return store_url


def client_for(url: str) -> Iterator[TestClient]:
    app: FastAPI = create_app(url)
    with TestClient(app) as client:
        yield client
    app.state.store_reader.dispose()


@pytest.fixture
def client(populated_url: str) -> Iterator[TestClient]:
    """A test client of the monitoring app over the populated store."""
    yield from client_for(populated_url)
