"""A loopback HTTP server for the bundled sample feeds and articles.

Files under `include/sample_feeds/` use the placeholder `{{BASE_URL}}` for their own
links, replaced with the server's address when served. Responses carry an ETag, and
`If-None-Match` gets a 304, so a second demo pass exercises conditional GET.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from market_news.settings import PROJECT_ROOT

SAMPLE_DIR = PROJECT_ROOT / "include" / "sample_feeds"
PLACEHOLDER = "{{BASE_URL}}"
#: Preferred port, so that article URLs stay the same from one demo run to the next.
PREFERRED_PORT = 18765

CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class SampleServer:
    """Where the running server listens."""

    base_url: str
    root: Path

    def feeds_yaml(self) -> str:
        """The bundled demo feeds file with this server's address filled in."""
        template = (self.root / "feeds.yaml").read_text(encoding="utf-8")
        return template.replace(PLACEHOLDER, self.base_url)

    def feed_names(self) -> list[str]:
        """The names of the bundled demo feeds."""
        document = yaml.safe_load(self.feeds_yaml())
        return [str(feed["name"]) for feed in document["feeds"]]


def _handler_for(root: Path, base_url_box: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "market-news-samples/1"

        def do_GET(self) -> None:
            relative = self.path.split("?", 1)[0].lstrip("/")
            path = (root / relative).resolve()
            if root.resolve() not in path.parents or not path.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            body = path.read_text(encoding="utf-8").replace(PLACEHOLDER, base_url_box[0])
            data = body.encode("utf-8")
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            if relative.startswith("feeds/") and "<feed" in body[:500]:
                content_type = CONTENT_TYPES[".atom"]
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo prints what matters."""

    return Handler


@contextmanager
def serve_samples(root: Path = SAMPLE_DIR, port: int = PREFERRED_PORT) -> Iterator[SampleServer]:
    """Serve `root` on 127.0.0.1 until the block ends (the preferred port, else any free one)."""
    base_url_box = [""]
    handler = _handler_for(root, base_url_box)
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    base_url_box[0] = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="sample-feeds", daemon=True)
    thread.start()
    try:
        yield SampleServer(base_url=base_url_box[0], root=root)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def write_feeds_file(server: SampleServer, path: Path) -> None:
    """Write the demo feeds file (interface section 2) pointing at `server`."""
    path.write_text(server.feeds_yaml(), encoding="utf-8")
