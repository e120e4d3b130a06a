"""`python -m bench.profile extract|poll|dedupe-pg`: where the time of a benchmark goes.

Runs the hot loop of one benchmark under pyinstrument (a sampling profiler) and writes
its text report to `bench/profiles/<name>.txt` (and prints it). These are the profiles
bench/README.md refers to for targets that are missed or at risk on a shared machine.

- extract: `extract_html` over the 160 benchmark pages, 3 rounds.
- poll: 5 passes of `poll_feeds` over the 100 unchanged feeds, one fetch at a time (the
  server in a child process).
- dedupe-pg: 2,000 `Store.find_article` calls against the cached 1M-row PostgreSQL store
  (run `python -m bench --only dedupe --db postgresql` once first to build it).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pyinstrument import Profiler

from bench.common import PROJECT_ROOT, progress, quiet_logging

PROFILES = PROJECT_ROOT / "bench" / "profiles"


def _extract() -> Callable[[], object]:
    from market_news.extract import extract_html  # noqa: PLC0415

    from bench.corpus import html_pages  # noqa: PLC0415

    pages = [page.html for page in html_pages(160)]
    for html in pages[:5]:
        extract_html(html)
    return lambda: [extract_html(html) for _ in range(3) for html in pages]


def _poll(stack: list[Callable[[], None]]) -> Callable[[], object]:
    from market_news.models import FeedConfig  # noqa: PLC0415
    from market_news.pipeline import poll_feeds  # noqa: PLC0415
    from market_news.settings import Settings  # noqa: PLC0415
    from market_news.store import Store  # noqa: PLC0415

    from bench.feedserver import RSS_TYPE, archive_items, rss  # noqa: PLC0415
    from bench.remote_feeds import RemoteFeedServer  # noqa: PLC0415

    server = RemoteFeedServer().__enter__()
    stack.append(lambda: server.__exit__(None, None, None))
    folder = tempfile.TemporaryDirectory(prefix="bench-profile-")
    stack.append(folder.cleanup)
    base = server.url("")
    feeds = []
    for index in range(100):
        path = f"/feeds/feed-{index}.xml"
        server.put(path, rss(f"Feed {index}", base, archive_items(index, 40, base)), RSS_TYPE)
        feeds.append(FeedConfig(name=f"feed-{index}", url=server.url(path)))
    settings = Settings(
        db_url=f"sqlite:///{Path(folder.name) / 'store.db'}",
        data_dir=Path(folder.name),
        allow_private_hosts=True,
    )
    store = Store.open(settings.database_url)
    stack.append(store.close)
    poll_feeds(feeds, settings=settings, store=store)  # the first poll: validators learnt
    # One fetch at a time: the profiler follows this thread only, and the fetch pool's
    # threads would show here as a wait on their results.
    return lambda: [poll_feeds(feeds, settings=settings, store=store, workers=1) for _ in range(5)]


def _dedupe_pg(stack: list[Callable[[], None]]) -> Callable[[], object]:
    from market_news.store import Store, canonical_url  # noqa: PLC0415

    from bench.dedupe import PG_URL  # noqa: PLC0415

    store = Store.open(PG_URL.format(database="market_news_bench"))
    stack.append(store.close)
    rng = random.Random(1)
    keys = [
        (canonical_url(f"https://fresh.example/x/{rng.random()}"), rng.randbytes(32).hex())
        for _ in range(2000)
    ]
    for key in keys[:50]:
        store.find_article(*key)
    return lambda: [store.find_article(*key) for key in keys]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("target", choices=("extract", "poll", "dedupe-pg"))
    args = parser.parse_args(argv)
    quiet_logging()
    cleanups: list[Callable[[], None]] = []
    try:
        if args.target == "extract":
            work = _extract()
        elif args.target == "poll":
            work = _poll(cleanups)
        else:
            work = _dedupe_pg(cleanups)
        progress(f"profiling {args.target}")
        profiler = Profiler(interval=0.0005)
        profiler.start()
        work()
        profiler.stop()
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
    report = profiler.output_text(unicode=False, color=False)
    PROFILES.mkdir(exist_ok=True)
    (PROFILES / f"{args.target}.txt").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
