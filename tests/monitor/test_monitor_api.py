"""The monitoring app's JSON endpoints over a populated SQLite store."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from market_news.monitor.app import create_app
from market_news.monitor.database import StoreReader
from market_news.store import Store
from monitor_data import CORRECTION_TS, EXPECTED, HOSTILE_TITLE, META_TS, SLACK_CHANNEL_ID
from sqlalchemy import text
from sqlalchemy.exc import OperationalError


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_feeds_report_304_ratio_failures_and_health(client: TestClient) -> None:
    feeds = _by(client.get("/api/feeds").json(), "name")

    assert {name: feed["ratio_304"] for name, feed in feeds.items()} == EXPECTED.ratio_304
    assert {
        name: feed["consecutive_failures"] for name, feed in feeds.items()
    } == EXPECTED.consecutive_failures
    assert feeds["wire"]["polls"] == 2 and feeds["wire"]["not_modified_count"] == 1
    assert feeds["desk"]["healthy"] is True and feeds["desk"]["state"] == "ok"
    broken = feeds["broken"]
    assert broken["healthy"] is False and broken["state"] == "failing"
    assert broken["last_error"] == EXPECTED.broken_error
    assert broken["next_poll_at"] is not None and broken["last_success_at"] is not None
    # Failing feeds come first, so an operator sees them without scrolling.
    assert next(iter(feeds)) == "broken"


def test_events_carry_beat_or_miss_per_metric(client: TestClient) -> None:
    events = _by(client.get("/api/events").json(), "ticker")

    assert set(events) == {"META", "INTC", "NVDA"}
    intel = {m["metric"]: m for m in events["INTC"]["metrics"]}
    assert intel["eps"]["verdict"] == "miss" and intel["eps"]["actual"] == -0.46
    assert intel["revenue"]["verdict"] == "beat" and intel["revenue"]["actual"] == 13.28e9
    meta = events["META"]
    assert meta["event_key"] == "earnings:META:2024:Q3"
    assert meta["revision"] == 1  # the restated EPS
    assert [m["metric"] for m in meta["metrics"]] == ["eps", "revenue"]
    assert meta["metrics"][0]["actual"] == 6.10 and meta["metrics"][0]["basis"] == "adjusted"
    assert meta["article_title"] == HOSTILE_TITLE
    assert meta["article_url"] == "https://news.example.com/meta-q3"


def test_alerts_link_to_slack_messages_and_threads(client: TestClient) -> None:
    alerts = client.get("/api/alerts").json()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts:
        by_kind.setdefault(alert["kind"], []).append(alert)

    assert [a["id"] for a in alerts] == sorted((a["id"] for a in alerts), reverse=True)
    meta = next(a for a in by_kind["earnings"] if a["event_key"] == "earnings:META:2024:Q3")
    assert meta["status"] == "sent" and meta["channel"] == SLACK_CHANNEL_ID
    assert meta["ts"] == META_TS
    assert meta["link"] == f"https://slack.com/archives/{SLACK_CHANNEL_ID}/p1730318700123456"
    assert meta["sent_at"] is not None and meta["is_reply"] is False
    (correction,) = by_kind["correction"]
    assert correction["is_reply"] is True
    assert correction["link"] == (
        f"https://slack.com/archives/{SLACK_CHANNEL_ID}/p{CORRECTION_TS.replace('.', '')}"
        f"?thread_ts={META_TS}&cid={SLACK_CHANNEL_ID}"
    )
    intel = next(a for a in by_kind["earnings"] if a["event_key"] == "earnings:INTC:2024:Q3")
    assert intel["status"] == "dry_run" and intel["channel"] == "#market-news"
    assert intel["link"] is None  # never posted: nothing to open in Slack
    (ai,) = by_kind["ai_claims"]
    assert ai["status"] == "pending" and ai["last_error"] == "permanent: channel_not_found"


def test_alerts_limit_is_bounded(client: TestClient) -> None:
    assert len(client.get("/api/alerts", params={"limit": 2}).json()) == 2
    assert client.get("/api/alerts", params={"limit": 0}).status_code == 422
    assert client.get("/api/events", params={"limit": 100_000}).status_code == 422


def test_outbox_counts_per_status_and_lists_what_is_owed(client: TestClient) -> None:
    outbox = client.get("/api/outbox").json()

    assert outbox["counts"] == EXPECTED.alert_counts
    owed = outbox["undelivered"]
    assert [item["status"] for item in owed] == ["pending", "pending"]
    ai, nvda = owed
    assert ai["kind"] == "ai_claims" and ai["attempts"] == 2
    assert ai["last_error"] == "permanent: channel_not_found"
    assert nvda["event_key"] == "earnings:NVDA:2025:Q3" and nvda["attempts"] == 0
    assert nvda["last_error"] is None


def test_extraction_daily_counts_articles_and_items_per_utc_day(client: TestClient) -> None:
    days = client.get("/api/extraction-daily", params={"days": 5}).json()
    today = datetime.now(UTC).date()

    assert [row["day"] for row in days] == [
        (today - timedelta(days=back)).isoformat() for back in range(4, -1, -1)
    ]
    by_day = {row["day"]: row for row in days}

    def day(back: int) -> tuple[int, int, int, int]:
        row = by_day[(today - timedelta(days=back)).isoformat()]
        return row["articles"], row["earnings_items"], row["ai_claims"], row["items"]

    assert day(0) == (3, 5, 0, 5)  # META, META update, NVDA
    assert day(1) == (1, 2, 0, 2)  # Intel
    assert day(2) == (0, 0, 0, 0)
    assert day(3) == (1, 0, 2, 2)  # the AI-compute article
    assert day(4) == (0, 0, 0, 0)
    one_day = client.get("/api/extraction-daily", params={"days": 1}).json()
    assert [row["articles"] for row in one_day] == [3]


def test_summary_headline_figures(client: TestClient) -> None:
    summary = client.get("/api/summary").json()

    assert summary["store_ready"] is True
    assert summary["feeds"] == 3 and summary["feeds_unhealthy"] == 1
    assert summary["articles"] == EXPECTED.articles
    assert summary["articles_24h"] == 3  # Intel is a day old, the AI article three
    assert summary["events"] == EXPECTED.events and summary["ai_claims"] == EXPECTED.ai_claims
    assert summary["alerts"] == EXPECTED.alert_counts
    assert summary["last_alert_sent_at"] and summary["last_poll_success_at"]


def test_empty_store_reads_as_empty(store_url: str) -> None:
    Store.open(store_url).close()  # migrated, no rows
    with TestClient(create_app(store_url)) as client:
        assert client.get("/api/summary").json()["store_ready"] is True
        assert client.get("/api/alerts").json() == []
        assert client.get("/api/outbox").json()["counts"]["pending"] == 0
        page = client.get("/").text
    assert "The store is empty" in page


def test_missing_store_is_not_created(tmp_path: Path) -> None:
    database = tmp_path / "nowhere" / "store.db"
    with TestClient(create_app(f"sqlite:///{database}")) as client:
        summary = client.get("/api/summary").json()
        assert summary["store_ready"] is False and summary["articles"] == 0
        assert client.get("/api/feeds").json() == []
        assert client.get("/api/extraction-daily").json() == []
        assert "No store yet" in client.get("/").text
    assert not database.exists() and not database.parent.exists()


def test_app_opens_no_database_until_the_first_request() -> None:
    # Port 1 on loopback: nothing listens; building the app must not try.
    app = create_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert app.title == "market-news monitor"


def test_reader_reuses_one_engine_and_cannot_write(populated_url: str) -> None:
    reader = StoreReader(populated_url)
    try:
        assert reader.engine() is reader.engine()
        with reader.snapshot() as connection:
            assert connection is not None
            with pytest.raises(OperationalError, match="readonly"):
                connection.execute(text("DELETE FROM alerts"))
    finally:
        reader.dispose()


def test_reads_do_not_wait_for_a_writer(populated_url: str, client: TestClient) -> None:
    """A task holding the store's write lock must not stall the page (and vice versa)."""
    store = Store.open(populated_url)
    locked = threading.Event()
    release = threading.Event()

    def hold_write_lock() -> None:
        with store.engine.begin() as connection:  # BEGIN IMMEDIATE: the write lock
            connection.execute(text("UPDATE feeds SET polls = polls"))
            locked.set()
            release.wait(10)

    writer = threading.Thread(target=hold_write_lock)
    writer.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        response = client.get("/api/summary")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        writer.join()
        store.close()
    assert response.status_code == 200
    assert elapsed < 5, f"the page waited {elapsed:.1f} s for the writer"
