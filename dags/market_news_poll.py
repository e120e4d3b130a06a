"""
### market-news: poll feeds

Polls every feed in the feeds file (`MARKET_NEWS_FEEDS`), one mapped task per feed (named
by its feed in the grid), with conditional GET so unchanged feeds cost a 304. New entries
are stored as pending work and the Asset `market_news://entries/new` is updated, which
triggers **market_news_process**. A feed that fails is logged in one line and counted;
the other feeds go on. A failing feed is backed off (1, 2, 4 ... minutes, at most an
hour): until its next poll time its task returns at once with `skipped: 1`, so it never
holds up the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from market_news_common import DAG_ARGS, DEFAULT_ARGS, NEW_ENTRIES, TAGS, report, task_settings


@dag(
    dag_id="market_news_poll",
    schedule=timedelta(minutes=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=10),
    default_args=DEFAULT_ARGS,
    tags=[*TAGS, "poll"],
    doc_md=__doc__,
    **DAG_ARGS,
)
def market_news_poll() -> None:
    @task
    def configured_feeds() -> list[str]:
        """The names of the configured feeds (read at run time, never at parse time)."""
        from market_news.pipeline import load_feeds  # noqa: PLC0415

        return [feed.name for feed in load_feeds(task_settings())]

    @task(max_active_tis_per_dagrun=8, retries=1, map_index_template="{{ feed_name }}")
    def poll(feed_name: str) -> dict[str, int]:
        """Fetch one feed, if due, and store its new entries (`skipped` 1 when not due)."""
        from market_news.pipeline import load_feeds, open_store, poll_feed  # noqa: PLC0415

        # The grid names each mapped task by its feed instead of 0, 1, 2 ...
        get_current_context()["feed_name"] = feed_name  # type: ignore[typeddict-unknown-key]
        settings = task_settings()
        feed = next(f for f in load_feeds(settings) if f.name == feed_name)
        store = open_store(settings)
        try:
            summary = poll_feed(feed, settings=settings, store=store, due_only=True)
        finally:
            store.close()
        if summary.feeds == 0:
            return {**summary.to_dict(), "skipped": 1}
        return report(summary)

    @task(outlets=[NEW_ENTRIES])
    def announce(results: list[dict[str, int]]) -> dict[str, int]:
        """Update the Asset only when something new arrived (a skip emits no event)."""
        keys = {key for result in results for key in result}
        totals = {key: sum(result.get(key, 0) for result in results) for key in sorted(keys)}
        new_entries = totals.get("entries_seen", 0) - totals.get("duplicates", 0)
        if new_entries <= 0:
            raise AirflowSkipException("no new entries in any feed")
        return totals

    announce(poll.expand(feed_name=configured_feeds()))


market_news_poll()
