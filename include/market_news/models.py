"""The small frozen values that pass between pipeline stages.

Each stage (fetch, feeds, extract, store, slack) takes and returns these, so no stage
needs to know another's internals, and Airflow tasks can pass ids and counts instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Metric = Literal["eps", "revenue"]
Basis = Literal["adjusted", "gaap"]
Verdict = Literal["beat", "miss", "inline"]
ClaimKind = Literal[
    "gpu_count", "compute_multiple", "capex", "datacenter_power", "model_parameters"
]
Qualifier = Literal["more than", "at least", "up to", "almost", "about"]


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One feed from the feeds file."""

    name: str
    url: str
    language: str | None = None
    fetch_article: bool = True


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a parsed feed, before its article is fetched or extracted."""

    feed_name: str
    guid: str
    link: str | None
    title: str | None
    summary: str | None
    content_html: str | None
    published: datetime | None
    language: str | None = None

    @property
    def has_full_content(self) -> bool:
        """True when the feed carries the article itself, not just a teaser."""
        return bool(self.content_html and len(self.content_html) > 2 * len(self.summary or ""))


@dataclass(frozen=True, slots=True)
class EarningsItem:
    """One reported metric compared with an analyst estimate (interface section 3)."""

    ticker: str | None
    period: str | None
    fiscal_year: int | None
    metric: Metric
    basis: Basis | None
    actual: float
    estimate: float
    currency: str
    surprise_pct: float
    verdict: Verdict
    evidence: str


@dataclass(frozen=True, slots=True)
class AIClaim:
    """One statement about AI compute or infrastructure (interface section 3)."""

    kind: ClaimKind
    value: float
    unit: str
    qualifier: Qualifier | None
    subject: str | None
    evidence: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one article; `to_dict` is the `market-news extract` JSON."""

    title: str | None
    published: str | None
    language: str
    tickers: tuple[str, ...] = ()
    earnings: tuple[EarningsItem, ...] = ()
    ai_claims: tuple[AIClaim, ...] = ()
    text: str = field(default="", repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The interface-section-3 document (the article text is not part of it)."""
        return {
            "title": self.title,
            "published": self.published,
            "language": self.language,
            "tickers": list(self.tickers),
            "earnings": [_number_clean(asdict(item)) for item in self.earnings],
            "ai_claims": [_number_clean(asdict(claim)) for claim in self.ai_claims],
        }


def _number_clean(row: dict[str, Any]) -> dict[str, Any]:
    """Write whole-number floats as integers (40590000000, not 40590000000.0)."""
    cleaned: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
            cleaned[key] = int(value)
        else:
            cleaned[key] = value
    return cleaned


#: Prefix of the line each Airflow task prints with its step's counts (read by `make demo`).
SUMMARY_LOG_PREFIX = "market-news summary: "


@dataclass(frozen=True, slots=True)
class PassSummary:
    """The last line of `market-news run` (interface section 1)."""

    feeds: int = 0
    entries_seen: int = 0
    new_articles: int = 0
    duplicates: int = 0
    alerts_sent: int = 0
    errors: int = 0

    def __add__(self, other: PassSummary) -> PassSummary:
        return PassSummary(
            feeds=self.feeds + other.feeds,
            entries_seen=self.entries_seen + other.entries_seen,
            new_articles=self.new_articles + other.new_articles,
            duplicates=self.duplicates + other.duplicates,
            alerts_sent=self.alerts_sent + other.alerts_sent,
            errors=self.errors + other.errors,
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


__all__ = [
    "SUMMARY_LOG_PREFIX",
    "AIClaim",
    "Basis",
    "ClaimKind",
    "EarningsItem",
    "Extraction",
    "FeedConfig",
    "FeedEntry",
    "Metric",
    "PassSummary",
    "Qualifier",
    "Verdict",
]
