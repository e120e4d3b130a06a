"""The store: feeds, entries, articles, events, AI claims and the alert outbox.

`Store` is the only API the pipeline uses; it runs on SQLite (the default, one file) and
on PostgreSQL (production, many workers) with the same dedupe guarantees, because those
are unique constraints in the database rather than checks in Python.
"""

from market_news.store.canonical import canonical_url, content_fingerprint
from market_news.store.database import create_store_engine, migrate
from market_news.store.errors import StoreUnavailableError
from market_news.store.records import (
    AlertKind,
    AlertStatus,
    ArticleResult,
    ClaimedAlert,
    CorrectionRecord,
    EntryStatus,
    FeedState,
    PendingEntry,
    QueuedAlert,
    StoredArticle,
)
from market_news.store.repository import BodyKind, Store

__all__ = [
    "AlertKind",
    "AlertStatus",
    "ArticleResult",
    "BodyKind",
    "ClaimedAlert",
    "CorrectionRecord",
    "EntryStatus",
    "FeedState",
    "PendingEntry",
    "QueuedAlert",
    "Store",
    "StoreUnavailableError",
    "StoredArticle",
    "canonical_url",
    "content_fingerprint",
    "create_store_engine",
    "migrate",
]
