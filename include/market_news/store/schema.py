"""The store's tables as typed SQLAlchemy 2 models.

Every dedupe rule of the pipeline is a unique constraint here, not a Python check, so
it holds when several Airflow tasks (or a retried one) write at the same time. The
constraint naming convention gives every constraint a stable name, which Alembic needs
to alter or drop it later on both SQLite and PostgreSQL. Migrations are written by hand
in `market_news/migrations/versions/`; a test compares them with these models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENTRY_STATUSES = ("pending", "done", "failed")
ALERT_KINDS = ("earnings", "ai_claims", "correction")
ALERT_STATUSES = ("pending", "sending", "sent", "dry_run", "failed")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps that always come back timezone-aware, in UTC, on both databases.

    SQLite has no time-zone type: SQLAlchemy would hand back naive values there and aware
    ones from PostgreSQL, and comparing the two raises. Values are stored as UTC (naive
    text on SQLite, `timestamptz` on PostgreSQL), and naive input is taken to be UTC,
    which is what feed parsers produce.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC (one clock for every timestamp the store writes)."""
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention and the shared column types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        str: Text(),
    }


class Feed(Base):
    """A configured feed and its polling state (conditional GET, backoff, health)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str]
    language: Mapped[str | None] = mapped_column(String(16))
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    next_poll_at: Mapped[datetime | None]
    polls: Mapped[int] = mapped_column(default=0, server_default="0")
    not_modified_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Entry(Base):
    """One feed item, kept with its summary and content so processing needs no re-poll."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        CheckConstraint(_in("status", ENTRY_STATUSES), name="status"),
        Index("ix_entries_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str]
    link: Mapped[str | None]
    canonical_link: Mapped[str | None] = mapped_column(index=True)
    title: Mapped[str | None]
    summary: Mapped[str | None]
    content_html: Mapped[str | None]
    published: Mapped[datetime | None]
    language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime | None]
    #: Processing lease: while in the future, one worker holds the entry (see claim_entries).
    lease_until: Mapped[datetime | None]
    #: Times the entry was claimed; more claims than attempts means workers died on it.
    claims: Mapped[int] = mapped_column(default=0, server_default="0")


class Article(Base):
    """An extracted article; its canonical URL and text fingerprint are each unique.

    `minhash` is the text's MinHash signature (see `similarity`), `near_duplicate_of` the
    article it is a reworded copy of. The latter is a plain id, not a foreign key: adding a
    foreign key to an existing SQLite table means rebuilding it, and articles are never
    deleted (retention only empties their raw bodies).
    """

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(unique=True)
    url: Mapped[str]
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", ondelete="SET NULL"), index=True
    )
    feed_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None]
    published: Mapped[datetime | None]
    extraction: Mapped[dict[str, Any]]
    raw_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    parser_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: 'html' or 'text': how `raw_body` is re-extracted; None on rows from before 0002.
    body_kind: Mapped[str | None] = mapped_column(String(8))
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    near_duplicate_of: Mapped[int | None]


class ArticleBand(Base):
    """One LSH band of an article's MinHash: equal band hashes make two articles candidates.

    An indexed lookup of the new article's band hashes finds its near-duplicates without
    reading any other article, however many are stored.
    """

    __tablename__ = "article_bands"
    __table_args__ = (Index("ix_article_bands_band_hash", "band_hash"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class Event(Base):
    """One earnings report (company + period), whichever article or language told it."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(300), unique=True)
    ticker: Mapped[str | None] = mapped_column(String(32), index=True)
    period: Mapped[str | None] = mapped_column(String(8))
    fiscal_year: Mapped[int | None]
    company: Mapped[str | None]
    metrics: Mapped[dict[str, Any]]
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    first_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Correction(Base):
    """One changed figure of an event: the history behind each correction alert.

    Written in the transaction that queues the correction, so the history and the thread
    reply can never disagree.
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    event_key: Mapped[str] = mapped_column(String(300))
    revision: Mapped[int]
    metric: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str | None] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[float | None]
    new_value: Mapped[float | None]
    currency: Mapped[str | None] = mapped_column(String(8))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    article_url: Mapped[str]
    alert_key: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class AIClaimRow(Base):
    """One AI-infrastructure claim, unique by what it says, not where it was said."""

    __tablename__ = "ai_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_key: Mapped[str] = mapped_column(unique=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(String(64))
    qualifier: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None]
    evidence: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Alert(Base):
    """The outbox: one row per Slack message to send, claimed under a lease.

    `alert_key` is the idempotency key (a retried task queues nothing new); `claimed_from`
    is the status the row had when it was last claimed, so a claim that takes over from a
    crashed sender ('sending') can be told from a first attempt ('pending').
    """

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
        Index("ix_alerts_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_key: Mapped[str] = mapped_column(unique=True)
    event_key: Mapped[str | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_from: Mapped[str | None] = mapped_column(String(16))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None]
    channel: Mapped[str | None] = mapped_column(String(200))
    ts: Mapped[str | None] = mapped_column(String(64))
    thread_of_alert_key: Mapped[str | None] = mapped_column(index=True)
    thread_ts: Mapped[str | None] = mapped_column(String(64))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]


__all__ = [
    "ALERT_KINDS",
    "ALERT_STATUSES",
    "ENTRY_STATUSES",
    "NAMING_CONVENTION",
    "AIClaimRow",
    "Alert",
    "Article",
    "ArticleBand",
    "Base",
    "Correction",
    "Entry",
    "Event",
    "Feed",
    "UTCDateTime",
    "utcnow",
]
