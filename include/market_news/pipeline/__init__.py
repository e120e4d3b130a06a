"""One pass of the pipeline, split into the three steps the Airflow DAGs run separately.

poll_feed        fetch one feed (conditional GET), store its new entries as pending
poll_feeds       the same for many feeds, fetched a few at a time (one pass)
process_pending  fetch and extract pending entries, dedupe articles, record events, queue alerts
deliver_pending  post queued alerts to Slack (or render them in dry run), exactly once

Every step reads and writes only the store, so a step that fails or is killed leaves
work pending for the next pass instead of losing it. `run_pass` chains the three steps
for the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from market_news.feeds import load_feeds_file
from market_news.models import FeedConfig, PassSummary
from market_news.pipeline.deliver import deliver_pending, make_sender
from market_news.pipeline.poll import poll_feed, poll_feeds
from market_news.pipeline.process import process_pending
from market_news.settings import Settings
from market_news.store import Store

log = logging.getLogger("market_news.pipeline")


def open_store(settings: Settings) -> Store:
    """Open (and migrate) the store named by the settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.open(settings.database_url)


def load_feeds(settings: Settings) -> list[FeedConfig]:
    """The configured feeds; raises `FeedsFileError` with a one-line message."""
    return load_feeds_file(settings.feeds_file)


def run_pass(settings: Settings, *, feeds: Iterable[FeedConfig] | None = None) -> PassSummary:
    """Poll every configured feed, process what is new, deliver alerts."""
    feed_list = list(feeds) if feeds is not None else load_feeds(settings)
    store = open_store(settings)
    try:
        log.info("polling %d feeds", len(feed_list))
        summary = poll_feeds(feed_list, settings=settings, store=store)
        summary += process_pending(settings=settings, store=store, feeds=feed_list)
        summary += deliver_pending(settings=settings, store=store)
        return summary
    finally:
        store.close()


__all__ = [
    "deliver_pending",
    "load_feeds",
    "make_sender",
    "open_store",
    "poll_feed",
    "poll_feeds",
    "process_pending",
    "run_pass",
]
