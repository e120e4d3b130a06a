"""One pass of the pipeline, split into the three steps the Airflow DAGs run separately.

poll_feed        fetch one feed (conditional GET), store its new entries as pending
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
from market_news.pipeline.poll import poll_feed
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
        summary = PassSummary()
        for index, feed in enumerate(feed_list, start=1):
            log.info("polling feed %d/%d: %s", index, len(feed_list), feed.name)
            summary += poll_feed(feed, settings=settings, store=store)
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
    "process_pending",
    "run_pass",
]
