"""A store filled like a few hours of the real pipeline, through the Store's public API.

The figures the monitoring tests assert (304 ratios, failure streaks, beat/miss, counts
per status, articles per day) all follow from `populate`; `EXPECTED` spells them out
so a test reads as a statement about this data, not as magic numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from market_news.models import AIClaim, EarningsItem, Extraction, FeedConfig, FeedEntry
from market_news.store import Store
from market_news.store.schema import Article
from sqlalchemy import update

HOSTILE_TITLE = "Meta <script>alert('x')</script> beats on Q3 EPS & revenue"
META_TITLE = "Meta beats on Q3 EPS and revenue as ad sales climb"
SLACK_CHANNEL_ID = "C0123456789"
META_TS = "1730318700.123456"
CORRECTION_TS = "1730320000.000100"

FEEDS = (
    FeedConfig(name="wire", url="https://feeds.example.com/wire.xml"),
    FeedConfig(name="desk", url="https://desk.example.com/rss"),
    FeedConfig(name="broken", url="https://broken.example.com/rss"),
)


@dataclass(frozen=True)
class Expected:
    """What the monitor must report for the populated store."""

    alert_counts: dict[str, int]
    ratio_304: dict[str, float]
    consecutive_failures: dict[str, int]
    broken_error: str
    events: int
    articles: int
    ai_claims: int


EXPECTED = Expected(
    alert_counts={"pending": 2, "sending": 0, "sent": 2, "dry_run": 1, "failed": 0},
    ratio_304={"wire": 0.5, "desk": 0.6667, "broken": 0.0},
    consecutive_failures={"wire": 0, "desk": 0, "broken": 2},
    broken_error="read timed out after 15 s <b>bold</b>",
    events=3,
    articles=5,
    ai_claims=2,
)


def earnings(
    ticker: str,
    metric: str,
    actual: float,
    estimate: float,
    *,
    period: str = "Q3",
    year: int = 2024,
    basis: str | None = None,
) -> EarningsItem:
    surprise = round((actual - estimate) / abs(estimate) * 100, 2)
    verdict = "beat" if surprise > 0 else "miss" if surprise < 0 else "inline"
    return EarningsItem(
        ticker=ticker,
        period=period,
        fiscal_year=year,
        metric=metric,  # type: ignore[arg-type]
        basis=basis,  # type: ignore[arg-type]
        actual=actual,
        estimate=estimate,
        currency="USD",
        surprise_pct=surprise,
        verdict=verdict,  # type: ignore[arg-type]
        evidence=f"{ticker} {metric} {actual} vs {estimate}",
    )


CLAIMS = (
    AIClaim("gpu_count", 100_000, "H100", "more than", "Llama 4", "More than 100,000 H100s."),
    AIClaim("capex", 40e9, "USD", "up to", None, "Capex of $37 billion to $40 billion."),
)


def _poll_feeds(store: Store) -> None:
    for feed in FEEDS:
        store.ensure_feed(feed)
    store.record_poll_success("wire", etag='"a1"', last_modified=None, not_modified=False)
    store.record_poll_success("wire", etag='"a1"', last_modified=None, not_modified=True)
    store.record_poll_success("desk", etag=None, last_modified="Wed", not_modified=False)
    store.record_poll_success("desk", etag=None, last_modified="Wed", not_modified=True)
    store.record_poll_success("desk", etag=None, last_modified="Wed", not_modified=True)
    store.record_poll_success("broken", etag=None, last_modified=None, not_modified=False)
    store.record_poll_failure("broken", "HTTP 503 from https://broken.example.com/rss")
    store.record_poll_failure("broken", EXPECTED.broken_error)


def _article(
    store: Store,
    feed: str,
    slug: str,
    title: str,
    *,
    items: tuple[EarningsItem, ...] = (),
    claims: tuple[AIClaim, ...] = (),
) -> int:
    url = f"https://news.example.com/{slug}"
    entry_id = store.add_entry(
        feed,
        FeedEntry(
            feed_name=feed,
            guid=slug,
            link=url,
            title=title,
            summary=None,
            content_html=None,
            published=datetime(2024, 10, 30, 20, 5, tzinfo=UTC),
        ),
    )
    tickers = tuple(dict.fromkeys(item.ticker for item in items if item.ticker))
    extraction = Extraction(
        title=title,
        published="2024-10-30T20:05:00+00:00",
        language="en",
        tickers=tickers,
        earnings=items,
        ai_claims=claims,
        text=f"{title}. Body of {slug}.",
    )
    added = store.add_article(
        entry_id, url=url, extraction=extraction, raw_body=None, parser_version="t", feed_name=feed
    )
    assert added.article_id is not None
    context = {
        "article_url": url,
        "article_title": title,
        "published": extraction.published,
        "language": "en",
    }
    store.record_earnings(added.article_id, items, company=None, **context)
    store.record_ai_claims(added.article_id, claims, tickers=list(tickers), **context)
    store.mark_entry(entry_id or 0, "done")
    return added.article_id


def populate(store: Store, *, meta_title: str = HOSTILE_TITLE) -> None:
    """Feeds polled, five articles over three days, alerts in every interesting state."""
    _poll_feeds(store)
    meta = _article(
        store,
        "wire",
        "meta-q3",
        meta_title,
        items=(
            earnings("META", "eps", 6.03, 5.25, basis="adjusted"),
            earnings("META", "revenue", 40.59e9, 40.25e9),
        ),
    )
    intel = _article(
        store,
        "wire",
        "intel-q3",
        "Intel swings to a loss; revenue tops forecasts",
        items=(
            earnings("INTC", "eps", -0.46, -0.02, basis="adjusted"),
            earnings("INTC", "revenue", 13.28e9, 13.02e9),
        ),
    )
    ai = _article(
        store, "desk", "llama-compute", "Meta trains Llama 4 on 100,000 H100s", claims=CLAIMS
    )
    # Alerts 1 (META), 2 (INTC), 3 (AI claims): sent, dry run, failed twice (below).
    first = {alert.alert_key: alert for alert in store.claim_pending_alerts(10)}
    assert len(first) == 3, first
    by_kind = {alert.kind: alert for alert in first.values()}
    meta_alert = next(a for a in first.values() if a.event_key and "META" in a.event_key)
    intel_alert = next(a for a in first.values() if a.event_key and "INTC" in a.event_key)
    store.mark_alert_sent(meta_alert.id, channel=SLACK_CHANNEL_ID, ts=META_TS, dry_run=False)
    store.mark_alert_sent(intel_alert.id, channel="#market-news", ts=None, dry_run=True)
    store.mark_alert_failed(by_kind["ai_claims"].id, "channel_not_found", permanent=True)
    # A later article revises META's EPS: a correction in the parent's thread (alert 4).
    _article(
        store,
        "desk",
        "meta-q3-update",
        "Meta EPS restated",
        items=(earnings("META", "eps", 6.10, 5.25, basis="adjusted"),),
    )
    second = store.claim_pending_alerts(10)
    assert {alert.kind for alert in second} == {"ai_claims", "correction"}, second
    for alert in second:
        if alert.kind == "correction":
            store.mark_alert_sent(
                alert.id, channel=SLACK_CHANNEL_ID, ts=CORRECTION_TS, dry_run=False
            )
        else:
            store.mark_alert_failed(alert.id, "channel_not_found", permanent=True)
    # NVDA arrives last and waits in the outbox (alert 5).
    _article(
        store,
        "wire",
        "nvda-q3",
        "Nvidia beats as data-centre revenue jumps",
        items=(
            earnings("NVDA", "eps", 0.81, 0.75, year=2025, basis="adjusted"),
            earnings("NVDA", "revenue", 35.08e9, 33.16e9, year=2025),
        ),
    )
    # Spread articles over days as a running pipeline would: Intel yesterday, AI 3 days ago.
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        for article_id, age in ((intel, timedelta(days=1)), (ai, timedelta(days=3))):
            connection.execute(
                update(Article).where(Article.id == article_id).values(created_at=now - age)
            )
    assert meta


__all__ = ["EXPECTED", "HOSTILE_TITLE", "META_TITLE", "Expected", "populate"]
