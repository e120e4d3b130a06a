"""End to end: hostile article text arrives inert; the token never leaks anywhere.

The article goes the whole way: feed entry -> extraction -> store -> outbox -> Slack.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from delivery_support import CHANNEL, queue_many, settings_for
from market_news.models import FeedConfig, FeedEntry
from market_news.pipeline import deliver_pending, process_pending
from market_news.slack import SlackDeliveryError
from market_news.store import Store
from sqlalchemy import MetaData, select
from support.slack_standin import SlackStandin

HOSTILE = ("<!channel>", "<!here>", "<@U123>", "<https://evil|click>")
ARTICLE = (
    "<html><body><article><h1>Acme &lt;!here&gt; beats</h1>"
    "<p>Acme Corp (NASDAQ: ACME) reported third-quarter earnings of $1.20 per share "
    "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt;, beating analyst estimates "
    "of $1.00 per share.</p><p>Revenue was $5.1 billion, above the $4.9 billion analysts "
    "expected. Follow @channel for more.</p></article></body></html>"
)
CANARY = "xoxb-CANARY-5d1e7a-never-log-me"


def test_mentions_and_links_from_an_article_arrive_inert(
    slack_standin: Any, tmp_path: Path
) -> None:
    feed = FeedConfig(name="wire", url="https://feeds.example.com/wire.xml")
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        store.ensure_feed(feed)
        store.add_entry(
            feed.name,
            FeedEntry(
                feed_name=feed.name,
                guid="acme-q3",
                link="https://news.example.com/acme-q3",
                title="Acme <!here> <@U123> beats",
                summary="",
                content_html=ARTICLE,
                published=datetime(2024, 10, 30, 20, 5, tzinfo=UTC),
            ),
        )
        settings = settings_for(slack_standin, "sqlite://", tmp_path)
        assert process_pending(settings=settings, store=store, feeds=[feed]).new_articles == 1
        assert deliver_pending(settings=settings, store=store).alerts_sent == 1
    finally:
        store.close()

    (message,) = slack_standin.messages(CHANNEL)
    posted = json.dumps({"text": message["text"], "blocks": message["blocks"]})
    assert "&lt;!channel&gt;" in posted  # the text is there, shown as text
    assert "&lt;@U123&gt;" in posted
    for raw in HOSTILE:
        assert raw not in posted
    assert "@channel" not in posted  # the bare broadcast word is broken too
    (call,) = slack_standin.calls_to("chat.postMessage")
    assert call.params["unfurl_links"] is False
    assert "link_names" not in call.params


def _database_text(store: Store) -> str:
    """Every row of every table, as text."""
    metadata = MetaData()
    metadata.reflect(store.engine)
    parts: list[str] = []
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in connection.execute(select(table))]
    return "\n".join(parts)


def test_canary_token_never_in_logs_exceptions_or_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    raised: list[str] = []
    original = SlackDeliveryError.__init__

    def recording_init(self: SlackDeliveryError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        raised.append("\n".join([str(self), repr(self), *traceback.format_exception(self)]))

    monkeypatch.setattr(SlackDeliveryError, "__init__", recording_init)
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        queue_many(store, 6)
        with SlackStandin(CANARY) as standin:
            settings = settings_for(standin, "sqlite://", tmp_path)
            standin.drop_after_accept_next(1, skip=1)  # lost answer, reconciled
            standin.server_error_next(1)  # retried
            standin.rate_limit_next(1, retry_after=0)
            deliver_pending(settings=settings, store=store, batch=3)
            standin.fail_channel(CHANNEL, "not_in_channel")
            queue_many(store, 8)
            deliver_pending(settings=settings, store=store)
            standin.clear_faults()
            assert all(call.authorized for call in standin.calls)
        with SlackStandin("xoxb-the-right-one") as refusing:  # the canary is refused
            settings = settings_for(refusing, "sqlite://", tmp_path, slack_token=CANARY)
            assert deliver_pending(settings=settings, store=store).errors == 1
        database = _database_text(store)
    finally:
        store.close()

    assert "Sending a request" in caplog.text  # the SDK did log its requests at DEBUG
    assert any("not_in_channel" in text for text in raised)  # errors did happen
    assert any("invalid_auth" in text for text in raised)
    assert "invalid_auth" in database  # ... and were stored
    assert CANARY not in caplog.text
    assert all(CANARY not in record.getMessage() for record in caplog.records)
    assert all(CANARY not in text for text in raised)
    assert CANARY not in database
