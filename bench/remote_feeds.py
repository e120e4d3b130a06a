"""The loopback feed server in a child process, as a remote feed server would be.

With the server in the poller's own process, every request's server-side work (accept,
a thread, header parsing, the response) runs under the poller's GIL and lands in the
poller's timings. A real feed server is another machine; here it is another process,
on the other core, driven through a pipe with the same `put` / `url` / `statuses` as
`FeedServer`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from bench.feedserver import FeedServer


def _serve(conn: Connection) -> None:
    with FeedServer() as server:
        conn.send(server.url(""))
        while True:
            message = conn.recv()
            if message[0] == "put":
                server.put(message[1], message[2], message[3])
                conn.send(True)
            elif message[0] == "statuses":
                conn.send(dict(server.statuses))
            else:
                return


class RemoteFeedServer:
    """A `FeedServer` running in a spawned child process; a context manager."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._base = ""

    def __enter__(self) -> RemoteFeedServer:
        self._process.start()
        self._base = str(self._conn.recv())
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(("stop",))
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()

    def _ask(self, *message: Any) -> Any:
        self._conn.send(message)
        return self._conn.recv()

    def put(self, path: str, body: bytes, content_type: str) -> None:
        self._ask("put", path, body, content_type)

    def url(self, path: str) -> str:
        return self._base + path

    @property
    def statuses(self) -> Counter[int]:
        """Answers so far by HTTP status (a snapshot)."""
        return Counter({int(k): int(v) for k, v in self._ask("statuses").items()})
