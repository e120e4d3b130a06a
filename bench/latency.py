"""Alert latency: from an item appearing on a feed to Slack accepting the message.

Set-up, all in this process on loopback: 5 RSS feeds (20 archive items each, 5 with
--quick, processed and alerted before timing starts) on a threaded http.server; the
Slack stand-in from `tests/support/slack_standin.py` with a real `SlackSender` (slack-
sdk) posting to it; a fresh SQLite store. Each timed item is a new earnings story (its
own ticker, so one new event and exactly one top-level message) whose feed entry carries
only a summary, so the pipeline fetches and extracts a ~20 KB page. Publication = the
moment the feed document on the server starts listing the item; arrival = the moment the
stand-in accepts the `chat.postMessage` (recorded inside the stand-in, under its lock).

(a) Event-driven: the item is "pushed": right after publishing it, the pipeline runs
    `poll_feed` on that feed, `process_pending` and `deliver_pending`. Items are spaced
    further apart than a pass takes, so there is no queueing: this is the floor.
(b) Polling every 60 s, compressed: 1 simulated minute = 1 real second. Items are published
    at random times by a publisher thread while the poller runs a full pass (5 feeds,
    process, deliver) on the fixed schedule. Reported in simulated seconds: the wait for
    the next poll is scaled up by 60, the work of the pass that delivered the item is
    counted as it was measured (not scaled), so slow work is not hidden by compression.
"""

from __future__ import annotations

import random
import re
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from market_news.models import FeedConfig
from market_news.pipeline import deliver_pending, make_sender, poll_feed, process_pending
from market_news.settings import Settings
from market_news.store import Store

from bench.common import (
    Options,
    Section,
    ensure_project_on_path,
    fmt,
    percentile,
    progress,
    ratio,
    rounded,
)
from bench.corpus import base_pages, pad_page
from bench.feedserver import HTML_TYPE, RSS_TYPE, FeedServer, Item, archive_items, rss

FEEDS = 5
ARCHIVE_ITEMS = 20
QUICK_ARCHIVE_ITEMS = 5
POLL_INTERVAL_SIM_S = 60.0
SCALE = 60.0  # simulated seconds per real second
_SLUG = re.compile(r"/articles/(live-\d+)\.html")


def _ticker(number: int) -> str:
    letters = ""
    for _ in range(3):
        letters += chr(65 + number % 26)
        number //= 26
    return "Z" + letters


def _story(number: int, rng: random.Random) -> tuple[str, bytes]:
    """(headline, ~20 KB page) of a new earnings story with its own ticker."""
    ticker = _ticker(number)
    eps = 0.5 + rng.randrange(300) / 100
    estimate = round(eps - 0.05 - rng.randrange(40) / 100, 2)
    headline = f"Bench Holdings {number} beats third-quarter estimates"
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{headline} | Bench Wire</title>
<meta property="og:title" content="{headline}">
<meta property="article:published_time" content="2024-11-19T12:00:00+00:00">
</head><body><header><nav><a href="/">Bench Wire</a></nav></header>
<article><h1>{headline}</h1>
<p>Bench Holdings {number} Inc (NASDAQ:{ticker}) reported third-quarter 2024 adjusted earnings
of ${eps:.2f} per share, beating the ${estimate:.2f} analysts had expected.</p>
</article></body></html>"""
    return headline, pad_page(page, 20 * 1024, rng).encode("utf-8")


class _TimedStandin:
    """The project's Slack stand-in, recording when each message was accepted."""

    def __new__(cls) -> Any:
        ensure_project_on_path()
        from tests.support.slack_standin import SlackStandin  # noqa: PLC0415

        class Timed(SlackStandin):
            def __init__(self) -> None:
                super().__init__()
                self.accepted: dict[str, float] = {}

            def handle(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
                answer = super().handle(method, params)
                if method == "chat.postMessage" and answer.get("ok"):
                    metadata = answer["message"].get("metadata") or {}
                    url = str((metadata.get("event_payload") or {}).get("article_url", ""))
                    match = _SLUG.search(url)
                    if match:
                        self.accepted.setdefault(match.group(1), time.monotonic())
                return answer

        return Timed()


@dataclass
class _Live:
    server: FeedServer
    feeds: list[FeedConfig]
    items: dict[int, list[Item]]  # feed index -> items listed
    lock: threading.Lock

    def publish(self, feed_index: int, item: Item) -> float:
        """List `item` on its feed; returns the moment the feed started listing it."""
        with self.lock:
            self.items[feed_index].append(item)
            body = rss(f"Live {feed_index}", self.server.url("/"), self.items[feed_index])
            self.server.put(f"/feeds/live-{feed_index}.xml", body, RSS_TYPE)
            return time.monotonic()


def _setup(server: FeedServer, archive: int) -> _Live:
    """5 feeds with their archive items and pages (sample pages, as bundled)."""
    base = server.url("")
    pages = base_pages(base)
    live = _Live(server, [], {}, threading.Lock())
    for index in range(FEEDS):
        items = archive_items(index, archive, base, seed=31)
        for number, item in enumerate(items):
            path = item.link.removeprefix(base).split("?")[0]
            server.put(path, pages[(index + number) % len(pages)][1].encode("utf-8"), HTML_TYPE)
        live.items[index] = items[:-1]
        live.publish(index, items[-1])
        name = f"live-{index}"
        live.feeds.append(FeedConfig(name=name, url=server.url(f"/feeds/{name}.xml")))
    return live


def _full_pass(live: _Live, settings: Settings, store: Store, sender: Any) -> None:
    for feed in live.feeds:
        poll_feed(feed, settings=settings, store=store)
    process_pending(settings=settings, store=store, feeds=live.feeds)
    deliver_pending(settings=settings, store=store, sender=sender)


def _new_item(live: _Live, number: int, rng: random.Random) -> tuple[int, Item]:
    headline, page = _story(number, rng)
    slug = f"live-{number}"
    live.server.put(f"/articles/{slug}.html", page, HTML_TYPE)
    item = Item(
        guid=f"bench:{slug}",
        title=headline,
        link=live.server.url(f"/articles/{slug}.html") + "?utm_source=rss",
        description="Quarterly results against analyst estimates.",
        published=datetime.now(UTC),
    )
    return number % FEEDS, item


def _event_driven(
    live: _Live, settings: Settings, store: Store, *, sender: Any, standin: Any, count: int
) -> list[float]:
    rng = random.Random(41)
    published: dict[str, float] = {}
    for number in range(count):
        feed_index, item = _new_item(live, number, rng)
        time.sleep(rng.uniform(0.02, 0.1))
        slug = f"live-{number}"
        published[slug] = live.publish(feed_index, item)
        poll_feed(live.feeds[feed_index], settings=settings, store=store)
        process_pending(settings=settings, store=store, feeds=live.feeds)
        deliver_pending(settings=settings, store=store, sender=sender)
    return [standin.accepted[slug] - t for slug, t in published.items() if slug in standin.accepted]


def _polling(
    live: _Live,
    settings: Settings,
    store: Store,
    *,
    sender: Any,
    standin: Any,
    count: int,
    window_sim_s: float,
    first: int,
) -> tuple[list[float], list[float], int]:
    rng = random.Random(43)
    interval = POLL_INTERVAL_SIM_S / SCALE
    schedule = sorted(rng.uniform(0, window_sim_s) / SCALE for _ in range(count))
    stories = [_new_item(live, first + n, rng) for n in range(count)]
    published: dict[str, float] = {}
    start = time.monotonic() + 0.2

    def publisher() -> None:
        for offset, (feed_index, item) in zip(schedule, stories, strict=True):
            delay = start + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            slug = _SLUG.search(item.link).group(1)  # type: ignore[union-attr]
            published[slug] = live.publish(feed_index, item)

    thread = threading.Thread(target=publisher, name="bench-publisher", daemon=True)
    thread.start()
    ticks: list[float] = []
    late = 0
    tick = 0
    end = start + window_sim_s / SCALE + 2 * interval
    while True:
        due = start + tick * interval
        if due > end:
            break
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.05:
            late += 1
        ticks.append(time.monotonic())
        _full_pass(live, settings, store, sender)
        tick += 1
    thread.join()
    latencies: list[float] = []
    work: list[float] = []
    for slug, pub in published.items():
        arrival = standin.accepted.get(slug)
        if arrival is None:
            continue
        tick_start = max(t for t in ticks if t <= arrival)
        waited = max(0.0, tick_start - pub)
        done = arrival - max(tick_start, pub)
        latencies.append(waited * SCALE + done)
        work.append(done)
    return latencies, work, late


def run(options: Options) -> Section:
    pushed_count = 8 if options.quick else 40
    polled_count = 8 if options.quick else 40
    window_min = 3 if options.quick else 20
    progress(
        f"latency: {pushed_count} pushed items, then {polled_count} items over "
        f"{window_min} simulated minutes of 60 s polling ({window_min} s real)"
    )
    archive = QUICK_ARCHIVE_ITEMS if options.quick else ARCHIVE_ITEMS
    standin = _TimedStandin()
    standin.start()
    try:
        results: dict[str, Any] = {}
        for mode in ("pushed", "polled"):
            with (
                tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp,
                FeedServer() as server,
            ):
                settings = Settings(
                    db_url=f"sqlite:///{Path(tmp) / 'store.db'}",
                    data_dir=Path(tmp),
                    slack_token=standin.token,
                    slack_api_url=standin.base_url,
                    allow_private_hosts=True,
                    read_timeout_s=5,
                )
                store = Store.open(settings.database_url)
                sender = make_sender(settings)
                live = _setup(server, archive)
                try:
                    # The archive is set-up, not measured: stored and alerted without the
                    # 1 s per-channel pace (its ~18 alerts would take ~18 s per mode).
                    _full_pass(live, replace(settings, slack_pace_s=0.0), store, sender)
                    if mode == "pushed":
                        results["pushed"] = _event_driven(
                            live,
                            settings,
                            store,
                            sender=sender,
                            standin=standin,
                            count=pushed_count,
                        )
                    else:
                        # The clock runs 60x fast, so the Slack pace does too: at the real
                        # 1 s per message, a pass delivering a few alerts outlasts the 1 s
                        # "minute" and every later poll starts late.
                        compressed = replace(settings, slack_pace_s=settings.slack_pace_s / SCALE)
                        results["polled"] = _polling(
                            live,
                            compressed,
                            store,
                            sender=sender,
                            standin=standin,
                            count=polled_count,
                            window_sim_s=window_min * 60.0,
                            first=10_000,
                        )
                finally:
                    store.close()
    finally:
        standin.stop()

    pushed: list[float] = results["pushed"]
    polled, work, late = results["polled"]
    p50, p95 = percentile(pushed, 50), percentile(pushed, 95)
    q50, q95 = percentile(polled, 50), percentile(polled, 95)
    section = Section("4. Alert latency, publication -> Slack accepted")
    section.add(
        "p50 (s; polling in simulated s)",
        f"{fmt(p50)} (pushed)",
        f"{fmt(q50)} (60 s polls)",
        f"{ratio(q50, p50):,.0f}x",
    )
    section.add(
        "p95 (s; polling in simulated s)",
        f"{fmt(p95)} (pushed)",
        f"{fmt(q95)} (60 s polls)",
        f"{ratio(q95, p95):,.0f}x",
    )
    section.add(
        "  work of the delivering pass, p50 / p95 (s)",
        "",
        f"{fmt(percentile(work, 50))} / {fmt(percentile(work, 95))}",
    )
    section.notes += [
        f"Pushed: {len(pushed)}/{pushed_count} items alerted; each published, then at once "
        "poll_feed (that feed) + process_pending + deliver_pending; real seconds, nothing "
        "compressed; items spaced apart, so no queueing.",
        f"Polled: {len(polled)}/{polled_count} items published at uniform random times over "
        f"{window_min} simulated minutes; a full pass ({FEEDS} feeds, process, deliver) every "
        f"60 simulated s, compressed to 1 real s; latency = wait for the next poll x {SCALE:g} "
        f"+ the delivering pass's real work (not scaled); the Slack pace is compressed "
        f"like the clock (1 s -> {1 / SCALE:.3f} s), so pacing inside a pass is under-counted "
        f"by under 1 s per extra alert in it; {late} poll(s) started late.",
        f"Both: {FEEDS} feeds of {archive}+ items, pages ~20 KB fetched from loopback, "
        "SQLite store, slack-sdk SlackSender into tests/support/slack_standin.py; "
        "see bench/latency.py.",
    ]
    section.metrics = {
        "alert_latency_p50_s": rounded(p50),
        "alert_latency_p95_s": rounded(p95),
        "alert_latency_poll_p50_sim_s": rounded(q50, 2),
        "alert_latency_poll_p95_sim_s": rounded(q95, 2),
        "alert_latency_poll_work_p95_s": rounded(percentile(work, 95)),
        "alert_latency_items": len(pushed) + len(polled),
    }
    return section
