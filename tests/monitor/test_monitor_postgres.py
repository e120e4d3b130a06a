"""The same figures from PostgreSQL: the day bucketing and JSON lengths are dialect SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from market_news.monitor.app import create_app
from market_news.store import Store
from monitor_data import EXPECTED, populate


@pytest.mark.postgres
def test_endpoints_on_postgresql(postgres_schema_url: str) -> None:
    store = Store.open(postgres_schema_url)
    try:
        populate(store)
    finally:
        store.close()
    app = create_app(postgres_schema_url)
    try:
        with TestClient(app) as client:
            feeds = {f["name"]: f for f in client.get("/api/feeds").json()}
            events = {e["ticker"]: e for e in client.get("/api/events").json()}
            outbox = client.get("/api/outbox").json()
            days = client.get("/api/extraction-daily", params={"days": 4}).json()
            page = client.get("/").text
    finally:
        app.state.store_reader.dispose()

    assert {name: f["ratio_304"] for name, f in feeds.items()} == EXPECTED.ratio_304
    assert feeds["broken"]["consecutive_failures"] == 2 and not feeds["broken"]["healthy"]
    intel = {m["metric"]: m["verdict"] for m in events["INTC"]["metrics"]}
    assert intel == {"eps": "miss", "revenue": "beat"}
    assert outbox["counts"] == EXPECTED.alert_counts
    today = datetime.now(UTC).date()
    assert [(d["day"], d["articles"], d["earnings_items"], d["ai_claims"]) for d in days] == [
        ((today - timedelta(days=3)).isoformat(), 1, 0, 2),
        ((today - timedelta(days=2)).isoformat(), 0, 0, 0),
        ((today - timedelta(days=1)).isoformat(), 1, 2, 0),
        (today.isoformat(), 3, 5, 0),
    ]
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "password" not in page.lower()
