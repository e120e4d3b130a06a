"""Builders shared by the delivery tests: settings, queued alerts, what Slack holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from market_news.models import AIClaim, EarningsItem
from market_news.settings import Settings
from market_news.store import QueuedAlert, Store

CHANNEL = "#market-news"


def settings_for(standin: Any, db_url: str, data_dir: Path, **changes: Any) -> Settings:
    """Settings posting to the stand-in, unpaced unless a test says otherwise."""
    values: dict[str, Any] = {
        "db_url": db_url,
        "data_dir": data_dir,
        "slack_token": standin.token,
        "slack_api_url": standin.base_url,
        "slack_channel": CHANNEL,
        "slack_pace_s": 0.0,
    }
    values.update(changes)
    return Settings(**values)


def eps_item(
    ticker: str,
    actual: float = 1.2,
    estimate: float = 1.0,
    *,
    period: str = "Q3",
    year: int = 2024,
    evidence: str | None = None,
) -> EarningsItem:
    surprise = round((actual - estimate) / abs(estimate) * 100, 2)
    return EarningsItem(
        ticker=ticker,
        period=period,
        fiscal_year=year,
        metric="eps",
        basis="adjusted",
        actual=actual,
        estimate=estimate,
        currency="USD",
        surprise_pct=surprise,
        verdict="beat" if surprise > 0 else "miss" if surprise < 0 else "inline",
        evidence=evidence or f"{ticker} earned ${actual} a share against ${estimate} expected.",
    )


def queue_earnings(
    store: Store, ticker: str, actual: float = 1.2, estimate: float = 1.0, **kwargs: Any
) -> list[QueuedAlert]:
    """Record one earnings report (or a later article about it) and return what it queued."""
    language = kwargs.pop("language", "en")
    return store.record_earnings(
        None,
        [eps_item(ticker, actual, estimate, **kwargs)],
        article_url=f"https://news.example.com/{ticker.lower()}-{actual}",
        article_title=f"{ticker} reports",
        published="2024-10-30T20:05:00+00:00",
        language=language,
        company=f"{ticker} Corp",
    )


def queue_many(store: Store, count: int) -> list[str]:
    """`count` distinct earnings alerts; returns their alert keys."""
    keys: list[str] = []
    for number in range(count):
        keys += [alert.alert_key for alert in queue_earnings(store, f"T{number:03d}")]
    return keys


def queue_ai(store: Store, url: str, tickers: list[str], value: float = 100_000) -> None:
    claim = AIClaim(
        kind="gpu_count",
        value=value,
        unit="H100",
        qualifier=None,
        subject=f"cluster {value:.0f}",
        evidence=f"a cluster of {value:,.0f} H100 GPUs",
    )
    store.record_ai_claims(
        None,
        [claim],
        article_url=url,
        article_title="AI build-out",
        published="2024-10-31T13:00:00+00:00",
        language="en",
        tickers=tickers,
    )


def payload(message: dict[str, Any]) -> dict[str, Any]:
    return dict((message.get("metadata") or {}).get("event_payload") or {})


def top_level_keys(standin: Any, channel: str = CHANNEL) -> Counter[str]:
    """How many top-level messages each alert key has in `channel`."""
    return Counter(
        str(payload(m).get("alert_key")) for m in standin.messages(channel, include_replies=False)
    )


def posted_alert_keys(standin: Any, channels: list[str]) -> Counter[str]:
    """Alert keys of every message (replies included) across `channels`."""
    found: Counter[str] = Counter()
    for channel in channels:
        found.update(str(payload(m).get("alert_key")) for m in standin.messages(channel))
    return found
