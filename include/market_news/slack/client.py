"""Posting alerts to Slack exactly once, and the dry-run stand-in for it.

`chat.postMessage` has no idempotency key, so exactly-once is built here and in the store:
- 429 and 5xx are retried by slack-sdk's own handlers (429 honours `Retry-After`);
- a connection lost after the request went out is NOT retried blindly: it raises
  `SlackDeliveryError(outcome_unknown=True)`, and the caller asks `find_posted` (channel
  history, matched on our message metadata) before posting again;
- exceptions and log lines never carry the token (see `_redacting_logger`).
"""

from __future__ import annotations

import http.client
import itertools
import logging
import re
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TextIO
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web import SlackResponse

from market_news.slack.console import render_console
from market_news.slack.errors import SlackDeliveryError
from market_news.slack.message import EVENT_TYPE, SlackMessage

log = logging.getLogger("market_news.slack")

SDK_LOGGER_NAME = "market_news.slack.sdk"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
Scalar = str | int | float | bool


@dataclass(frozen=True)
class PostResult:
    """Where a message lives: the channel ID Slack answered with and the message `ts`."""

    channel: str
    ts: str


class Sender(Protocol):
    """What the pipeline needs from Slack; `SlackSender` and `DryRunSender` provide it."""

    def post(
        self, message: SlackMessage, channel: str, thread_ts: str | None = None
    ) -> PostResult: ...

    def update(self, channel: str, ts: str, message: SlackMessage) -> PostResult: ...

    def find_posted(
        self,
        channel: str,
        event_key: str,
        *,
        oldest: float | None = None,
        kind: str | None = None,
        thread_ts: str | None = None,
        alert_key: str | None = None,
    ) -> PostResult | None: ...


# -- the client -------------------------------------------------------------------------


class _RedactFilter(logging.Filter):
    """Replace the token in any record that passes through, whatever produced it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secret:
            return True
        message = record.getMessage()
        if self._secret in message:
            record.msg = message.replace(self._secret, "[redacted]")
            record.args = None
        return True


def _redacting_logger(token: str) -> logging.Logger:
    """A private logger for slack-sdk that scrubs `token` from every record.

    slack-sdk already writes "(redacted)" for the Authorization header in its DEBUG
    request log; this is the second lock, in case a token ever travels another way
    (a `token` argument, an echoed body). The logger is not registered with the logging
    manager (one per client, no leak); its parent is `market_news.slack.sdk`, so levels
    and handlers configured there still apply.
    """
    logger = logging.Logger(SDK_LOGGER_NAME)
    logger.parent = logging.getLogger(SDK_LOGGER_NAME)
    logger.addFilter(_RedactFilter(token))
    return logger


def make_web_client(
    token: str,
    base_url: str,
    *,
    timeout: float = 10,
    rate_limit_retries: int = 3,
    server_error_retries: int = 2,
    server_error_backoff: float = 0.5,
    retry_connection_errors: bool = False,
) -> WebClient:
    """A slack-sdk `WebClient` with retries that are safe for posting.

    429 (honouring `Retry-After`) and 500/503 are retried; connection errors are not,
    unless `retry_connection_errors` (right for reads only): a post whose connection
    dropped may already be in the channel, and a blind retry would post it twice.
    """
    handlers: list[RetryHandler] = [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ServerErrorRetryHandler(
            max_retry_count=server_error_retries,
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=server_error_backoff),
        ),
    ]
    if retry_connection_errors:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=2))
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,  # type: ignore[arg-type]  # slack-sdk annotates int, uses float
        retry_handlers=handlers,
        logger=_redacting_logger(token),
    )


def _reader_for(client: WebClient) -> WebClient:
    """A twin of `client` that may retry connection errors (reads are idempotent)."""
    handlers = [*client.retry_handlers, ConnectionErrorRetryHandler(max_retry_count=2)]
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        retry_handlers=handlers,
        logger=client.logger,
    )


def _not_sent(error: BaseException) -> bool:
    """True when the request certainly never reached the server (refused, DNS failure)."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _retry_after(response: SlackResponse) -> float | None:
    headers = {str(key).lower(): value for key, value in (response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SlackSender:
    """Posts, updates and finds alert messages through one `WebClient`."""

    def __init__(
        self,
        client: WebClient,
        *,
        history_page_size: int = 200,
        max_history_pages: int = 25,
    ) -> None:
        self._client = client
        self._reader = _reader_for(client)
        self._page_size = history_page_size
        self._max_pages = max_history_pages
        self._channel_ids: dict[str, str] = {}

    def _call(
        self, method: str, channel: str | None, call: Callable[[], SlackResponse], *, write: bool
    ) -> SlackResponse:
        """Run one API call; every failure becomes a `SlackDeliveryError` without secrets.

        The SDK exception is dropped (`from None`): its response object holds the request
        headers, and a traceback printer would show its text.
        """
        try:
            return call()
        except SlackApiError as exc:
            response = exc.response
            data = response.data if isinstance(response.data, dict) else {}
            status = response.status_code
            error = SlackDeliveryError(
                method,
                str(data.get("error", "")),
                status=status,
                channel=channel,
                outcome_unknown=write and status >= 500,
                retry_after=_retry_after(response),
            )
        except (URLError, OSError, http.client.HTTPException) as exc:
            timed_out = isinstance(exc, TimeoutError) or (
                isinstance(exc, URLError) and isinstance(exc.reason, TimeoutError)
            )
            error = SlackDeliveryError(
                method,
                "timeout" if timed_out else "connection_error",
                channel=channel,
                permanent=False,
                outcome_unknown=write and not _not_sent(exc),
            )
        except SlackClientError:
            error = SlackDeliveryError(method, "client_error", channel=channel, permanent=True)
        log.debug("%s", error)
        raise error from None

    def _remember(self, requested: str, answered: str) -> None:
        if requested != answered:
            self._channel_ids[requested.lstrip("#")] = answered

    def post(self, message: SlackMessage, channel: str, thread_ts: str | None = None) -> PostResult:
        """`chat.postMessage`; a reply in `thread_ts`'s thread when given."""
        kwargs = message.as_post_kwargs(channel, thread_ts)
        response = self._call(
            "chat.postMessage",
            channel,
            lambda: self._client.chat_postMessage(**kwargs),
            write=True,
        )
        result = PostResult(channel=str(response["channel"]), ts=str(response["ts"]))
        self._remember(channel, result.channel)
        log.info("posted %s to %s as %s", message.event_key, result.channel, result.ts)
        return result

    def update(self, channel: str, ts: str, message: SlackMessage) -> PostResult:
        """`chat.update` of an earlier alert (it takes a channel ID, so names are resolved)."""
        channel_id = self.resolve_channel(channel)
        response = self._call(
            "chat.update",
            channel,
            lambda: self._client.chat_update(
                channel=channel_id,
                ts=ts,
                text=message.text,
                blocks=message.blocks,
                metadata=message.metadata,
            ),
            write=True,
        )
        return PostResult(channel=str(response["channel"]), ts=str(response["ts"]))

    def resolve_channel(self, channel: str) -> str:
        """A channel ID for `channel` (an ID already, or a name like `#market-news`).

        `conversations.history` takes IDs only. Names are looked up once with
        `conversations.list` (scopes `channels:read`, `groups:read`) and cached; a post's
        answer also teaches us the ID.
        """
        if _CHANNEL_ID.match(channel):
            return channel
        name = channel.lstrip("#")
        if name in self._channel_ids:
            return self._channel_ids[name]
        cursor: str | None = None
        for _ in range(self._max_pages):
            page = self._call(
                "conversations.list",
                channel,
                partial(
                    self._reader.conversations_list,
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=1000,
                    cursor=cursor,
                ),
                write=False,
            )
            for entry in page.get("channels") or []:
                if entry.get("name") == name:
                    self._channel_ids[name] = str(entry["id"])
                    return self._channel_ids[name]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        raise SlackDeliveryError("conversations.list", "channel_not_found", channel=channel)

    def _messages(
        self, channel_id: str, channel: str, oldest: float | None, thread_ts: str | None
    ) -> Iterator[dict[str, Any]]:
        """Messages of a channel (or one thread), newest pages first, following cursors."""
        method = "conversations.replies" if thread_ts else "conversations.history"
        cursor: str | None = None
        for _ in range(self._max_pages):
            params: dict[str, Any] = {
                "channel": channel_id,
                "include_all_metadata": True,
                "limit": self._page_size,
                "cursor": cursor,
                "oldest": f"{oldest:.6f}" if oldest is not None else None,
            }
            if thread_ts:
                call = partial(self._reader.conversations_replies, ts=thread_ts, **params)
            else:
                call = partial(self._reader.conversations_history, **params)
            page = self._call(method, channel, call, write=False)
            yield from page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return
        # Giving up silently would read as "not posted" and invite a duplicate.
        raise SlackDeliveryError(method, "reconcile_incomplete", channel=channel, permanent=False)

    def find_posted(
        self,
        channel: str,
        event_key: str,
        *,
        oldest: float | None = None,
        kind: str | None = None,
        thread_ts: str | None = None,
        alert_key: str | None = None,
        where: Mapping[str, Scalar] | None = None,
    ) -> PostResult | None:
        """The alert already in `channel` for `event_key`, or None.

        Matches our `metadata` (event type, `event_key`, and `kind`/`where` fields when
        given). With `alert_key`, a message that carries an `alert_key` must carry this
        one: two corrections of one event share event key, kind and thread, and only the
        alert key tells them apart. Thread replies are not in channel history: pass
        `thread_ts` to search a thread (the parent itself is skipped). `oldest` bounds
        the search (epoch seconds).
        """
        channel_id = self.resolve_channel(channel)
        wanted = _wanted(event_key, kind, where)
        for message in self._messages(channel_id, channel, oldest, thread_ts):
            if thread_ts and message.get("ts") == thread_ts:
                continue
            if _matches(message, wanted, alert_key):
                return PostResult(channel=channel_id, ts=str(message["ts"]))
        return None


def _wanted(
    event_key: str, kind: str | None, where: Mapping[str, Scalar] | None = None
) -> dict[str, Scalar]:
    wanted: dict[str, Scalar] = {"event_key": event_key, **(where or {})}
    if kind is not None:
        wanted["kind"] = kind
    return wanted


def _matches(
    message: Mapping[str, Any], wanted: Mapping[str, Scalar], alert_key: str | None = None
) -> bool:
    """Our metadata with every `wanted` field, and `alert_key` unless the message predates it."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return False
    payload = metadata.get("event_payload") or {}
    if alert_key is not None and payload.get("alert_key", alert_key) != alert_key:
        return False
    return all(payload.get(key) == value for key, value in wanted.items())


# -- dry run ----------------------------------------------------------------------------


class DryRunSender:
    """Renders alerts to a text stream (standard error) instead of posting them.

    It never touches the network. `find_posted` only knows what this instance rendered:
    in dry run the store records deliveries itself, so nothing needs reconciling.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._counter = itertools.count(1)
        self._posted: list[tuple[PostResult, dict[str, Any], str | None]] = []

    @property
    def stream(self) -> TextIO:
        """The target stream, looked up late so that tests capturing stderr see output."""
        return self._stream if self._stream is not None else sys.stderr

    def post(self, message: SlackMessage, channel: str, thread_ts: str | None = None) -> PostResult:
        """Write the message readably and return a fake `ts` like `dry-run-1`."""
        self.stream.write(render_console(message, channel, thread_ts=thread_ts) + "\n")
        self.stream.flush()
        result = PostResult(channel=channel, ts=f"dry-run-{next(self._counter)}")
        self._posted.append((result, {"metadata": message.metadata, "ts": result.ts}, thread_ts))
        return result

    def update(self, channel: str, ts: str, message: SlackMessage) -> PostResult:
        """Write the updated message, marked as an update of `ts`."""
        self.stream.write(render_console(message, channel, note=f"(update of {ts})") + "\n")
        self.stream.flush()
        return PostResult(channel=channel, ts=ts)

    def find_posted(
        self,
        channel: str,
        event_key: str,
        *,
        oldest: float | None = None,
        kind: str | None = None,
        thread_ts: str | None = None,
        alert_key: str | None = None,
    ) -> PostResult | None:
        """What this instance rendered for `event_key` in `channel` (and thread), if any."""
        wanted = _wanted(event_key, kind)
        for result, message, parent in self._posted:
            if (
                result.channel == channel
                and parent == thread_ts
                and _matches(message, wanted, alert_key)
            ):
                return result
        return None


if TYPE_CHECKING:  # both senders must keep satisfying the protocol (checked by mypy)
    _real: Sender = SlackSender(WebClient())
    _dry: Sender = DryRunSender()

__all__ = [
    "DryRunSender",
    "PostResult",
    "Sender",
    "SlackDeliveryError",
    "SlackSender",
    "make_web_client",
]
