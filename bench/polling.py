"""Polling 100 unchanged feeds: conditional GET against a full fetch + parse every time.

Measured: the pipeline's own `poll_feed` for each of 100 feeds, in sequence, on a store
that already holds each feed's ETag from an earlier poll. That is `market_news.fetch.fetch`
with `If-None-Match` from the store's feed state, the server's 304, parsing skipped, and
the store's poll bookkeeping (feed row upsert, state read, success record: three short
transactions on SQLite). Naive: the same client without validators, the full body, and
`feedparser.parse` on it, every time, nothing stored.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import feedparser
from market_news.fetch import FetchPolicy, fetch
from market_news.models import FeedConfig
from market_news.pipeline import poll_feed
from market_news.settings import Settings
from market_news.store import Store

from bench.common import Options, Section, fmt, median, progress, ratio, rounded
from bench.feedserver import RSS_TYPE, FeedServer, archive_items, rss

FEEDS = 100
ITEMS_PER_FEED = 40
TARGET_S = 1.0
TARGET_RATIO = 10.0


def _naive_poll(feeds: list[FeedConfig], policy: FetchPolicy) -> int:
    entries = 0
    for feed in feeds:
        result = fetch(feed.url, policy)
        parsed = feedparser.parse(io.BytesIO(result.body))
        entries += len(parsed.entries)
    return entries


def _learn_validators(feeds: list[FeedConfig], store: Store, policy: FetchPolicy) -> int:
    """--quick: put each feed's validators in the store without storing its 4,000 entries
    (one transaction per entry takes ~20 s; the unchanged polls never touch entries)."""
    for feed in feeds:
        result = fetch(feed.url, policy)
        store.ensure_feed(feed)
        store.record_poll_success(
            feed.name, etag=result.etag, last_modified=result.last_modified, not_modified=False
        )
    return 0


def _breakdown(feeds: list[FeedConfig], store: Store, policy: FetchPolicy) -> tuple[float, float]:
    """One more round split in two: the conditional fetches alone, then the store's
    per-poll work alone (the same calls `poll_feed` makes, in the same order)."""
    states = {feed.name: store.feed_state(feed.name) for feed in feeds}
    start = time.perf_counter()
    for feed in feeds:
        state = states[feed.name]
        fetch(feed.url, policy, etag=state.etag, last_modified=state.last_modified)
    fetch_s = time.perf_counter() - start
    start = time.perf_counter()
    for feed in feeds:
        store.ensure_feed(feed)
        state = store.feed_state(feed.name)
        store.record_poll_success(
            feed.name, etag=state.etag, last_modified=state.last_modified, not_modified=True
        )
    return fetch_s, time.perf_counter() - start


def run(options: Options) -> Section:
    rounds = 2 if options.quick else 3
    progress(f"polling: {FEEDS} feeds x {rounds} rounds, conditional GET and naive")
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp, FeedServer() as server:
        base = server.url("")
        feeds: list[FeedConfig] = []
        sizes: list[int] = []
        for index in range(FEEDS):
            path = f"/feeds/feed-{index}.xml"
            body = rss(f"Bench feed {index}", base, archive_items(index, ITEMS_PER_FEED, base))
            server.put(path, body, RSS_TYPE)
            sizes.append(len(body))
            feeds.append(FeedConfig(name=f"bench-feed-{index}", url=server.url(path)))
        settings = Settings(
            db_url=f"sqlite:///{Path(tmp) / 'store.db'}",
            data_dir=Path(tmp),
            allow_private_hosts=True,
        )
        policy = FetchPolicy.from_settings(settings, kind="feed")
        store = Store.open(settings.database_url)
        try:
            first_start = time.perf_counter()
            if options.quick:
                seen = _learn_validators(feeds, store, policy)
            else:
                seen = sum(poll_feed(f, settings=settings, store=store).entries_seen for f in feeds)
            first_poll = time.perf_counter() - first_start
            _naive_poll(feeds[:5], policy)  # warm-up

            conditional: list[float] = []
            naive: list[float] = []
            not_modified_before = server.statuses[304]
            unchanged_entries = 0
            for _ in range(rounds):
                start = time.perf_counter()
                for feed in feeds:
                    unchanged_entries += poll_feed(
                        feed, settings=settings, store=store
                    ).entries_seen
                conditional.append(time.perf_counter() - start)
                start = time.perf_counter()
                _naive_poll(feeds, policy)
                naive.append(time.perf_counter() - start)
            not_modified = server.statuses[304] - not_modified_before
            fetch_s, store_s = _breakdown(feeds, store, policy)
        finally:
            store.close()

    cond_s = median(conditional)
    naive_s = median(naive)
    speedup = ratio(naive_s, cond_s)
    section = Section("2. Polling 100 unchanged feeds")
    section.add(
        "100 feeds, unchanged (s)", fmt(cond_s), f"{fmt(naive_s)} (200 + parse)", f"{speedup:.1f}x"
    )
    section.add("  per feed (ms)", fmt(cond_s / FEEDS * 1e3), fmt(naive_s / FEEDS * 1e3))
    section.add("  of which: fetch + 304 (ms/feed)", fmt(fetch_s / FEEDS * 1e3))
    section.add("  of which: store bookkeeping (ms/feed)", fmt(store_s / FEEDS * 1e3))
    if not options.quick:
        section.add("First poll, 100 feeds, 4,000 new entries (s)", fmt(first_poll))
    expected_304 = FEEDS * rounds
    section.notes += [
        f"{FEEDS} RSS feeds of {ITEMS_PER_FEED} items ({min(sizes) / 1024:.0f}-"
        f"{max(sizes) / 1024:.0f} KB) on a threaded http.server on 127.0.0.1, in process; "
        f"polled one after another; median of {rounds} rounds, measured and naive alternating.",
        f"Measured path answered 304 {not_modified} times out of {expected_304} polls and "
        f"reported {unchanged_entries} entries (parse skipped); the first poll stored "
        f"{seen} entries and the validators"
        + (" (--quick: validators only)." if options.quick else "."),
        "Measured includes the store's per-poll bookkeeping (SQLite, WAL); the naive path "
        "stores nothing, so the ratio understates what skipping the parse saves.",
        f"Targets < {TARGET_S:g} s and >= {TARGET_RATIO:g}x: "
        + ("met." if cond_s < TARGET_S and speedup >= TARGET_RATIO else "MISSED."),
    ]
    section.metrics = {
        "poll_100_unchanged_s": rounded(cond_s),
        "poll_100_naive_s": rounded(naive_s),
        "poll_vs_naive": rounded(speedup, 2),
        "poll_100_first_s": None if options.quick else rounded(first_poll),
        "poll_304_answers": not_modified,
        "poll_fetch_304_ms": rounded(fetch_s / FEEDS * 1e3, 3),
        "poll_store_ms": rounded(store_s / FEEDS * 1e3, 3),
        "poll_feed_kb_mean": rounded(sum(sizes) / len(sizes) / 1024, 1),
    }
    return section
