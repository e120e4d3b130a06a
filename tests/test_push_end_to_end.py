"""A pushed item end to end: POST /push -> Redis -> consume -> process -> Slack stand-in.

The same steps the `market_news_push` and `market_news_process` DAGs run, called in
order, against the real Redis at 127.0.0.1:6379 and the Slack Web API stand-in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from market_news.monitor.app import create_app
from market_news.pipeline import deliver_pending, load_feeds, open_store, process_pending
from market_news.push import SECRET_HEADER, consume_pushed
from market_news.settings import Settings

from tests.support.slack_standin import SlackStandin

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "e2e-push-secret"
STORY = (
    "Meta Platforms (NASDAQ: META) reported third-quarter 2024 adjusted earnings per share "
    "of $6.03, beating the analyst consensus estimate of $5.25. Revenue was $40.59 billion "
    "versus estimates of $40.29 billion."
)


@pytest.fixture
def key() -> Iterator[str]:
    name = f"market_news:test:{secrets.token_hex(6)}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, f"{name}:claimed")
    client.close()


def test_pushed_item_reaches_slack_once(
    tmp_path: Path, key: str, slack_standin: SlackStandin
) -> None:
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(
        "feeds:\n  - name: wire\n    url: https://wire.example/feed.xml\n"
        "    fetch_article: false\n",
        encoding="utf-8",
    )
    settings = Settings(
        feeds_file=feeds_file,
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        push_secret=SECRET,
        slack_token=slack_standin.token,
        slack_api_url=slack_standin.base_url,
        slack_pace_s=0.0,
    )
    item = {
        "feed": "wire",
        "url": "https://wire.example/meta-q3",
        "title": "Meta",
        "summary": STORY,
    }
    app = create_app(str(settings.database_url), push_settings=lambda: settings, push_key=key)
    with TestClient(app) as client:
        accepted = client.post("/push", json=item, headers={SECRET_HEADER: SECRET})
        assert accepted.status_code == 202, accepted.text
        assert client.post("/push", json=item, headers={SECRET_HEADER: SECRET}).status_code == 202
    app.state.store_reader.dispose()

    store = open_store(settings)
    try:
        consumed = consume_pushed(settings, store, key=key)
        assert (consumed.entries_seen, consumed.duplicates) == (2, 1)
        processed = process_pending(settings=settings, store=store, feeds=load_feeds(settings))
        assert processed.new_articles == 1
        delivered = deliver_pending(settings=settings, store=store)
        assert delivered.alerts_sent == 1 and delivered.errors == 0
        assert deliver_pending(settings=settings, store=store).alerts_sent == 0
    finally:
        store.close()

    (message,) = slack_standin.messages("market-news")
    assert "META" in message["text"]
    assert message["metadata"]["event_payload"]["article_url"] == item["url"]
