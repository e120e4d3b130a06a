"""
### market-news: poll feeds

Polls every feed in the feeds file (`MARKET_NEWS_FEEDS`) with conditional GET, so an
unchanged feed costs a 304. The feeds are split into batches of at most 25, one mapped
`poll` task per batch (at most 8 at once, spread over the workers); each task fetches its
batch a few feeds at a time. New entries are stored as pending work and the Asset
`market_news://entries/new` is updated, which triggers **market_news_process**.
A feed that fails is logged in one line and counted; the other feeds go on. A failing
feed is backed off (1, 2, 4 ... minutes, at most an hour): until its next poll time it is
not fetched and counts as `skipped`, so it never holds up the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from market_news_common import DAG_ARGS, DEFAULT_ARGS, NEW_ENTRIES, TAGS, report, task_settings

#: Feeds per mapped task. One task process per feed costs a second or two of start-up
#: each minute per feed; a batch shares that cost, and its feeds are fetched in parallel.
FEEDS_PER_TASK = 25


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
    def feed_batches() -> list[list[str]]:
        """The configured feeds' names in batches (read at run time, never at parse time)."""
        from market_news.pipeline import load_feeds  # noqa: PLC0415

        names = [feed.name for feed in load_feeds(task_settings())]
        return [names[i : i + FEEDS_PER_TASK] for i in range(0, len(names), FEEDS_PER_TASK)]

    @task(max_active_tis_per_dagrun=8, retries=1, map_index_template="{{ feeds_label }}")
    def poll(feed_names: list[str]) -> dict[str, int]:
        """Fetch the batch's due feeds and store their new entries (`skipped`: not due)."""
        from market_news.pipeline import load_feeds, open_store, poll_feeds  # noqa: PLC0415

        get_current_context()["feeds_label"] = _label(feed_names)  # type: ignore[typeddict-unknown-key]
        settings = task_settings()
        wanted = set(feed_names)
        feeds = [feed for feed in load_feeds(settings) if feed.name in wanted]
        store = open_store(settings)
        try:
            summary = poll_feeds(feeds, settings=settings, store=store, due_only=True)
        finally:
            store.close()
        return {**report(summary), "skipped": len(feeds) - summary.feeds}

    @task(outlets=[NEW_ENTRIES])
    def announce(results: list[dict[str, int]]) -> dict[str, int]:
        """Update the Asset only when something new arrived (a skip emits no event)."""
        keys = {key for result in results for key in result}
        totals = {key: sum(result.get(key, 0) for result in results) for key in sorted(keys)}
        new_entries = totals.get("entries_seen", 0) - totals.get("duplicates", 0)
        if new_entries <= 0:
            raise AirflowSkipException("no new entries in any feed")
        return totals

    announce(poll.expand(feed_names=feed_batches()))


def _label(feed_names: list[str]) -> str:
    """How a batch is named in the grid: its first and last feed and how many."""
    if len(feed_names) == 1:
        return feed_names[0]
    return f"{feed_names[0]} … {feed_names[-1]} ({len(feed_names)} feeds)"


market_news_poll()
