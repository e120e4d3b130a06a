"""
### market-news: take in pushed items

Drains the Redis list that `POST /market-news/push` fills (publisher webhooks and
WebSub notifications, authenticated with `MARKET_NEWS_PUSH_SECRET`) into the store as
pending entries, then updates the Asset `market_news://entries/new`, which triggers
**market_news_process** at once: a pushed item does not wait for the next poll.

Runs every 30 seconds and skips (no Asset event) when the queue is empty. The target
shape is an `AssetWatcher` with a Redis message-queue trigger in the triggerer, which
needs `apache-airflow-providers-redis` and `apache-airflow-providers-common-messaging`;
see docs/operations.md. The task reads the same Redis list either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException
from market_news_common import (
    DAG_ARGS,
    DEFAULT_ARGS,
    NEW_ENTRIES,
    TAGS,
    report,
    task_settings,
    variable_overrides,
)


@dag(
    dag_id="market_news_push",
    schedule=timedelta(seconds=30),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=5),
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "push", "redis"],
    doc_md=__doc__,
    **DAG_ARGS,
)
def market_news_push() -> None:
    @task(outlets=[NEW_ENTRIES])
    def consume() -> dict[str, int]:
        """Move pushed items from Redis into the store; skip when nothing new arrived."""
        from market_news.pipeline import open_store  # noqa: PLC0415
        from market_news.push import DEFAULT_PUSH_KEY, consume_pushed  # noqa: PLC0415

        settings = task_settings()
        key = str(variable_overrides().get("push_key") or DEFAULT_PUSH_KEY)
        store = open_store(settings)
        try:
            summary = consume_pushed(settings, store, key=key)
        finally:
            store.close()
        counts = report(summary)
        if summary.entries_seen - summary.duplicates <= 0:
            raise AirflowSkipException("no new pushed items")
        return counts

    consume()


market_news_push()
