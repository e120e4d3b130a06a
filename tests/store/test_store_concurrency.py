"""Several processes on one store at once: dedupe and claims hold in the database.

Real processes (spawned, each with its own engine), released together by a barrier, as
Airflow's Celery workers would be. PostgreSQL is the production case; SQLite (WAL,
BEGIN IMMEDIATE) must give the same answers, just serialised.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest
from market_news.store import Store
from market_news.store.schema import Alert, Event
from sqlalchemy import func, select
from store_factories import FEED, gpu_claim, make_entry
from store_workers import claim_entries_until_empty, claim_until_empty, record_same_event

WORKERS = 3
TIMEOUT_S = 120


def _run_workers(target: Callable[..., None], args: Callable[[int], tuple[Any, ...]]) -> list[Any]:
    """Start WORKERS spawned processes on `target`, release them together, collect results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*args(n), barrier, results)) for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    try:
        collected = [results.get(timeout=TIMEOUT_S) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=TIMEOUT_S)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    return collected


def _count(store: Store, model: type[Any]) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.mark.slow
def test_concurrent_claims_get_disjoint_sets(store_url: str, store: Store) -> None:
    queued = set()
    for n in range(60):
        (alert,) = store.record_ai_claims(
            None,
            [gpu_claim(1000 + n)],
            article_url=f"https://news.example.com/ai/{n}",
            article_title=None,
            published=None,
            language="en",
            tickers=[],
        )
        queued.add(alert.id)
    batches = _run_workers(claim_until_empty, lambda _n: (store_url, 3))
    claimed = [alert_id for batch in batches for alert_id in batch]
    assert len(claimed) == len(set(claimed)), "an alert was claimed by two senders"
    assert set(claimed) == queued
    assert sum(1 for batch in batches if batch) >= 2, "the workers did not overlap at all"
    assert store.alert_counts()["sending"] == len(queued)


@pytest.mark.slow
def test_concurrent_reports_of_one_event_queue_one_alert(store_url: str, store: Store) -> None:
    keys = _run_workers(record_same_event, lambda n: (store_url, n))
    assert sorted(key for worker_keys in keys for key in worker_keys) == ["earnings:META:2024:Q3"]
    assert _count(store, Event) == 1
    assert _count(store, Alert) == 1


@pytest.mark.slow
def test_concurrent_processing_workers_never_share_an_entry(store_url: str, store: Store) -> None:
    store.ensure_feed(FEED)
    added = {store.add_entry(FEED.name, make_entry(f"g{n}")) for n in range(60)}
    batches = _run_workers(claim_entries_until_empty, lambda _n: (store_url, 2))
    claimed = [entry_id for batch in batches for entry_id in batch]
    assert len(claimed) == len(set(claimed)), "an entry was processed by two workers"
    assert set(claimed) == added
    assert sum(1 for batch in batches if batch) >= 2, "the workers did not overlap at all"
