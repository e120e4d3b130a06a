"""Poll one feed: conditional GET, parse, store new entries as pending work.

A feed that failed is backed off in the store (`next_poll_at`, doubling up to an hour).
The Airflow poller runs every minute and passes `due_only=True`, so a feed that keeps
failing is asked less and less often and never slows the others; `market-news run` is
one explicit pass and polls every feed regardless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from market_news.feeds import FeedParseError, parse_feed
from market_news.fetch import FetchError, FetchPolicy, fetch
from market_news.models import FeedConfig, PassSummary
from market_news.settings import Settings
from market_news.store import FeedState, Store

log = logging.getLogger("market_news.pipeline")


def is_due(state: FeedState, now: datetime | None = None) -> bool:
    """True when the feed has no back-off pending (never failed, or its wait is over)."""
    if state.next_poll_at is None:
        return True
    return state.next_poll_at <= (now or datetime.now(UTC))


def poll_feed(
    feed: FeedConfig,
    *,
    settings: Settings,
    store: Store,
    due_only: bool = False,
    now: datetime | None = None,
) -> PassSummary:
    """Fetch one feed and store its new entries as pending work.

    With `due_only`, a feed still backing off is not fetched: the result is an empty
    summary (`feeds == 0`, no error), which is how callers count it as skipped.
    """
    store.ensure_feed(feed)
    state = store.feed_state(feed.name)
    if due_only and not is_due(state, now):
        log.info(
            "feed %s: skipped, backing off after %d failures until %s",
            feed.name,
            state.consecutive_failures,
            state.next_poll_at.isoformat() if state.next_poll_at else "now",
        )
        return PassSummary()
    try:
        result = fetch(
            feed.url,
            FetchPolicy.from_settings(settings, kind="feed"),
            etag=state.etag,
            last_modified=state.last_modified,
        )
        if result.not_modified:
            store.record_poll_success(
                feed.name, etag=state.etag, last_modified=state.last_modified, not_modified=True
            )
            log.info("feed %s: not modified since the last poll", feed.name)
            return PassSummary(feeds=1)
        entries = parse_feed(result.body, feed, base_url=result.final_url)
    except (FetchError, FeedParseError) as exc:
        store.record_poll_failure(feed.name, str(exc))
        log.warning("feed %s failed: %s", feed.name, exc)
        return PassSummary(feeds=1, errors=1)
    new = sum(1 for entry in entries if store.add_entry(feed.name, entry) is not None)
    store.record_poll_success(
        feed.name, etag=result.etag, last_modified=result.last_modified, not_modified=False
    )
    log.info("feed %s: %d entries, %d new", feed.name, len(entries), new)
    return PassSummary(feeds=1, entries_seen=len(entries), duplicates=len(entries) - new)
