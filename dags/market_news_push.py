"""
### market-news: take in pushed items

Drains the Redis list that `POST /market-news/push` fills (publisher webhooks and
WebSub notifications, authenticated with `MARKET_NEWS_PUSH_SECRET`) into the store as
pending entries, then updates the Asset `market_news://entries/new`, which triggers
**market_news_process** at once: a pushed item does not wait for the next poll.

**Scheduled on the doorbell or a slow timer**, whichever comes first:

- the Asset `market_news://push/doorbell` carries an `AssetWatcher` whose
  `MessageQueueTrigger(scheme="redis+pubsub")` runs in the **triggerer** and listens on
  the Redis Pub/Sub channel `MARKET_NEWS_PUSH_CHANNEL` (default
  `market_news:push:events`) through the Connection `redis_default`. The endpoint
  publishes there in the same transaction that queues the items, so a run starts
  within seconds of a push;
- every 5 minutes as a safety net: Pub/Sub keeps nothing for absent listeners, so a
  doorbell rung while the triggerer was down (or re-arming after the previous ring)
  is lost. The list is the durable queue; the timer drains what such a ring left.

The run skips (no Asset event) when the queue is empty. See docs/operations.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    AssetWatcher,
    DeltaTriggerTimetable,
    dag,
    task,
)
from airflow.sdk.exceptions import AirflowSkipException
from market_news.settings import push_channel_setting
from market_news_common import (
    DAG_ARGS,
    DEFAULT_ARGS,
    NEW_ENTRIES,
    TAGS,
    report,
    task_settings,
)

#: Updated by the triggerer each time the push endpoint rings the doorbell.
DOORBELL_URI = "market_news://push/doorbell"
#: The Redis provider's default Connection; only the triggerer needs it.
REDIS_CONNECTION_ID = "redis_default"
#: How long the trigger sleeps between two empty reads of the channel (the provider's
#: default, 60 s, would make a push wait up to a minute).
DOORBELL_POLL_S = 1.0
#: Drains pushes whose doorbell nobody heard.
SAFETY_NET = timedelta(minutes=5)


def doorbell_asset(channel: str) -> Asset:
    """The Asset whose watcher turns a message on `channel` into an Asset event.

    Building it opens no connection: the trigger only subscribes when the triggerer
    runs it, so DAG parsing stays free of network I/O.
    """
    trigger = MessageQueueTrigger(
        scheme="redis+pubsub",
        channels=[channel],
        redis_conn_id=REDIS_CONNECTION_ID,
        poll_interval=DOORBELL_POLL_S,
    )
    return Asset(
        DOORBELL_URI,
        group="market_news",
        watchers=[AssetWatcher(name="market_news_push_doorbell", trigger=trigger)],
    )


DOORBELL = doorbell_asset(push_channel_setting())


@dag(
    dag_id="market_news_push",
    schedule=AssetOrTimeSchedule(
        timetable=DeltaTriggerTimetable(SAFETY_NET),
        assets=DOORBELL,
    ),
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
        from market_news.push import consume_pushed  # noqa: PLC0415

        settings = task_settings()
        # The list key is an environment setting, never a Variable: the endpoint that
        # fills the list runs in the api-server, which does not read Variables.
        key = settings.push_key
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
