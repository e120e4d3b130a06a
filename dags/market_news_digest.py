"""
### market-news: daily digest

Once a day (06:00 UTC) posts a digest of the last day's earnings events and AI
claims to Slack, through `market_news.digest.send_daily_digest`. The digest reads the
store only, so it never races the polling and processing DAGs, and sending it twice
for the same day is the digest module's to prevent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from market_news_common import DAG_ARGS, DEFAULT_ARGS, TAGS, task_settings


@dag(
    dag_id="market_news_digest",
    schedule="0 6 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "digest", "slack"],
    doc_md=__doc__,
    **DAG_ARGS,
)
def market_news_digest() -> None:
    @task
    def send_digest() -> object:
        """Build and send the day's digest (imported here: parsing must stay cheap)."""
        from market_news.digest import send_daily_digest  # noqa: PLC0415
        from market_news.pipeline import open_store  # noqa: PLC0415

        settings = task_settings()
        store = open_store(settings)
        try:
            result = send_daily_digest(settings=settings, store=store)
        finally:
            store.close()
        to_dict = getattr(result, "to_dict", None)
        return to_dict() if callable(to_dict) else result

    send_digest()


market_news_digest()
