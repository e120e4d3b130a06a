"""Polling 100 unchanged feeds: conditional GET against a full fetch + parse every time.

Measured: the pipeline's own pass, `poll_feeds` over the 100 feeds, on a store that
already holds each feed's ETag from an earlier poll. That is one transaction reading the
feeds' states, `market_news.fetch.fetch` with `If-None-Match` a few feeds at a time
(`POLL_WORKERS`), the server's 304s, parsing skipped, and one statement recording the
304s. Also shown: the same pass fetching one feed at a time, and `poll_feed` called once
per feed (what one Airflow task per feed does). Naive: the same client without
validators, the full body, and `feedparser.parse` on it, every time, one after another,
nothing stored.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
from market_news.fetch import FetchPolicy, fetch
from market_news.models import FeedConfig
from market_news.pipeline import poll_feed, poll_feeds
from market_news.pipeline.poll import POLL_WORKERS
from market_news.settings import Settings
from market_news.store import Store

from bench.common import Options, Section, fmt, median, progress, ratio, rounded
from bench.feedserver import RSS_TYPE, archive_items, rss
from bench.remote_feeds import RemoteFeedServer

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
    (the unchanged polls never touch entries)."""
    store.prepare_feeds(feeds)
    for feed in feeds:
        result = fetch(feed.url, policy)
        store.record_poll_success(
            feed.name, etag=result.etag, last_modified=result.last_modified, not_modified=False
        )
    return 0


def _breakdown(feeds: list[FeedConfig], store: Store, policy: FetchPolicy) -> tuple[float, float]:
    """One more pass split in two: the conditional fetches alone (one at a time), then the
    store's work for the pass alone (the calls `poll_feeds` makes)."""
    states = store.prepare_feeds(feeds)
    start = time.perf_counter()
    for feed in feeds:
        state = states[feed.name]
        fetch(feed.url, policy, etag=state.etag, last_modified=state.last_modified)
    fetch_s = time.perf_counter() - start
    start = time.perf_counter()
    store.prepare_feeds(feeds)
    store.record_polls_not_modified([feed.name for feed in feeds])
    return fetch_s, time.perf_counter() - start


def _timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(options: Options) -> Section:
    rounds = 3 if options.quick else 5
    progress(f"polling: {FEEDS} feeds x {rounds} rounds, conditional GET and naive")
    with (
        tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp,
        RemoteFeedServer() as server,
    ):
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
                seen = poll_feeds(feeds, settings=settings, store=store).entries_seen
            first_poll = time.perf_counter() - first_start
            _naive_poll(feeds[:5], policy)  # warm-up

            passes: list[float] = []
            one_at_a_time: list[float] = []
            per_feed: list[float] = []
            naive: list[float] = []
            not_modified_before = server.statuses[304]
            unchanged_entries = 0

            def measured() -> None:
                nonlocal unchanged_entries
                summary = poll_feeds(feeds, settings=settings, store=store)
                unchanged_entries += summary.entries_seen

            for _ in range(rounds):
                passes.append(_timed(measured))
                naive.append(_timed(lambda: _naive_poll(feeds, policy)))
                one_at_a_time.append(
                    _timed(lambda: poll_feeds(feeds, settings=settings, store=store, workers=1))
                )
                per_feed.append(
                    _timed(lambda: [poll_feed(f, settings=settings, store=store) for f in feeds])
                )
            not_modified = server.statuses[304] - not_modified_before
            fetch_s, store_s = _breakdown(feeds, store, policy)
        finally:
            store.close()

    cond_s = median(passes)
    naive_s = median(naive)
    single_s = median(one_at_a_time)
    per_feed_s = median(per_feed)
    speedup = ratio(naive_s, cond_s)
    section = Section("2. Polling 100 unchanged feeds")
    section.add(
        f"100 feeds, unchanged: poll_feeds pass, {POLL_WORKERS} fetches in flight (s)",
        fmt(cond_s),
        f"{fmt(naive_s)} (200 + parse)",
        f"{speedup:.1f}x",
    )
    section.add(
        "  the same pass, one fetch at a time (s)",
        fmt(single_s),
        fmt(naive_s),
        f"{ratio(naive_s, single_s):.1f}x",
    )
    section.add(
        "  poll_feed once per feed, 100 calls (s)",
        fmt(per_feed_s),
        fmt(naive_s),
        f"{ratio(naive_s, per_feed_s):.1f}x",
    )
    section.add("  of which: fetch + 304, one at a time (ms/feed)", fmt(fetch_s / FEEDS * 1e3))
    section.add("  of which: store work of a pass (ms per 100 feeds)", fmt(store_s * 1e3))
    if not options.quick:
        section.add("First poll, 100 feeds, 4,000 new entries (s)", fmt(first_poll))
    expected_304 = FEEDS * rounds * 3
    section.notes += [
        f"{FEEDS} RSS feeds of {ITEMS_PER_FEED} items ({min(sizes) / 1024:.0f}-"
        f"{max(sizes) / 1024:.0f} KB) on a threaded http.server on 127.0.0.1 in a child "
        "process (a feed server's work is not the poller's; listen backlog 128); median of "
        f"{rounds} rounds, the four ways interleaved in each round; the naive path fetches "
        "one feed after another.",
        f"Measured paths answered 304 {not_modified} times out of {expected_304} polls and "
        f"reported {unchanged_entries} entries (parse skipped); the first poll stored "
        f"{seen} entries and the validators"
        + (" (--quick: validators only)." if options.quick else "."),
        "Measured includes the store's bookkeeping (SQLite, WAL: one transaction reading "
        "the feeds, one statement recording the 304s); the naive path stores nothing.",
        f"Targets < {TARGET_S:g} s and >= {TARGET_RATIO:g}x: "
        + ("met." if cond_s < TARGET_S and speedup >= TARGET_RATIO else "MISSED."),
    ]
    section.metrics = {
        "poll_100_unchanged_s": rounded(cond_s),
        "poll_100_naive_s": rounded(naive_s),
        "poll_vs_naive": rounded(speedup, 2),
        "poll_100_one_at_a_time_s": rounded(single_s),
        "poll_100_per_feed_calls_s": rounded(per_feed_s),
        "poll_workers": POLL_WORKERS,
        "poll_100_first_s": None if options.quick else rounded(first_poll),
        "poll_304_answers": not_modified,
        "poll_fetch_304_ms": rounded(fetch_s / FEEDS * 1e3, 3),
        "poll_store_ms_per_pass": rounded(store_s * 1e3, 3),
        "poll_feed_kb_mean": rounded(sum(sizes) / len(sizes) / 1024, 1),
    }
    return section
