"""Two senders delivering from one PostgreSQL outbox at the same time: no alert twice.

Each sender has its own engine, its own Slack client, and starts at the same moment
(a barrier); `FOR UPDATE SKIP LOCKED` claims must give them disjoint alerts.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from delivery_support import queue_earnings, queue_many, settings_for, top_level_keys
from market_news.models import PassSummary
from market_news.pipeline import deliver_pending
from market_news.store import Store

try:  # `tests/` is on sys.path via tests/conftest.py (rootdir-relative imports)
    from support.databases import postgres_database, postgres_schema_url
except ImportError:  # pragma: no cover
    from tests.support.databases import postgres_database, postgres_schema_url

__all__ = ["postgres_database", "postgres_schema_url"]

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]


def _run_senders(settings: Any, db_url: str, count: int) -> list[PassSummary]:
    barrier = threading.Barrier(count)
    results: list[PassSummary] = []
    failures: list[BaseException] = []

    def sender() -> None:
        store = Store.open(db_url)
        try:
            barrier.wait(timeout=30)
            results.append(deliver_pending(settings=settings, store=store, batch=4))
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not failures, failures
    return results


def test_two_senders_at_once_never_post_an_alert_twice(
    slack_standin: Any, postgres_schema_url: str, tmp_path: Path
) -> None:
    store = Store.open(postgres_schema_url)
    try:
        keys = queue_many(store, 30)
        # corrections too: each waits for its parent, whichever sender posted it
        for number in range(0, 30, 5):
            queue_earnings(store, f"T{number:03d}", 1.3, 1.0)
            keys += [f"correction:earnings:T{number:03d}:2024:Q3:1"]
    finally:
        store.close()
    settings = settings_for(slack_standin, postgres_schema_url, tmp_path)

    results = _run_senders(settings, postgres_schema_url, 2)

    messages = slack_standin.messages("#market-news")
    sent = [
        str((m.get("metadata") or {}).get("event_payload", {}).get("alert_key")) for m in messages
    ]
    assert sorted(sent) == sorted(keys)  # every alert, none twice
    assert len(top_level_keys(slack_standin)) == 30
    assert sum(r.alerts_sent for r in results) == 36
    assert all(r.alerts_sent > 0 for r in results), "both senders took part"
    assert all(r.errors == 0 for r in results)
    replies = [m for m in messages if m.get("thread_ts") not in (None, m["ts"])]
    assert len(replies) == 6
