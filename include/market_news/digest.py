"""The daily digest: one message per channel summarising the day's events.

The day is a New York calendar day (the desk's day), and its events are the top-level
alerts queued in it, each counted in the channel the routing rules send it to, with the
event's current figures (after corrections). A channel with nothing that day gets no
digest.

Idempotent per (channel, day): every digest carries `alert_key` `digest:{channel}:{day}`
in its metadata and is looked up in the channel's history before it is posted, so a
retried task or a re-run DAG posts nothing new. (The store's outbox cannot hold a
digest yet; see the note in docs/routing.md. Two digest runs for the same day at the
same moment could both post: run the DAG with `max_active_runs=1`. In dry run nothing is
recorded, so a rerun prints the digest again.)
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from market_news.digest_queries import day_alerts
from market_news.models import PassSummary
from market_news.pipeline.deliver import TOKEN_CODES, make_sender
from market_news.routing import RoutesFileError, load_router
from market_news.settings import Settings
from market_news.slack import Sender, SlackDeliveryError
from market_news.slack.render_digest import digest_key, render_digest
from market_news.store import Store

log = logging.getLogger("market_news.digest")

NEW_YORK = ZoneInfo("America/New_York")


def digest_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """`[start, end)` of a New York calendar day, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=NEW_YORK)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=NEW_YORK)
    return start, end


def today_in_new_york(now: dt.datetime | None = None) -> dt.date:
    """The desk's calendar day now."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(NEW_YORK).date()


def last_complete_day(now: dt.datetime | None = None) -> dt.date:
    """Yesterday in New York: the latest day whose events are all in."""
    return today_in_new_york(now) - dt.timedelta(days=1)


def send_daily_digest(
    *,
    settings: Settings,
    store: Store,
    day: dt.date | None = None,
    sender: Sender | None = None,
) -> PassSummary:
    """Post (or, in dry run, print) one digest per channel for `day`.

    `day` defaults to the last complete New York day (yesterday there), so a DAG run
    early in the morning summarises the day before.

    Returns the counts: `alerts_sent` digests posted, `errors` channels that failed
    (each one error line; the others still get theirs).
    """
    day = day or last_complete_day()
    try:
        router = load_router(settings.routes_file, settings.slack_channel)
    except RoutesFileError as exc:
        log.error("digest not sent: %s", exc)
        return PassSummary(errors=1)
    start, end = digest_window(day)
    by_channel: dict[str, list[tuple[str, dict[str, object]]]] = {}
    for alert in day_alerts(store, start, end):
        channel = router.channel_for(alert.kind, alert.payload)
        by_channel.setdefault(channel, []).append((alert.kind, alert.payload))
    if not by_channel:
        log.info("digest for %s: no events", day)
        return PassSummary()
    sender = sender or make_sender(settings)
    summary = PassSummary()
    for channel, alerts in by_channel.items():
        key = digest_key(channel, day)
        try:
            if not settings.dry_run and sender.find_posted(
                channel, key, kind="digest", alert_key=key, oldest=start.timestamp()
            ):
                log.info("digest %s already posted", key)
                continue
            sender.post(render_digest(channel, day, alerts), channel)
        except SlackDeliveryError as exc:
            log.error("digest %s not sent: %s", key, exc)
            summary += PassSummary(errors=1)
            if exc.code in TOKEN_CODES:
                break
            continue
        summary += PassSummary(alerts_sent=1)
    return summary


__all__ = ["digest_window", "last_complete_day", "send_daily_digest", "today_in_new_york"]
