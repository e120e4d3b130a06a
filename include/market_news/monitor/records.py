"""The frozen values the monitoring queries return (and the JSON endpoints serialise).

Plain dataclasses rather than ORM rows: the connection is closed by the time the page
is rendered, and FastAPI turns these into JSON and an OpenAPI schema as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class AlertView:
    """One outbox row as sent (or still to send), with a link to it in Slack."""

    id: int
    kind: str
    event_key: str | None
    status: str
    channel: str | None
    ts: str | None
    link: str | None
    is_reply: bool
    article_title: str | None
    article_url: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class MetricView:
    """One reported figure of an event against its estimate."""

    metric: str
    basis: str | None
    actual: float | None
    estimate: float | None
    currency: str | None
    surprise_pct: float | None
    verdict: str | None


@dataclass(frozen=True, slots=True)
class EventView:
    """One earnings report (company + period) with every figure known so far."""

    id: int
    event_key: str
    ticker: str | None
    company: str | None
    period: str | None
    fiscal_year: int | None
    revision: int
    metrics: tuple[MetricView, ...]
    article_title: str | None
    article_url: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed's polling record; `healthy` is false while its latest poll failed."""

    name: str
    url: str
    healthy: bool
    state: str
    polls: int
    not_modified_count: int
    ratio_304: float | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_error: str | None
    next_poll_at: datetime | None


@dataclass(frozen=True, slots=True)
class DailyExtraction:
    """What extraction produced on one day (UTC), counted when articles were stored."""

    day: date
    articles: int
    earnings_items: int
    ai_claims: int
    items: int


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An alert not delivered yet: waiting, being sent, or failed with an error."""

    id: int
    kind: str
    event_key: str | None
    status: str
    attempts: int
    article_title: str | None
    created_at: datetime
    lease_until: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Outbox:
    """Alerts per status (every status present), and the undelivered ones."""

    counts: dict[str, int] = field(hash=False)
    undelivered: tuple[OutboxItem, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of the page."""

    generated_at: datetime
    store_ready: bool
    feeds: int
    feeds_unhealthy: int
    articles: int
    articles_24h: int
    events: int
    ai_claims: int
    alerts: dict[str, int] = field(hash=False)
    last_poll_success_at: datetime | None
    last_alert_sent_at: datetime | None


__all__ = [
    "AlertView",
    "DailyExtraction",
    "EventView",
    "FeedHealth",
    "MetricView",
    "Outbox",
    "OutboxItem",
    "Summary",
]
