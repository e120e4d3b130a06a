"""An in-process loopback HTTP server for feeds and article pages (threaded http.server).

Documents are set by path and may change while the server runs. Every 200 carries an
ETag (a hash of the body) and a Last-Modified; a matching `If-None-Match` is answered 304
with no body, as well-behaved feed servers do. Counts of 200s and 304s let a benchmark
prove which path it measured.
"""

from __future__ import annotations

import hashlib
import html
import random
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.corpus import _PROSE, _headlines

RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


class FeedServer:
    """Serve documents on 127.0.0.1:<free port> from daemon threads; a context manager."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}
        self._lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def put(self, path: str, body: bytes, content_type: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = format_datetime(datetime.now(UTC), usegmt=True)
        with self._lock:
            self._docs[path] = Document(body, content_type, etag, modified)

    def get(self, path: str) -> Document | None:
        with self._lock:
            return self._docs.get(path)

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> FeedServer:
        handler = type("Handler", (_Handler,), {"feed_server": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _Server(ThreadingHTTPServer):
    # http.server's default listen backlog is 5: a poller with more fetches in flight
    # would see SYNs dropped and retried a second later. Real servers queue far more.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    feed_server: FeedServer
    server_version = "bench-feeds/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        doc = self.feed_server.get(self.path.split("?", 1)[0])
        if doc is None:
            self.feed_server.statuses[404] += 1
            self.send_error(404)
            return
        if self.headers.get("If-None-Match") == doc.etag:
            self.feed_server.statuses[304] += 1
            self.send_response(304)
            self.send_header("ETag", doc.etag)
            self.end_headers()
            return
        self.feed_server.statuses[200] += 1
        self.send_response(200)
        self.send_header("Content-Type", doc.content_type)
        self.send_header("Content-Length", str(len(doc.body)))
        self.send_header("ETag", doc.etag)
        self.send_header("Last-Modified", doc.last_modified)
        self.end_headers()
        self.wfile.write(doc.body)


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    title: str
    link: str
    description: str
    published: datetime


def rss(title: str, link: str, items: list[Item]) -> bytes:
    """An RSS 2.0 document, newest item first."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
        f"<title>{html.escape(title)}</title>\n<link>{html.escape(link)}</link>\n",
        "<description>Benchmark feed built from the project's sample headlines.</description>\n",
        "<language>en-us</language>\n<ttl>15</ttl>\n",
    ]
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        parts.append(
            "<item>\n"
            f"  <title>{html.escape(item.title)}</title>\n"
            f"  <link>{html.escape(item.link)}</link>\n"
            f'  <guid isPermaLink="false">{html.escape(item.guid)}</guid>\n'
            f"  <pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>\n"
            "  <dc:creator>Bench Desk</dc:creator>\n  <category>Earnings</category>\n"
            f"  <description>{html.escape(item.description)}</description>\n"
            "</item>\n"
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def archive_items(feed_index: int, count: int, base_url: str, seed: int = 5) -> list[Item]:
    """`count` plausible items for feed `feed_index` (headlines from the text fixtures)."""
    rng = random.Random(seed * 7919 + feed_index)
    headlines = _headlines()
    start = datetime(2024, 11, 19, 12, 0, tzinfo=UTC)
    items: list[Item] = []
    for number in range(count):
        slug = f"feed{feed_index}-story{number}"
        items.append(
            Item(
                guid=f"bench:{slug}",
                title=rng.choice(headlines),
                link=f"{base_url}/articles/{slug}.html?utm_source=rss",
                description=" ".join(rng.sample(_PROSE, k=rng.randint(2, 3))),
                published=start - timedelta(minutes=17 * number + feed_index),
            )
        )
    return items
