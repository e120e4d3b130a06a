"""
### market-news: process and deliver

Runs whenever **market_news_poll** stores new entries (Asset `market_news://entries/new`).
`process` fetches and extracts the pending articles, deduplicates them and their events in
the store and queues alerts; `deliver` posts the queued alerts to Slack exactly once.
Delivery is its own task, so a Slack outage never blocks extraction: alerts stay queued
and the next run (or a retry) sends them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from market_news_common import DAG_ARGS, DEFAULT_ARGS, NEW_ENTRIES, TAGS, report, task_settings


@dag(
    dag_id="market_news_process",
    schedule=[NEW_ENTRIES],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "process", "slack"],
    doc_md=__doc__,
    **DAG_ARGS,
)
def market_news_process() -> None:
    @task
    def process() -> dict[str, int]:
        """Extract pending articles, dedupe, record events, queue alerts."""
        from market_news.pipeline import load_feeds, open_store, process_pending  # noqa: PLC0415

        settings = task_settings()
        store = open_store(settings)
        try:
            return report(
                process_pending(settings=settings, store=store, feeds=load_feeds(settings))
            )
        finally:
            store.close()

    @task(trigger_rule="all_done")
    def deliver() -> dict[str, int]:
        """Send queued alerts; whatever fails stays queued for the next run."""
        from market_news.pipeline import deliver_pending, open_store  # noqa: PLC0415

        settings = task_settings()
        store = open_store(settings)
        try:
            return report(deliver_pending(settings=settings, store=store))
        finally:
            store.close()

    process() >> deliver()


market_news_process()
