"""Read-only queries behind the monitoring page, one function per table on the page.

Each function takes an open `Connection` (one snapshot per page, see `database`) and
returns frozen values from `records`. They are SQLAlchemy 2 selects against the store's
models, so they run unchanged on SQLite and PostgreSQL; the two places where the
dialects differ (the UTC day of a timestamp, the length of a JSON array) are isolated
in `_utc_day` and `_json_array_length`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Date, Integer, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from market_news.monitor.links import slack_link
from market_news.monitor.records import (
    AlertView,
    DailyExtraction,
    EventView,
    FeedHealth,
    MetricView,
    Outbox,
    OutboxItem,
    Summary,
)
from market_news.store.schema import ALERT_STATUSES, AIClaimRow, Alert, Article, Event, Feed

#: Outbox statuses that still owe a Slack message.
UNDELIVERED = ("pending", "sending", "failed")
#: Upper bound of every `limit` / `days` a caller may ask for (keeps a page cheap).
MAX_LIMIT = 500
MAX_DAYS = 366
_METRIC_ORDER = {"eps": 0, "revenue": 1}
_BASIS_ORDER = {"adjusted": 0, "gaap": 1}


def _clamp(value: int, upper: int) -> int:
    return max(1, min(int(value), upper))


# -- alerts ------------------------------------------------------------------------------


def recent_alerts(connection: Connection, limit: int = 50) -> list[AlertView]:
    """The newest alerts of every status, newest first, each with its Slack link."""
    query = select(Alert).order_by(Alert.id.desc()).limit(_clamp(limit, MAX_LIMIT))
    views = []
    for row in connection.execute(query):
        payload: Mapping[str, Any] = row.payload or {}
        delivered = row.status == "sent"
        views.append(
            AlertView(
                id=row.id,
                kind=row.kind,
                event_key=row.event_key,
                status=row.status,
                channel=row.channel,
                ts=row.ts,
                link=slack_link(row.channel, row.ts, row.thread_ts) if delivered else None,
                is_reply=row.thread_of_alert_key is not None,
                article_title=_text(payload.get("article_title")),
                article_url=_text(payload.get("article_url")),
                attempts=row.attempts,
                created_at=row.created_at,
                sent_at=row.sent_at,
                last_error=row.last_error,
            )
        )
    return views


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# -- events ------------------------------------------------------------------------------


def recent_events(connection: Connection, limit: int = 50) -> list[EventView]:
    """The most recently created or revised earnings reports, with every figure."""
    query = (
        select(Event, Article.title.label("article_title"), Article.url.label("article_url"))
        .outerjoin(Article, Article.id == Event.first_article_id)
        .order_by(Event.updated_at.desc(), Event.id.desc())
        .limit(_clamp(limit, MAX_LIMIT))
    )
    return [
        EventView(
            id=row.id,
            event_key=row.event_key,
            ticker=row.ticker,
            company=row.company,
            period=row.period,
            fiscal_year=row.fiscal_year,
            revision=row.revision,
            metrics=_metrics(row.metrics),
            article_title=row.article_title,
            article_url=row.article_url,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in connection.execute(query)
    ]


def _metrics(stored: Mapping[str, Any] | None) -> tuple[MetricView, ...]:
    """The event's figures, EPS before revenue and adjusted before GAAP."""
    views = [
        MetricView(
            metric=str(value.get("metric", key)),
            basis=value.get("basis"),
            actual=_number(value.get("actual")),
            estimate=_number(value.get("estimate")),
            currency=value.get("currency"),
            surprise_pct=_number(value.get("surprise_pct")),
            verdict=value.get("verdict"),
        )
        for key, value in (stored or {}).items()
        if isinstance(value, Mapping)
    ]
    views.sort(key=lambda m: (_METRIC_ORDER.get(m.metric, 9), _BASIS_ORDER.get(m.basis or "", 2)))
    return tuple(views)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# -- feeds -------------------------------------------------------------------------------


def feed_health(connection: Connection) -> list[FeedHealth]:
    """Every feed's polling record, failing feeds first, then by name."""
    query = select(Feed).order_by(Feed.consecutive_failures.desc(), Feed.name)
    return [_feed_health(row) for row in connection.execute(query)]


def _feed_health(row: Any) -> FeedHealth:
    polls = int(row.polls or 0)
    failures = int(row.consecutive_failures or 0)
    if failures:
        state = "failing"
    elif polls == 0:
        state = "new"
    else:
        state = "ok"
    return FeedHealth(
        name=row.name,
        url=row.url,
        healthy=failures == 0,
        state=state,
        polls=polls,
        not_modified_count=int(row.not_modified_count or 0),
        ratio_304=round(row.not_modified_count / polls, 4) if polls else None,
        consecutive_failures=failures,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        next_poll_at=row.next_poll_at,
    )


# -- extraction per day ------------------------------------------------------------------


def extraction_daily(
    connection: Connection, days: int = 14, *, now: datetime | None = None
) -> list[DailyExtraction]:
    """Articles stored and items extracted per UTC day, the last `days` days, oldest first.

    Every day of the window is present (zeros included) so a quiet day is visible.
    """
    days = _clamp(days, MAX_DAYS)
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    dialect = connection.dialect.name
    day = _utc_day(Article.created_at, dialect).label("day")
    earnings = _sum_array_lengths(Article.extraction, "earnings", dialect)
    claims = _sum_array_lengths(Article.extraction, "ai_claims", dialect)
    query = (
        select(day, func.count().label("articles"), earnings.label("e"), claims.label("c"))
        .where(Article.created_at >= datetime.combine(first, datetime.min.time(), tzinfo=UTC))
        .group_by(day)
    )
    counted: dict[date, tuple[int, int, int]] = {}
    for row in connection.execute(query):
        key = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        counted[key] = (int(row.articles), int(row.e), int(row.c))
    result = []
    for offset in range(days):
        current = first + timedelta(days=offset)
        articles, items_e, items_c = counted.get(current, (0, 0, 0))
        result.append(
            DailyExtraction(
                day=current,
                articles=articles,
                earnings_items=items_e,
                ai_claims=items_c,
                items=items_e + items_c,
            )
        )
    return result


def _utc_day(column: InstrumentedAttribute[datetime], dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a stored timestamp.

    SQLite holds naive UTC text (see `UTCDateTime`), so `date()` is already UTC;
    PostgreSQL holds `timestamptz`, whose `date()` would follow the session time zone.
    """
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column), type_=Date)
    return func.date(column)


def _sum_array_lengths(column: Any, key: str, dialect: str) -> ColumnElement[int]:
    return func.coalesce(func.sum(_json_array_length(column, key, dialect)), 0)


def _json_array_length(column: Any, key: str, dialect: str) -> ColumnElement[int]:
    """Length of the JSON array under `key` of a JSON column (NULL when absent)."""
    if dialect == "postgresql":
        return cast(ColumnElement[int], func.json_array_length(column[key], type_=Integer))
    return cast(ColumnElement[int], func.json_array_length(column, f"$.{key}", type_=Integer))


# -- outbox ------------------------------------------------------------------------------


def alert_counts(connection: Connection) -> dict[str, int]:
    """Alerts per status; every status is present, zero when none."""
    counts = dict.fromkeys(ALERT_STATUSES, 0)
    for status, count in connection.execute(
        select(Alert.status, func.count()).group_by(Alert.status)
    ):
        counts[status] = int(count)
    return counts


def outbox(connection: Connection, limit: int = 100) -> Outbox:
    """Counts per status and the alerts still owed to Slack, oldest first."""
    query = (
        select(Alert)
        .where(Alert.status.in_(UNDELIVERED))
        .order_by(Alert.id)
        .limit(_clamp(limit, MAX_LIMIT))
    )
    items = tuple(
        OutboxItem(
            id=row.id,
            kind=row.kind,
            event_key=row.event_key,
            status=row.status,
            attempts=row.attempts,
            article_title=_text((row.payload or {}).get("article_title")),
            created_at=row.created_at,
            lease_until=row.lease_until,
            last_error=row.last_error,
        )
        for row in connection.execute(query)
    )
    return Outbox(counts=alert_counts(connection), undelivered=items)


# -- summary -----------------------------------------------------------------------------


def summary(connection: Connection, *, now: datetime | None = None) -> Summary:
    """The headline figures: sizes, unhealthy feeds, last poll and last delivery."""
    now = now or datetime.now(UTC)
    feeds = connection.execute(
        select(
            func.count(),
            func.count().filter(Feed.consecutive_failures > 0),
            func.max(Feed.last_success_at),
        )
    ).one()
    articles = connection.execute(
        select(func.count(), func.count().filter(Article.created_at >= now - timedelta(days=1)))
    ).one()
    return Summary(
        generated_at=now,
        store_ready=True,
        feeds=int(feeds[0]),
        feeds_unhealthy=int(feeds[1]),
        articles=int(articles[0]),
        articles_24h=int(articles[1]),
        events=_count(connection, Event.id),
        ai_claims=_count(connection, AIClaimRow.id),
        alerts=alert_counts(connection),
        last_poll_success_at=feeds[2],
        last_alert_sent_at=connection.scalar(select(func.max(Alert.sent_at))),
    )


def _count(connection: Connection, column: InstrumentedAttribute[int]) -> int:
    return int(connection.scalar(select(func.count(column))) or 0)


def empty_summary(*, now: datetime | None = None) -> Summary:
    """The summary of a store that does not exist yet."""
    return Summary(
        generated_at=now or datetime.now(UTC),
        store_ready=False,
        feeds=0,
        feeds_unhealthy=0,
        articles=0,
        articles_24h=0,
        events=0,
        ai_claims=0,
        alerts=dict.fromkeys(ALERT_STATUSES, 0),
        last_poll_success_at=None,
        last_alert_sent_at=None,
    )


# -- the whole page ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the HTML page shows, read in one snapshot."""

    summary: Summary
    feeds: tuple[FeedHealth, ...]
    events: tuple[EventView, ...]
    alerts: tuple[AlertView, ...]
    outbox: Outbox
    daily: tuple[DailyExtraction, ...]

    @property
    def is_empty(self) -> bool:
        """Nothing to show yet: no feed polled, no article, no alert."""
        s = self.summary
        return not (s.feeds or s.articles or sum(s.alerts.values()))


def dashboard(
    connection: Connection | None,
    *,
    limit: int = 25,
    days: int = 14,
    now: datetime | None = None,
) -> Dashboard:
    """The page's data; an empty dashboard when `connection` is None (no store yet)."""
    now = now or datetime.now(UTC)
    if connection is None:
        return Dashboard(
            summary=empty_summary(now=now),
            feeds=(),
            events=(),
            alerts=(),
            outbox=Outbox(counts=dict.fromkeys(ALERT_STATUSES, 0), undelivered=()),
            daily=(),
        )
    return Dashboard(
        summary=summary(connection, now=now),
        feeds=tuple(feed_health(connection)),
        events=tuple(recent_events(connection, limit)),
        alerts=tuple(recent_alerts(connection, limit)),
        outbox=outbox(connection, limit),
        daily=tuple(extraction_daily(connection, days, now=now)),
    )


__all__ = [
    "MAX_DAYS",
    "MAX_LIMIT",
    "UNDELIVERED",
    "Dashboard",
    "alert_counts",
    "dashboard",
    "empty_summary",
    "extraction_daily",
    "feed_health",
    "outbox",
    "recent_alerts",
    "recent_events",
    "summary",
]
