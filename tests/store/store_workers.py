"""Code the concurrency tests run in separate processes (spawned, so importable by name).

Each worker opens its own engine, waits at a barrier so all of them hit the database at
the same moment, and reports what it got through a queue.
"""

from __future__ import annotations

import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from market_news.store import Store, create_store_engine
from store_factories import eps


def claim_until_empty(url: str, batch: int, barrier: Barrier, results: Queue[list[int]]) -> None:
    """Claim small batches until nothing is left; report every id this worker got."""
    store = Store(create_store_engine(url))
    got: list[int] = []
    try:
        barrier.wait(timeout=60)
        while claimed := store.claim_pending_alerts(batch):
            got.extend(alert.id for alert in claimed)
            time.sleep(0.005)  # a sender posts between claims; lets the others interleave
    finally:
        results.put(got)
        store.close()


def record_same_event(url: str, worker: int, barrier: Barrier, results: Queue[list[str]]) -> None:
    """Record the same report as another outlet would; report the alert keys queued."""
    store = Store(create_store_engine(url))
    keys: list[str] = []
    try:
        barrier.wait(timeout=60)
        queued = store.record_earnings(
            None,
            [eps()],
            article_url=f"https://outlet{worker}.example.com/meta-q3",
            article_title="Meta beats",
            published=None,
            language="en",
            company="Meta Platforms",
        )
        keys = [alert.alert_key for alert in queued]
    finally:
        results.put(keys)
        store.close()


def claim_entries_until_empty(
    url: str, batch: int, barrier: Barrier, results: Queue[list[int]]
) -> None:
    """Claim entries in small batches, marking each done, until none is left."""
    store = Store(create_store_engine(url))
    got: list[int] = []
    try:
        barrier.wait(timeout=60)
        while claimed := store.claim_entries(batch):
            for entry in claimed:
                got.append(entry.id)
                store.mark_entry(entry.id, "done")
    finally:
        results.put(got)
        store.close()
