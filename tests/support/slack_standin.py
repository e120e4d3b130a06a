"""A stand-in for the Slack Web API on loopback, for tests.

It speaks the subset slack-sdk's `WebClient` uses for alerts: POST `/api/<method>` with
a JSON or form body and `Authorization: Bearer <token>`. It keeps messages per channel
with increasing `ts`, metadata and threads, and can misbehave on purpose:

- `rate_limit_next(n, retry_after)`: answer 429 with `Retry-After` for the next n calls;
- `server_error_next(n, status)`: answer 500 (or another status) for the next n calls;
- `drop_after_accept_next(n)`: store the next n posts, then close the socket unanswered;
- `stall_after_accept_next(n, seconds)`: store, then wait before answering (timeouts);
- `fail_channel(channel, error)`: every call naming that channel fails with `error`;
- `enforce_pace(seconds)`: like Slack, answer 429 to a post that comes sooner than
  `seconds` after the channel's previous one (`paced_rejections` counts them).

`accepted_at` maps each stored message's `ts` to the wall-clock time it was accepted.

Like Slack, `conversations.history`/`replies` want a channel ID; `chat.postMessage`
takes a name too (`#market-news`) and answers with the ID. Unknown names are created on
first post unless `strict_channels`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "U0STANDIN"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
BOT_ID = "B0STANDIN"
TEAM_ID = "T0STANDIN"


@dataclass
class Call:
    """One request as the stand-in saw it (never the token itself)."""

    method: str
    params: dict[str, Any]
    authorized: bool
    answer: str  # "ok", an error code, "429", "500", "dropped", ...


@dataclass
class _Faults:
    rate_limited: int = 0
    retry_after: int = 1
    server_errors: int = 0
    server_status: int = 500
    drops: int = 0
    stalls: int = 0
    stall_seconds: float = 0.0
    failing_channels: dict[str, str] = field(default_factory=dict)
    pace_s: float = 0.0
    drop_skip: int = 0  # accepted posts answered normally before drops start
    stall_skip: int = 0  # ... and before stalls start


def _decode(value: Any) -> Any:
    """Form bodies carry `blocks`/`metadata` as JSON strings; JSON bodies as objects."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class SlackStandin:
    """The server plus its state; start with `start()` or use as a context manager."""

    def __init__(self, token: str = "xoxb-standin-token", *, strict_channels: bool = False):
        self.token = token
        self.strict_channels = strict_channels
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._faults = _Faults()
        self._channels: dict[str, str] = {}  # name -> id
        self._messages: dict[str, list[dict[str, Any]]] = {}  # id -> messages, oldest first
        self._clock = int(time.time() * 1_000_000)  # microseconds; ts strictly increases
        self.accepted_at: dict[str, float] = {}
        self.paced_rejections = 0
        self._last_post: dict[str, float] = {}  # channel id -> monotonic time of last post
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_channel("market-news")
        self.add_channel("general")

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackStandin:
        """Listen on 127.0.0.1 at a free port, serving from a daemon thread."""
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "stand-in not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What `WebClient(base_url=...)` and `MARKET_NEWS_SLACK_API_URL` take."""
        return f"http://127.0.0.1:{self.port}/api/"

    # -- knobs ------------------------------------------------------------------------------

    def add_channel(self, name: str) -> str:
        """Create a channel (idempotent) and return its ID."""
        name = name.lstrip("#")
        with self._lock:
            if name not in self._channels:
                channel_id = f"C{len(self._channels) + 1:08d}"
                self._channels[name] = channel_id
                self._messages[channel_id] = []
            return self._channels[name]

    def channel_id(self, name: str) -> str:
        return self._channels[name.lstrip("#")]

    def rate_limit_next(self, count: int, retry_after: int = 1) -> None:
        with self._lock:
            self._faults.rate_limited = count
            self._faults.retry_after = retry_after

    def server_error_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._faults.server_errors = count
            self._faults.server_status = status

    def drop_after_accept_next(self, count: int, *, skip: int = 0) -> None:
        """Drop the answers of the next `count` accepted posts, after `skip` good ones."""
        with self._lock:
            self._faults.drops = count
            self._faults.drop_skip = skip

    def stall_after_accept_next(self, count: int, seconds: float, *, skip: int = 0) -> None:
        """Answer the next `count` accepted posts late, after `skip` answered at once."""
        with self._lock:
            self._faults.stalls = count
            self._faults.stall_seconds = seconds
            self._faults.stall_skip = skip

    def fail_channel(self, channel: str, error: str = "channel_not_found") -> None:
        with self._lock:
            self._faults.failing_channels[channel] = error

    def enforce_pace(self, seconds: float) -> None:
        """Refuse (429, Retry-After 1) posts closer than `seconds` apart in one channel."""
        with self._lock:
            self._faults.pace_s = seconds

    def clear_faults(self) -> None:
        """Back to good behaviour (failing channels included)."""
        with self._lock:
            self._faults = _Faults()

    # -- inspection -------------------------------------------------------------------------

    def messages(self, channel: str, *, include_replies: bool = True) -> list[dict[str, Any]]:
        """Stored messages of a channel (name or ID), oldest first."""
        channel_id = self._channels.get(channel.lstrip("#"), channel)
        with self._lock:
            stored = list(self._messages.get(channel_id, []))
        if include_replies:
            return stored
        return [m for m in stored if m.get("thread_ts") in (None, m["ts"])]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # -- the API ----------------------------------------------------------------------------

    def _next_ts(self) -> str:
        self._clock += 100
        seconds, micros = divmod(self._clock, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _resolve(self, channel: Any, *, by_name: bool, create: bool) -> str | None:
        channel = str(channel or "")
        if channel in self._messages:
            return channel
        if not by_name:
            return None
        name = channel.lstrip("#")
        if name in self._channels:
            return self._channels[name]
        if create and name and not self.strict_channels and not _CHANNEL_ID.match(channel):
            channel_id = f"C{len(self._channels) + 1:08d}"
            self._channels[name] = channel_id
            self._messages[channel_id] = []
            return channel_id
        return None

    def handle(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Answer one authorised call (under the lock)."""
        failing = self._faults.failing_channels
        if str(params.get("channel", "")) in failing:
            return {"ok": False, "error": failing[str(params["channel"])]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://standin.slack.test/",
                "team": "Stand-in",
                "user": "market-news",
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            return self._post(params)
        if method == "chat.update":
            return self._update(params)
        if method == "conversations.history":
            return self._history(params)
        if method == "conversations.replies":
            return self._replies(params)
        if method == "conversations.list":
            return self._list(params)
        return {"ok": False, "error": "unknown_method"}

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve(params.get("channel"), by_name=True, create=True)
        if channel_id is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        stored = self._messages[channel_id]
        thread_ts = params.get("thread_ts")
        parent = None
        if thread_ts:
            parent = next((m for m in stored if m["ts"] == str(thread_ts)), None)
            if parent is None:
                return {"ok": False, "error": "thread_not_found"}
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": self._next_ts(),
            "text": params.get("text", ""),
            "blocks": _decode(params.get("blocks")) or [],
        }
        if params.get("metadata"):
            message["metadata"] = _decode(params["metadata"])
        if parent is not None:
            message["thread_ts"] = parent["ts"]
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        stored.append(message)
        self.accepted_at[message["ts"]] = time.time()
        return {"ok": True, "channel": channel_id, "ts": message["ts"], "message": message}

    def answer_fault(self) -> tuple[float, float]:
        """`(drop, stall seconds)` for a post just accepted (under the lock)."""
        faults = self._faults
        drop = stall = 0.0
        if faults.drops > 0:
            if faults.drop_skip > 0:
                faults.drop_skip -= 1
            else:
                faults.drops -= 1
                drop = 1.0
        if faults.stalls > 0 and not drop:
            if faults.stall_skip > 0:
                faults.stall_skip -= 1
            else:
                faults.stalls -= 1
                stall = faults.stall_seconds
        return drop, stall

    def too_soon(self, method: str, params: dict[str, Any]) -> bool:
        """True (and counted) when a post breaks the enforced per-channel pace."""
        if method != "chat.postMessage" or self._faults.pace_s <= 0:
            return False
        channel_id = self._resolve(params.get("channel"), by_name=True, create=False)
        if channel_id is None:
            return False
        now = time.monotonic()
        last = self._last_post.get(channel_id)
        if last is not None and now - last < self._faults.pace_s:
            self.paced_rejections += 1
            return True
        self._last_post[channel_id] = now
        return False

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve(params.get("channel"), by_name=False, create=False)
        if channel_id is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = str(params.get("ts", ""))
        message = next((m for m in self._messages[channel_id] if m["ts"] == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        for key in ("text", "blocks", "metadata"):
            if key in params:
                message[key] = _decode(params[key])
        message["edited"] = {"user": BOT_USER, "ts": self._next_ts()}
        return {"ok": True, "channel": channel_id, "ts": ts, "text": message["text"]}

    @staticmethod
    def _page(
        items: list[dict[str, Any]], params: dict[str, Any], metadata: bool
    ) -> tuple[list[dict[str, Any]], str]:
        limit = max(1, min(int(params.get("limit") or 100), 1000))
        start = int(str(params.get("cursor") or "0").removeprefix("next:") or 0)
        chunk = items[start : start + limit]
        if not metadata:
            chunk = [{k: v for k, v in m.items() if k != "metadata"} for m in chunk]
        cursor = f"next:{start + limit}" if start + limit < len(items) else ""
        return [dict(m) for m in chunk], cursor

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve(params.get("channel"), by_name=False, create=False)
        if channel_id is None:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        top_level = [
            m
            for m in reversed(self._messages[channel_id])
            if m.get("thread_ts") in (None, m["ts"]) and float(m["ts"]) > oldest
        ]
        page, cursor = self._page(top_level, params, _truthy(params.get("include_all_metadata")))
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve(params.get("channel"), by_name=False, create=False)
        if channel_id is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = str(params.get("ts", ""))
        thread = [
            m for m in self._messages[channel_id] if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        page, cursor = self._page(thread, params, _truthy(params.get("include_all_metadata")))
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = [
            {"id": channel_id, "name": name, "is_channel": True, "is_archived": False}
            for name, channel_id in self._channels.items()
        ]
        page, cursor = self._page(channels, params, True)
        return {"ok": True, "channels": page, "response_metadata": {"next_cursor": cursor}}


class _Handler(BaseHTTPRequestHandler):
    standin: SlackStandin
    server_version = "SlackStandin/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `standin.calls` instead of access logs."""

    def _params(self) -> dict[str, Any]:
        url = urlsplit(self.path)
        params: dict[str, Any] = dict(parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            params.update(json.loads(raw.decode("utf-8")))
        elif raw:
            params.update(parse_qsl(raw.decode("utf-8")))
        params.pop("token", None)
        return params

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        standin = self.standin
        path = urlsplit(self.path).path
        if not path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "not_found"})
            return
        method = path.removeprefix("/api/")
        params = self._params()
        auth = self.headers.get("Authorization", "")
        authorized = auth == f"Bearer {standin.token}"
        faults = standin._faults
        drop = stall = 0.0
        with standin._lock:
            if faults.rate_limited > 0:
                faults.rate_limited -= 1
                standin.calls.append(Call(method, params, authorized, "429"))
                answer: tuple[int, dict[str, Any], dict[str, str]] = (
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(faults.retry_after)},
                )
            elif faults.server_errors > 0:
                faults.server_errors -= 1
                standin.calls.append(Call(method, params, authorized, str(faults.server_status)))
                answer = (faults.server_status, {"ok": False, "error": "internal_error"}, {})
            elif authorized and standin.too_soon(method, params):
                standin.calls.append(Call(method, params, authorized, "429"))
                answer = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            elif not auth:
                standin.calls.append(Call(method, params, False, "not_authed"))
                answer = (200, {"ok": False, "error": "not_authed"}, {})
            elif not authorized:
                standin.calls.append(Call(method, params, False, "invalid_auth"))
                answer = (200, {"ok": False, "error": "invalid_auth"}, {})
            else:
                body = standin.handle(method, params)
                outcome = "ok" if body.get("ok") else str(body.get("error"))
                if method == "chat.postMessage" and body.get("ok"):
                    drop, stall = standin.answer_fault()
                    outcome = "dropped" if drop else "stalled" if stall else outcome
                standin.calls.append(Call(method, params, True, outcome))
                answer = (200, body, {})
        if drop:
            # Accepted and stored, but the client never hears back.
            self.close_connection = True
            return
        if stall:
            time.sleep(stall)
        with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self._send(*answer)
