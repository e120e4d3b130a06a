"""The soak's loopback server: 200 feeds that change every round, and pages that misbehave.

`set_round(r)` rebuilds each feed document from the plan (the items of the last
`WINDOW_ROUNDS` rounds, reposts on top); a document that did not change keeps its bytes
and ETag, so a conditional GET of it is answered 304. Pages are rendered on request
from the story number (nothing held in memory) and answered the way the plan says:
normally (some gzip-compressed, some behind a 301), or with one of the faults of
`soak_plan.FAULTS`. Feed faults replace a feed's answer for one round.

Every answer is counted by status, and requests by fault, so the report can say what
the pipeline was actually shown.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.feedserver import HTML_TYPE, RSS_TYPE, Item, rss
from bench.soak_corpus import page
from bench.soak_plan import ROUND_MINUTES, WINDOW_ROUNDS, Listing, Plan

#: How long a stalled answer waits before the server gives up on it (the client's read
#: timeout in the soak is far shorter).
STALL_S = 1.0
OVERSIZED_BYTES = 2 * 1024 * 1024
#: Every fourth story is served gzip-compressed (Accept-Encoding permitting).
GZIP_EVERY = 4
#: Every twentieth story is linked through a 301 (a feed proxy's click-through URL).
REDIRECT_EVERY = 20
_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>Service Unavailable</h1><p>The feed is being regenerated.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class _Doc:
    body: bytes
    etag: str
    last_modified: str


class SoakServer:
    """Serve the plan on 127.0.0.1:<free port> from daemon threads; a context manager."""

    def __init__(self, plan: Plan, start: datetime | None = None) -> None:
        self.plan = plan
        self.start = start or datetime.now(UTC).replace(microsecond=0)
        self.round = -1
        self.statuses: Counter[int] = Counter()
        self.fault_requests: Counter[str] = Counter()
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._docs: dict[int, _Doc] = {}
        self._seen: Counter[str] = Counter()  # requests per path, for faults that happen once
        self._by_feed: dict[int, list[Listing]] = {}
        for listing in plan.listings:
            self._by_feed.setdefault(listing.feed, []).append(listing)
        self._reposts: dict[int, list[tuple[int, float, Listing]]] = {}
        for repost in plan.reposts:
            entry = (repost.round, repost.minute, repost.listing)
            self._reposts.setdefault(repost.listing.feed, []).append(entry)
        self._published = {item.story: item for item in plan.listings if item.variant == "original"}
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> SoakServer:
        handler = type("Handler", (_Handler,), {"soak": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 64
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def feed_url(self, feed: int) -> str:
        return f"{self.base_url}/feeds/{feed}.xml"

    def link(self, listing: Listing) -> str:
        """The link a feed item carries: tracking parameter added, some via a redirect."""
        if not listing.path:
            return ""
        if listing.variant == "original" and listing.story % REDIRECT_EVERY == 7:
            return f"{self.base_url}/r/{listing.story}?utm_source=rss"
        return f"{self.base_url}{listing.path}?utm_source=rss&utm_medium=feed"

    def final_url(self, listing: Listing) -> str:
        """Where the article ends up after redirects (what the store keeps)."""
        return f"{self.base_url}{listing.path}" if listing.path else listing.guid

    def published(self, minute: float) -> datetime:
        return self.start + timedelta(minutes=minute)

    # -- rounds ---------------------------------------------------------------------------

    def set_round(self, number: int) -> int:
        """Publish round `number` (later rounds than the plan's freeze the last one).

        Returns how many feed documents changed.
        """
        current = min(number, self.plan.rounds - 1)
        changed = 0
        docs: dict[int, _Doc] = {}
        for feed in range(self.plan.feeds):
            body = self._feed_body(feed, current)
            old = self._docs.get(feed)
            if old is not None and old.body == body:
                docs[feed] = old
                continue
            changed += 1
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            modified = self.published((current + 1) * ROUND_MINUTES)
            docs[feed] = _Doc(body, etag, format_datetime(modified, usegmt=True))
        with self._lock:
            self._docs = docs
            self.round = number
        return changed

    def _feed_body(self, feed: int, current: int) -> bytes:
        first = current - WINDOW_ROUNDS + 1
        items: dict[str, Item] = {}
        for listing in self._by_feed.get(feed, []):
            if first <= listing.round <= current:
                items[listing.guid] = self._item(listing, listing.minute, "")
        for round_, minute, listing in self._reposts.get(feed, []):
            if first <= round_ <= current:
                items[listing.guid] = self._item(listing, minute, "Updated: ")
        return rss(f"Soak feed {feed}", self.base_url, list(items.values()))

    def _item(self, listing: Listing, minute: float, prefix: str) -> Item:
        story = self.plan.stories[listing.story]
        title = story.title + (": what changed" if listing.variant == "reworded" else "")
        return Item(
            guid=listing.guid,
            title=prefix + title,
            link=self.link(listing),
            description=story.teaser,
            published=self.published(minute),
        )

    # -- answers --------------------------------------------------------------------------

    def feed_doc(self, feed: int) -> _Doc | None:
        with self._lock:
            return self._docs.get(feed)

    def first_time(self, key: str) -> bool:
        """True on the first request for `key` (transient faults fire only then)."""
        with self._lock:
            self._seen[key] += 1
            return self._seen[key] == 1

    def count(self, status: int, sent: int = 0, fault: str | None = None) -> None:
        with self._lock:
            self.statuses[status] += 1
            self.bytes_sent += sent
            if fault:
                self.fault_requests[fault] += 1

    def page_body(self, story: int, variant: str) -> bytes:
        listing = self._published[story]
        return page(
            self.plan.stories[story],
            self.plan.seed,
            base_url=self.base_url,
            published=self.published(listing.minute),
            reworded=variant == "reworded",
            with_article=self.plan.faults.get(story) != "no_content",
        )


def corrupt_gzip(body: bytes, story: int) -> bytes:
    """A gzip member whose deflate data is garbage (zlib must refuse it, checked here)."""
    packed = bytearray(gzip.compress(body, mtime=0))
    rng = random.Random(story)
    for attempt in range(100):
        for index in range(12, min(len(packed) - 8, 60)):
            packed[index] = rng.randrange(256)
        try:
            zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bytes(packed))
        except zlib.error:
            return bytes(packed)
        rng.seed(story * 1000 + attempt)
    raise AssertionError("could not corrupt the gzip body")  # pragma: no cover


def truncated_gzip(body: bytes) -> bytes:
    """The gzip body cut short, but past the end of the article (checked here)."""
    packed = gzip.compress(body, mtime=0)
    for share in (0.8, 0.85, 0.9, 0.95):
        cut = packed[: int(len(packed) * share)]
        decoded = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
        if b"</article>" in decoded:
            return cut
    raise AssertionError("a truncated gzip body must still hold the article")


def truncated_feed(body: bytes) -> bytes:
    """The feed cut short past 60%, right after an item's title, so the cut-off item has a
    title but neither GUID nor link (in a one-item feed, with no title after 60%, the cut
    stays at 60%: inside the item, after its link)."""
    end = body.find(b"</title>", int(len(body) * 0.6))
    return body[: end + len(b"</title>")] if end >= 0 else body[: int(len(body) * 0.6)]


class _Handler(BaseHTTPRequestHandler):
    soak: SoakServer
    server_version = "soak-feeds/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        with suppress(BrokenPipeError, ConnectionResetError):
            self._route(self.path.split("?", 1)[0])

    def _route(self, path: str) -> None:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "feeds" and parts[1].endswith(".xml"):
            self._feed(int(parts[1].removesuffix(".xml")))
        elif len(parts) == 3 and parts[0] == "loop":
            self._redirect(f"/a/{parts[1]}.html", fault="redirect_loop")
        elif len(parts) == 2 and parts[0] == "r":
            self._redirect(f"/a/{int(parts[1])}.html")
        elif len(parts) == 2 and parts[0] in ("a", "syn", "rw") and parts[1].endswith(".html"):
            story = int(parts[1].removesuffix(".html"))
            variant = {"a": "original", "syn": "syndicated", "rw": "reworded"}[parts[0]]
            self._page(story, variant, path)
        else:
            self._send(404, b"not found", "text/plain")

    # -- feeds ----------------------------------------------------------------------------

    def _feed(self, feed: int) -> None:
        soak = self.soak
        doc = soak.feed_doc(feed)
        if doc is None:
            self._send(404, b"no such feed", "text/plain")
            return
        fault = soak.plan.feed_faults.get((feed, soak.round))
        if fault == "feed_503":
            self._send(503, _ERROR_PAGE, HTML_TYPE, fault=fault)
        elif fault == "feed_timeout":
            soak.count(0, fault=fault)
            time.sleep(STALL_S)
            self.close_connection = True
        elif fault == "feed_not_a_feed":
            self._send(200, _ERROR_PAGE, RSS_TYPE, fault=fault)
        elif fault == "feed_redirect_loop":
            query = "" if "hop=1" in self.path else "?hop=1"
            self._redirect(f"/feeds/{feed}.xml{query}", fault=fault)
        elif fault == "feed_truncated":
            self._send(200, truncated_feed(doc.body), RSS_TYPE, fault=fault)
        elif self.headers.get("If-None-Match") == doc.etag:
            soak.count(304)
            self.send_response(304)
            self.send_header("ETag", doc.etag)
            self.end_headers()
        else:
            headers = {"ETag": doc.etag, "Last-Modified": doc.last_modified}
            self._send(200, doc.body, RSS_TYPE, headers=headers)

    # -- pages ----------------------------------------------------------------------------

    def _page(self, story: int, variant: str, path: str) -> None:
        soak = self.soak
        if story not in soak.plan.stories:
            self._send(404, b"not found", "text/plain")
            return
        fault = soak.plan.faults.get(story) if variant == "original" else None
        if fault == "http_500":
            self._send(500, b"<h1>Internal Server Error</h1>", HTML_TYPE, fault=fault)
        elif fault == "http_404":
            self._send(404, b"<h1>Not Found</h1>", HTML_TYPE, fault=fault)
        elif fault == "http_503_once" and soak.first_time(path):
            self._send(503, b"<h1>Try again</h1>", HTML_TYPE, fault=fault)
        elif fault == "timeout" or (fault == "timeout_once" and soak.first_time(path)):
            soak.count(0, fault=fault)
            time.sleep(STALL_S)
            self.close_connection = True
        elif fault == "too_large":
            self._oversized(declare=story % 2 == 0)
        elif fault == "wrong_type":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" * 64, "application/pdf", fault=fault)
        elif fault == "redirect_loop":
            self._redirect(f"/loop/{story}/b", fault=fault)
        elif fault == "reset":
            soak.count(0, fault=fault)
            self.close_connection = True
        else:
            self._content(story, variant, fault)

    def _content(self, story: int, variant: str, fault: str | None) -> None:
        body = self.soak.page_body(story, variant)
        if fault == "gzip_corrupt":
            self._send(200, corrupt_gzip(body, story), HTML_TYPE, gzip_=True, fault=fault)
        elif fault == "gzip_truncated":
            self._send(200, truncated_gzip(body), HTML_TYPE, gzip_=True, fault=fault)
        elif story % GZIP_EVERY == 0 and "gzip" in self.headers.get("Accept-Encoding", ""):
            self._send(200, gzip.compress(body, compresslevel=5), HTML_TYPE, gzip_=True)
        else:
            self._send(200, body, HTML_TYPE, fault=fault if fault == "no_content" else None)

    def _oversized(self, *, declare: bool) -> None:
        """2 MB of markup, with a Content-Length or streamed until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", HTML_TYPE)
        if declare:
            self.send_header("Content-Length", str(OVERSIZED_BYTES))
        self.close_connection = True
        self.end_headers()
        self.soak.count(200, fault="too_large")
        for chunk in _filler(OVERSIZED_BYTES):
            self.wfile.write(chunk)

    # -- plumbing -------------------------------------------------------------------------

    def _redirect(self, location: str, *, fault: str | None = None) -> None:
        self.soak.count(302 if fault else 301, fault=fault)
        self.send_response(302 if fault else 301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        gzip_: bool = False,
        fault: str | None = None,
    ) -> None:
        self.soak.count(status, len(body), fault)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzip_:
            self.send_header("Content-Encoding", "gzip")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


def _filler(total: int) -> Iterator[bytes]:
    chunk = b"<p>" + b"padding " * 8190 + b"</p>\n"
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


__all__ = ["STALL_S", "SoakServer", "corrupt_gzip", "truncated_feed", "truncated_gzip"]
