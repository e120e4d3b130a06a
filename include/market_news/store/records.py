"""The plain values the `Store` returns.

The store hands out frozen dataclasses, never ORM objects: an ORM object is bound to a
session that is closed by the time the caller looks at it, and Airflow tasks must pass
plain values anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from market_news.models import FeedEntry

EntryStatus = Literal["pending", "done", "failed"]
AlertKind = Literal["earnings", "ai_claims", "correction"]
AlertStatus = Literal["pending", "sending", "sent", "dry_run", "failed"]
DuplicateReason = Literal["url", "fingerprint", "near_duplicate"]


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller needs from the last polls: conditional-GET validators and backoff."""

    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: datetime | None = None
    consecutive_failures: int = 0
    last_success_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """A stored feed entry still to be processed, with everything the feed carried."""

    id: int
    feed_name: str
    guid: str
    link: str | None
    title: str | None
    summary: str | None
    content_html: str | None
    published: datetime | None
    language: str | None = None
    attempts: int = 0

    def to_feed_entry(self) -> FeedEntry:
        """The entry as the feed parser produced it."""
        return FeedEntry(
            feed_name=self.feed_name,
            guid=self.guid,
            link=self.link,
            title=self.title,
            summary=self.summary,
            content_html=self.content_html,
            published=self.published,
            language=self.language,
        )


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article already stored under a canonical URL or a text fingerprint.

    `matched` says which key found it: the URL when both would have.
    """

    id: int
    entry_id: int | None
    near_duplicate_of: int | None
    matched: Literal["url", "fingerprint"]


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """Outcome of `Store.add_article`.

    A new article has `article_id` set. An exact duplicate (same canonical URL or same
    text) is not stored: `article_id` None, `duplicate_of` the id of the article it
    repeats, `reason` 'url' or 'fingerprint'. A near-duplicate (a reworded copy, reason
    'near_duplicate') *is* stored, so it has both: its own `article_id`, whose figures
    still go through event dedupe (a changed figure is a correction), and `duplicate_of`.
    The same entry stored again (a retried task) is not a duplicate: it gets its own
    earlier `article_id` back so the retry can finish recording events.
    """

    article_id: int | None
    duplicate_of: int | None = None
    reason: DuplicateReason | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None

    @property
    def is_near_duplicate(self) -> bool:
        return self.reason == "near_duplicate"


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    """An alert just written to the outbox."""

    id: int
    alert_key: str
    kind: AlertKind
    event_key: str | None


@dataclass(frozen=True, slots=True)
class ClaimedAlert:
    """An outbox row this sender now holds under a lease.

    `outcome_unknown` is true when the row was taken over from a sender whose lease ran
    out: that sender may have posted before dying, so look in the channel (by the
    payload's metadata) before posting again. `thread_ts` is the parent message's `ts`
    for a correction.
    """

    id: int
    alert_key: str
    event_key: str | None
    kind: AlertKind
    payload: dict[str, Any] = field(hash=False)
    attempts: int
    previous_status: AlertStatus
    outcome_unknown: bool
    thread_of_alert_key: str | None
    thread_ts: str | None
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class CorrectionRecord:
    """One changed figure of an event, as `corrections` keeps it."""

    event_key: str
    revision: int
    metric: str
    basis: str | None
    field: str
    old_value: float | None
    new_value: float | None
    currency: str | None
    article_url: str
    alert_key: str | None
    created_at: datetime


__all__ = [
    "AlertKind",
    "AlertStatus",
    "ArticleResult",
    "ClaimedAlert",
    "CorrectionRecord",
    "DuplicateReason",
    "EntryStatus",
    "FeedState",
    "PendingEntry",
    "QueuedAlert",
    "StoredArticle",
]
