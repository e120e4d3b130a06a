"""A feed that keeps failing is backed off by the poll task, never blocks the others,
and shows as unhealthy on the monitoring page; `market-news run` still polls it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from market_news.models import FeedConfig
from market_news.monitor.app import create_app
from market_news.pipeline import poll_feed
from market_news.settings import Settings
from market_news.store import Store

from tests.support.http_server import LocalHTTPServer, Reply

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title>
<item><guid>urn:1</guid><title>One</title><link>https://ok.example/1</link></item>
</channel></rss>"""


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        running.route("/broken", Reply(status=500, body=b"down"))
        running.route("/ok", Reply(body=RSS, headers={"Content-Type": "application/rss+xml"}))
        yield running


def test_failing_feed_is_skipped_until_due_while_others_poll(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings(data_dir=tmp_path, db_url=url, allow_private_hosts=True)
    broken = FeedConfig(name="broken", url=server.url("/broken"))
    healthy = FeedConfig(name="healthy", url=server.url("/ok"))
    store = Store.open(url)
    try:
        first = poll_feed(broken, settings=settings, store=store, due_only=True)
        assert (first.feeds, first.errors) == (1, 1)
        state = store.feed_state("broken")
        assert state.consecutive_failures == 1 and state.next_poll_at is not None

        hits = server.paths().count("/broken")
        skipped = poll_feed(broken, settings=settings, store=store, due_only=True)
        assert skipped.feeds == 0 and skipped.errors == 0, "skipped, not an error"
        assert server.paths().count("/broken") == hits, "no request while backing off"
        assert poll_feed(healthy, settings=settings, store=store, due_only=True).entries_seen == 1

        later = state.next_poll_at + timedelta(seconds=1)
        due_again = poll_feed(broken, settings=settings, store=store, due_only=True, now=later)
        assert due_again.errors == 1 and server.paths().count("/broken") == hits + 1
        assert store.feed_state("broken").consecutive_failures == 2

        forced = poll_feed(broken, settings=settings, store=store)  # market-news run
        assert forced.errors == 1 and server.paths().count("/broken") == hits + 2
    finally:
        store.close()

    app = create_app(url)
    with TestClient(app) as client:
        feeds = {feed["name"]: feed for feed in client.get("/api/feeds").json()}
    app.state.store_reader.dispose()
    assert feeds["broken"]["healthy"] is False
    assert feeds["broken"]["consecutive_failures"] == 3
    assert feeds["broken"]["next_poll_at"] is not None
    assert feeds["healthy"]["healthy"] is True
