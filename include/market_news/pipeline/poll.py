"""Poll feeds: conditional GET, parse, store new entries as pending work.

A feed that failed is backed off in the store (`next_poll_at`, doubling up to an hour).
The Airflow poller runs every minute and passes `due_only=True`, so a feed that keeps
failing is asked less and less often and never slows the others; `market-news run` is
one explicit pass and polls every feed regardless.

`poll_feeds` is a whole pass: one transaction reads (and registers) every feed, a few
threads fetch and parse while this thread writes each changed feed's entries, and the
unchanged feeds' 304s are recorded together at the end. Only the calling thread touches
the store. `poll_feed` is the same for one feed.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime

from market_news.feeds import FeedParseError, parse_feed
from market_news.fetch import FetchError, FetchPolicy, fetch
from market_news.models import FeedConfig, FeedEntry, PassSummary
from market_news.settings import Settings
from market_news.store import FeedState, Store

log = logging.getLogger("market_news.pipeline")

#: Fetches in flight at once in a pass. A poll mostly waits on the network; a handful of
#: threads hide that wait without hammering anyone, and each feed is still one request.
POLL_WORKERS = 8


def is_due(state: FeedState, now: datetime | None = None) -> bool:
    """True when the feed has no back-off pending (never failed, or its wait is over)."""
    if state.next_poll_at is None:
        return True
    return state.next_poll_at <= (now or datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class _Polled:
    """What fetching and parsing one feed gave; no store access happened yet."""

    feed: FeedConfig
    not_modified: bool = False
    entries: tuple[FeedEntry, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


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
    return poll_feeds([feed], settings=settings, store=store, due_only=due_only, now=now)


def poll_feeds(
    feeds: Sequence[FeedConfig],
    *,
    settings: Settings,
    store: Store,
    due_only: bool = False,
    now: datetime | None = None,
    workers: int = POLL_WORKERS,
) -> PassSummary:
    """Poll every feed (those due, with `due_only`); the pass's summary.

    Feeds are fetched up to `workers` at a time; results are stored in feed order.
    """
    states = store.prepare_feeds(feeds)
    due: list[tuple[FeedConfig, FeedState]] = []
    for feed in feeds:
        state = states.get(feed.name, FeedState())
        if due_only and not is_due(state, now):
            log.info(
                "feed %s: skipped, backing off after %d failures until %s",
                feed.name,
                state.consecutive_failures,
                state.next_poll_at.isoformat() if state.next_poll_at else "now",
            )
            continue
        due.append((feed, state))
    if not due:
        return PassSummary()
    policy = FetchPolicy.from_settings(settings, kind="feed")
    summary = PassSummary()
    unchanged: list[str] = []
    try:
        with closing(_fetch_all(due, policy, workers)) as results:
            for polled in results:
                summary += _store(polled, store, unchanged)
    finally:
        store.record_polls_not_modified(unchanged)
    return summary


def _fetch_all(
    due: list[tuple[FeedConfig, FeedState]], policy: FetchPolicy, workers: int
) -> Generator[_Polled, None, None]:
    """Fetch results in feed order, fetched `workers` at a time (inline for one feed)."""
    if len(due) == 1 or workers <= 1:
        for feed, state in due:
            yield _fetch_one(feed, state, policy)
        return
    pool = ThreadPoolExecutor(max_workers=min(workers, len(due)), thread_name_prefix="poll")
    try:
        yield from pool.map(lambda pair: _fetch_one(pair[0], pair[1], policy), due)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fetch_one(feed: FeedConfig, state: FeedState, policy: FetchPolicy) -> _Polled:
    """Conditional GET and parse: no store access, so it can run in any thread."""
    try:
        result = fetch(feed.url, policy, etag=state.etag, last_modified=state.last_modified)
        if result.not_modified:
            return _Polled(feed, not_modified=True)
        entries = parse_feed(result.body, feed, base_url=result.final_url)
    except (FetchError, FeedParseError) as exc:
        return _Polled(feed, error=str(exc))
    return _Polled(
        feed, entries=tuple(entries), etag=result.etag, last_modified=result.last_modified
    )


def _store(polled: _Polled, store: Store, unchanged: list[str]) -> PassSummary:
    """Record one feed's poll: failure, 304 (batched into `unchanged`), or new entries."""
    name = polled.feed.name
    if polled.error is not None:
        store.record_poll_failure(name, polled.error)
        log.warning("feed %s failed: %s", name, polled.error)
        return PassSummary(feeds=1, errors=1)
    if polled.not_modified:
        unchanged.append(name)
        log.info("feed %s: not modified since the last poll", name)
        return PassSummary(feeds=1)
    with store.atomic():  # the entries and the validators that vouch for them, together
        new = sum(1 for entry_id in store.add_entries(name, polled.entries) if entry_id is not None)
        store.record_poll_success(
            name, etag=polled.etag, last_modified=polled.last_modified, not_modified=False
        )
    seen = len(polled.entries)
    log.info("feed %s: %d entries, %d new", name, seen, new)
    return PassSummary(feeds=1, entries_seen=seen, duplicates=seen - new)
