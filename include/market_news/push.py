"""Pushed items: check and parse what a publisher sends, queue it in Redis, drain it.

The push path is the event-driven twin of polling. A publisher (or a WebSub hub) POSTs
to the monitoring app's `/push` endpoint; the endpoint authenticates the body with the
shared secret, parses it here, appends the items to a Redis list and publishes a small
notification (the "doorbell") on a Pub/Sub channel, both in one transaction. The doorbell
wakes the `market_news_push` DAG through an AssetWatcher in the triggerer; its task,
`consume_pushed`, moves the items into the store as pending entries, where
`process_pending` treats them exactly like polled entries: same dedupe, same alerts.

Delivery from Redis is at least once: an item is moved to a "claimed" list with `LMOVE`
before it is stored and removed only after, so a consumer killed in between leaves it
to the next run. Storing twice is harmless: the store's unique keys drop the copy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

import redis

from market_news.feeds import FeedParseError, FeedsFileError, load_feeds_file, parse_feed
from market_news.models import FeedConfig, FeedEntry, PassSummary
from market_news.settings import DEFAULT_PUSH_KEY, Settings
from market_news.store import Store

log = logging.getLogger("market_news.push")

#: Largest accepted request body; a pushed item is a link and a few lines of text.
MAX_PUSH_BYTES = 64 * 1024
#: Most items one request may carry (a WebSub body is a whole feed document).
MAX_ITEMS_PER_PUSH = 100
#: Header carrying the shared secret as is.
SECRET_HEADER = "X-Market-News-Secret"  # noqa: S105 - a header name
#: Header carrying `sha256=<hex HMAC of the body>` (GitHub and WebSub style).
SIGNATURE_HEADER = "X-Hub-Signature-256"

_TEXT_LIMITS = {"feed": 200, "url": 2048, "title": 1000, "guid": 2048, "summary": 20_000}
_JSON_KEYS = frozenset({*_TEXT_LIMITS, "published"})
_FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml")


class PushError(ValueError):
    """A pushed body that is not a usable item; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class PushedItem:
    """One item as queued in Redis (JSON); `published` is ISO 8601 or None."""

    feed: str
    url: str
    title: str | None = None
    guid: str | None = None
    summary: str | None = None
    published: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> PushedItem:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise PushError("queued item is not a JSON object")
        return parse_item(data)

    def to_entry(self) -> FeedEntry:
        published = datetime.fromisoformat(self.published) if self.published else None
        return FeedEntry(
            feed_name=self.feed,
            guid=self.guid or self.url,
            link=self.url,
            title=self.title,
            summary=self.summary,
            content_html=None,
            published=published,
        )


# --- authentication -----------------------------------------------------------------------


def signature_for(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value a publisher sends for `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def authenticate(
    secret: str, body: bytes, *, header_secret: str | None, signature: str | None
) -> bool:
    """True when the request carries the shared secret or a valid body signature.

    Both comparisons are constant-time (`hmac.compare_digest`), so response timing does
    not reveal how much of a guess was right.
    """
    if header_secret is not None and hmac.compare_digest(
        header_secret.encode("utf-8"), secret.encode("utf-8")
    ):
        return True
    if signature is not None:
        expected = signature_for(secret, body)
        return hmac.compare_digest(signature.strip().encode("utf-8"), expected.encode("utf-8"))
    return False


# --- parsing ------------------------------------------------------------------------------


def parse_push(
    body: bytes, content_type: str, *, feed_name: str | None, feeds: Sequence[FeedConfig]
) -> list[PushedItem]:
    """The items of a push body: one JSON item, or a WebSub feed document (`?feed=`).

    Every item must name a configured feed, so a push can never invent a feed.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    known = {feed.name: feed for feed in feeds}
    if media == "application/json" or media.endswith("+json"):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PushError(f"body is not JSON ({exc.__class__.__name__})") from None
        if not isinstance(data, dict):
            raise PushError("body must be a JSON object")
        items = [parse_item(data)]
    elif media in _FEED_TYPES:
        items = _feed_document_items(body, feed_name, known)
    else:
        raise PushError(f"unsupported content type {media or 'none'!r}")
    for item in items:
        if item.feed not in known:
            raise PushError(f"unknown feed {item.feed[:100]!r}")
    return items


def parse_item(data: Mapping[str, Any]) -> PushedItem:
    """One JSON item: `feed`, `url`, `title` required; `guid`, `summary`, `published`."""
    unknown = sorted(str(key) for key in data if key not in _JSON_KEYS)
    if unknown:
        raise PushError(f"unknown field {unknown[0][:50]!r}")
    values: dict[str, str | None] = {}
    for key, limit in _TEXT_LIMITS.items():
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise PushError(f"{key!r} must be a string of at most {limit} characters")
        values[key] = value.strip() if isinstance(value, str) and value.strip() else None
    for key in ("feed", "url", "title"):
        if not values[key]:
            raise PushError(f"missing {key!r}")
    url = cast(str, values["url"])
    if not url.lower().startswith(("http://", "https://")):
        raise PushError("'url' must be an http(s) URL")
    return PushedItem(
        feed=cast(str, values["feed"]),
        url=url,
        title=values["title"],
        guid=values["guid"],
        summary=values["summary"],
        published=_published(data.get("published")),
    )


def _published(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PushError("'published' must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PushError("'published' must be an ISO 8601 string") from None
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return aware.astimezone(UTC).isoformat()


def _feed_document_items(
    body: bytes, feed_name: str | None, known: Mapping[str, FeedConfig]
) -> list[PushedItem]:
    """WebSub content distribution: the body is the updated feed; `?feed=` names it."""
    if not feed_name:
        raise PushError("a feed document needs the feed's name (?feed=NAME)")
    feed = known.get(feed_name)
    if feed is None:
        raise PushError(f"unknown feed {feed_name[:100]!r}")
    try:
        entries = parse_feed(body, feed, base_url=feed.url)
    except FeedParseError as exc:
        raise PushError(str(exc)) from None
    items = [_item_from_entry(entry) for entry in entries if entry.link]
    if not items:
        raise PushError("the feed document has no entries with links")
    if len(items) > MAX_ITEMS_PER_PUSH:
        raise PushError(f"more than {MAX_ITEMS_PER_PUSH} entries in one push")
    return items


def _item_from_entry(entry: FeedEntry) -> PushedItem:
    assert entry.link is not None
    return PushedItem(
        feed=entry.feed_name,
        url=entry.link,
        title=entry.title or entry.link,
        guid=entry.guid,
        summary=entry.summary or entry.content_html,
        published=entry.published.isoformat() if entry.published else None,
    )


# --- the Redis queue ----------------------------------------------------------------------


def redis_client(settings: Settings) -> redis.Redis:
    """A client for `settings.redis_url` with short timeouts (an endpoint must not hang)."""
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)


@dataclass(frozen=True, slots=True)
class Queued:
    """What `publish` did: the queue's new length, and who heard the doorbell."""

    length: int
    listeners: int = 0


def doorbell_message(key: str, count: int) -> str:
    """The Pub/Sub notification: which list grew and by how much, never the items."""
    return json.dumps({"key": key, "queued": count}, separators=(",", ":"))


def publish(
    client: redis.Redis,
    items: Sequence[PushedItem],
    *,
    key: str = DEFAULT_PUSH_KEY,
    channel: str | None = None,
) -> Queued:
    """Append items to the queue and, with `channel`, ring the doorbell, in one MULTI.

    The list is the durable queue: a doorbell nobody hears (triggerer down, between two
    watches) loses nothing, the push DAG's safety-net timer drains the list anyway. In
    one transaction, a listener woken by the doorbell always finds the items queued.
    """
    if not items:
        return Queued(length=0)
    pipe = client.pipeline(transaction=True)
    pipe.rpush(key, *(item.to_json() for item in items))
    if channel:
        pipe.publish(channel, doorbell_message(key, len(items)))
    results = pipe.execute()
    return Queued(length=int(results[0]), listeners=int(results[1]) if channel else 0)


def consume_pushed(
    settings: Settings,
    store: Store,
    *,
    feeds: Sequence[FeedConfig] | None = None,
    client: redis.Redis | None = None,
    key: str = DEFAULT_PUSH_KEY,
    limit: int = 1000,
) -> PassSummary:
    """Move queued items into the store as pending entries (at least once, no duplicates).

    Items left in the claimed list by a consumer that died are taken first. An item that
    cannot be stored (unknown feed, garbage) is logged, counted as an error and dropped:
    requeueing it would block the queue forever.
    """
    feed_list = list(feeds) if feeds is not None else _configured_feeds(settings)
    by_name = {feed.name: feed for feed in feed_list}
    own_client = client is None
    client = client or redis_client(settings)
    claimed_key = f"{key}:claimed"
    summary = PassSummary()
    registered: set[str] = set()
    try:
        for _ in range(limit):
            raw = client.lindex(claimed_key, 0) or client.lmove(key, claimed_key, "LEFT", "RIGHT")
            if raw is None:
                break
            summary += _store_item(cast(bytes, raw), by_name, registered, store)
            client.lrem(claimed_key, 1, cast(Any, raw))  # the stubs say str; bytes is fine
    finally:
        if own_client:
            client.close()
    log.info(
        "pushed items: %d drained, %d new, %d errors",
        summary.entries_seen + summary.errors,
        summary.entries_seen - summary.duplicates,
        summary.errors,
    )
    return summary


def _configured_feeds(settings: Settings) -> list[FeedConfig]:
    try:
        return load_feeds_file(settings.feeds_file)
    except FeedsFileError as exc:
        log.error("pushed items: %s", exc)
        raise


def _store_item(
    raw: bytes, by_name: Mapping[str, FeedConfig], registered: set[str], store: Store
) -> PassSummary:
    try:
        item = PushedItem.from_json(raw)
    except (PushError, ValueError) as exc:
        log.warning("pushed item dropped: %s", exc)
        return PassSummary(errors=1)
    feed = by_name.get(item.feed)
    if feed is None:
        log.warning("pushed item %s dropped: feed %r is not configured", item.url, item.feed)
        return PassSummary(errors=1)
    if feed.name not in registered:
        store.ensure_feed(feed)
        registered.add(feed.name)
    new = store.add_entry(feed.name, item.to_entry()) is not None
    return PassSummary(entries_seen=1, duplicates=0 if new else 1)


__all__ = [
    "DEFAULT_PUSH_KEY",
    "MAX_PUSH_BYTES",
    "SECRET_HEADER",
    "SIGNATURE_HEADER",
    "PushError",
    "PushedItem",
    "Queued",
    "authenticate",
    "consume_pushed",
    "doorbell_message",
    "parse_item",
    "parse_push",
    "publish",
    "redis_client",
    "signature_for",
]
