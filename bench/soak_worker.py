"""The soak's worker process: the pipeline's three steps, one round at a time.

Run by `bench.soak` as `python -m bench.soak_worker`, with the settings in its
environment exactly as an Airflow task gets them (`MARKET_NEWS_*`, `SLACK_BOT_TOKEN`;
`.env` is not read). It reads one JSON command per line on standard input and answers
one JSON line on standard output:

    {"round": 3, "sim_minutes": 15}   poll every feed (due_only, on the simulated clock),
                                      process until the backlog is gone, deliver
    {"quit": true}                    close the store, answer the peak RSS, exit

One long-lived process on one store, so a leak over the simulated hour shows up in its
RSS. The poll step passes `due_only=True` with `now` = wall clock + the simulated
minutes: back-off times are written on the wall clock, so a feed that failed is due
again at the next 5-minute round, as it would be after a 1-4 minute back-off.
`process_pending` takes at most 500 entries per call, like one run of the process
task; it is called again while a call comes back full.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from market_news.models import PassSummary
from market_news.pipeline import deliver_pending, load_feeds, open_store, poll_feed, process_pending
from market_news.settings import load_settings
from market_news.store import Store
from market_news.store.repository import MAX_ENTRY_ATTEMPTS
from market_news.store.schema import Alert, Entry
from sqlalchemy import and_, func, or_, select

from bench.memory_worker import _vm
from bench.soak_errors import Failure, classify

PROCESS_LIMIT = 500


class _Collector(logging.Handler):
    """Keeps the failures the pipeline logs (WARNING and up) until the round reports them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failures: list[Failure] = []

    def emit(self, record: logging.LogRecord) -> None:
        failure = classify(record)
        if failure is not None:
            self.failures.append(failure)

    def take(self) -> list[Failure]:
        taken, self.failures = self.failures, []
        return taken


def backlog(store: Store) -> dict[str, int]:
    """Work a later pass would still do: claimable entries and undelivered alerts."""
    claimable = or_(
        Entry.status == "pending",
        and_(Entry.status == "failed", Entry.attempts < MAX_ENTRY_ATTEMPTS),
    )
    with store.engine.connect() as connection:
        entries = connection.scalar(select(func.count()).select_from(Entry).where(claimable))
        alerts = connection.scalar(
            select(func.count()).select_from(Alert).where(Alert.status.in_(("pending", "sending")))
        )
    return {"entries": int(entries or 0), "alerts": int(alerts or 0)}


def main() -> int:
    collector = _Collector()
    logger = logging.getLogger("market_news")
    logger.setLevel(logging.WARNING)
    logger.addHandler(collector)
    logging.getLogger("slack_sdk").setLevel(logging.ERROR)

    settings = load_settings(environ=os.environ)
    feeds = load_feeds(settings)
    store = open_store(settings)
    print(json.dumps({"ready": True, "feeds": len(feeds), "rss_mb": round(_vm("VmRSS"), 1)}))
    sys.stdout.flush()
    try:
        for line in sys.stdin:
            command: dict[str, Any] = json.loads(line)
            if command.get("quit"):
                break
            now = datetime.now(UTC) + timedelta(minutes=float(command["sim_minutes"]))
            started = time.perf_counter()
            polled = PassSummary()
            skipped = 0
            for feed in feeds:
                summary = poll_feed(feed, settings=settings, store=store, due_only=True, now=now)
                skipped += summary.feeds == 0
                polled += summary
            poll_s = time.perf_counter() - started

            started = time.perf_counter()
            processed = PassSummary()
            calls = 0
            while True:
                step = process_pending(
                    settings=settings, store=store, feeds=feeds, limit=PROCESS_LIMIT
                )
                processed += step
                calls += 1
                if step.new_articles + step.duplicates + step.errors < PROCESS_LIMIT:
                    break
            process_s = time.perf_counter() - started

            started = time.perf_counter()
            delivered = deliver_pending(settings=settings, store=store)
            deliver_s = time.perf_counter() - started
            report = {
                "round": command["round"],
                "poll": polled.to_dict(),
                "skipped": skipped,
                "process": processed.to_dict(),
                "process_calls": calls,
                "deliver": delivered.to_dict(),
                "seconds": {
                    "poll": round(poll_s, 3),
                    "process": round(process_s, 3),
                    "deliver": round(deliver_s, 3),
                },
                "backlog": backlog(store),
                "rss_mb": round(_vm("VmRSS"), 1),
                "failures": [
                    [failure.where, failure.key, failure.error, failure.reason[:300]]
                    for failure in collector.take()
                ],
            }
            print(json.dumps(report))
            sys.stdout.flush()
    finally:
        store.close()
    print(json.dumps({"peak_rss_mb": round(_vm("VmHWM"), 1), "rss_mb": round(_vm("VmRSS"), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
