"""Builders for the values the store takes (feed entries, extractions, earnings items)."""

from __future__ import annotations

from datetime import UTC, datetime

from market_news.models import AIClaim, EarningsItem, Extraction, FeedConfig, FeedEntry

FEED = FeedConfig(name="wire", url="https://feeds.example.com/wire.xml")
OTHER_FEED = FeedConfig(name="other", url="https://other.example.com/rss")
ARTICLE_TEXT = (
    "Meta Platforms reported third-quarter earnings of $6.03 per share, "
    "beating analyst estimates of $5.25 per share."
)


def make_entry(guid: str, link: str | None = None, *, feed: str = FEED.name) -> FeedEntry:
    """A feed entry with a summary and some content, as the feed parser produces."""
    return FeedEntry(
        feed_name=feed,
        guid=guid,
        link=link if link is not None else f"https://news.example.com/{guid}",
        title=f"Title {guid}",
        summary=f"Summary {guid}",
        content_html=f"<p>Content of {guid}</p>",
        published=datetime(2024, 10, 30, 20, 5, tzinfo=UTC),
        language="en",
    )


def make_extraction(text: str = ARTICLE_TEXT, *, title: str = "Meta beats") -> Extraction:
    return Extraction(
        title=title,
        published="2024-10-30T20:05:00+00:00",
        language="en",
        tickers=("META",),
        text=text,
    )


def eps(
    actual: float = 6.03,
    estimate: float = 5.25,
    *,
    ticker: str | None = "META",
    period: str | None = "Q3",
    fiscal_year: int | None = 2024,
    basis: str | None = "adjusted",
    currency: str = "USD",
) -> EarningsItem:
    surprise = round((actual - estimate) / abs(estimate) * 100, 2)
    return EarningsItem(
        ticker=ticker,
        period=period,
        fiscal_year=fiscal_year,
        metric="eps",
        basis=basis,  # type: ignore[arg-type]
        actual=actual,
        estimate=estimate,
        currency=currency,
        surprise_pct=surprise,
        verdict="beat" if surprise > 0 else "miss" if surprise < 0 else "inline",
        evidence=f"EPS of ${actual} vs ${estimate} expected",
    )


def revenue(actual: float = 40.59e9, estimate: float = 40.25e9) -> EarningsItem:
    return EarningsItem(
        ticker="META",
        period="Q3",
        fiscal_year=2024,
        metric="revenue",
        basis=None,
        actual=actual,
        estimate=estimate,
        currency="USD",
        surprise_pct=round((actual - estimate) / estimate * 100, 2),
        verdict="beat",
        evidence="revenue of $40.59 billion",
    )


def gpu_claim(value: float = 100_000, *, subject: str | None = "Llama 4") -> AIClaim:
    return AIClaim(
        kind="gpu_count",
        value=value,
        unit="H100",
        qualifier="more than",
        subject=subject,
        evidence=f"trained on more than {value:,.0f} H100 GPUs",
    )
