"""The daily digest: one message per channel per New York day, never twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from delivery_support import CHANNEL, payload, queue_ai, queue_earnings, settings_for
from market_news.digest import (
    digest_window,
    last_complete_day,
    send_daily_digest,
    today_in_new_york,
)
from market_news.pipeline import deliver_pending
from market_news.slack.render_digest import headline_verdict, render_digest
from market_news.store import Store
from slack_samples import AI_CLAIMS, EARNINGS

ROUTES = "routes:\n  - {channel: '#ai-infra', match: {kind: ai_claims}}\n"


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def test_one_digest_per_channel_with_current_figures_and_no_repeat(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES)
    slack_standin.add_channel("ai-infra")
    settings = settings_for(slack_standin, "sqlite://", tmp_path, routes_file=routes)
    queue_earnings(store, "META", 6.03, 5.25)
    queue_earnings(store, "ACME", 0.9, 1.0)
    queue_earnings(store, "META", 6.03, 6.10)  # a correction: META is now a miss
    queue_ai(store, "https://news.example.com/ai", ["NVDA"])
    deliver_pending(settings=settings, store=store)
    day = today_in_new_york()

    first = send_daily_digest(settings=settings, store=store, day=day)
    again = send_daily_digest(settings=settings, store=store, day=day)

    assert (first.alerts_sent, first.errors) == (2, 0)
    assert (again.alerts_sent, again.errors) == (0, 0)
    (digest,) = [m for m in slack_standin.messages(CHANNEL) if payload(m)["kind"] == "digest"]
    assert payload(digest)["alert_key"] == f"digest:{CHANNEL}:{day.isoformat()}"
    body = str(digest["blocks"])
    assert "2 reports" in body and "0 beat" in body and "2 miss" in body
    assert "$6.03 vs est. $6.10" in body  # the corrected estimate, not the first one
    (ai_digest,) = [
        m for m in slack_standin.messages("#ai-infra") if payload(m)["kind"] == "digest"
    ]
    assert "1 article, 1 claim" in str(ai_digest["blocks"])


def test_a_day_without_events_posts_nothing(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    queue_earnings(store, "META")
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    summary = send_daily_digest(settings=settings, store=store, day=dt.date(2001, 1, 2))
    assert summary.alerts_sent == 0
    assert slack_standin.calls == []


def test_digest_window_is_the_new_york_day() -> None:
    start, end = digest_window(dt.date(2024, 10, 30))
    assert start.astimezone(dt.UTC) == dt.datetime(2024, 10, 30, 4, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(hours=24)
    late_evening = dt.datetime(2024, 10, 31, 2, 30, tzinfo=dt.UTC)  # 22:30 in New York
    assert today_in_new_york(late_evening) == dt.date(2024, 10, 30)
    assert last_complete_day(late_evening) == dt.date(2024, 10, 29)


def test_digest_message_is_escaped_and_within_limits() -> None:
    hostile = {**EARNINGS, "ticker": "<!channel>"}
    many = [("earnings", hostile)] * 400 + [("ai_claims", AI_CLAIMS)] * 400
    message = render_digest("#x", dt.date(2024, 10, 30), many)
    assert "<!channel>" not in str(message.blocks)
    assert len(message.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message.blocks)
    assert headline_verdict(EARNINGS) == "beat"
    assert headline_verdict({"metrics": [{"metric": "revenue", "verdict": "miss"}]}) == "miss"
