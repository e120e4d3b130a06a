"""The total deadline of one fetch, enforced by one shared watchdog thread.

A read timeout bounds each wait for data, but a server dripping a byte at a time never
trips it; the deadline does, by shutting the fetch's sockets down when it passes, so a
read blocked in another thread returns at once. One daemon thread serves every
deadline of the process from a heap: starting a `threading.Timer` thread per fetch cost
about as much as the whole conditional GET of an unchanged feed.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from types import TracebackType
from typing import Protocol

from market_news.fetch.errors import FetchTimeoutError

_MIN_TIMEOUT_S = 0.001
#: Cancelled deadlines are dropped from the heap lazily; it is rebuilt past this many.
_COMPACT_AFTER = 256


class _HasSocket(Protocol):
    @property
    def sock(self) -> socket.socket | None: ...


class Deadline:
    """The total deadline of one fetch; a context manager (enter arms, exit disarms)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._fired = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[_HasSocket] = []
        self.cancelled = False

    def __enter__(self) -> Deadline:
        _WATCHDOG.arm(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _WATCHDOG.disarm(self)

    @property
    def expired(self) -> bool:
        return self._fired.is_set() or time.monotonic() >= self.end

    @property
    def message(self) -> str:
        return f"gave up after the total deadline of {self.seconds:g}s"

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def bounded(self, limit: float) -> float:
        """`limit`, shortened so that no single wait outlives the deadline."""
        return max(_MIN_TIMEOUT_S, min(limit, self.remaining()))

    def check(self, url: str) -> None:
        if self.expired:
            raise FetchTimeoutError(url, self.message)

    def track(self, connection: _HasSocket) -> None:
        """Shut this connection's socket down if the deadline passes."""
        with self._lock:
            self._connections.append(connection)

    def fire(self) -> None:
        self._fired.set()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            sock = connection.sock
            if sock is None:
                continue
            # The plain socket's shutdown, also under TLS: it only touches the file
            # descriptor, so a read blocked in another thread returns at once.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that fires each armed deadline when it passes."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # Also run in a forked child: the parent's thread and lock state do not carry over.
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="market-news-fetch-deadlines", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._heap, (deadline.end, next(self._order), deadline))
            if self._heap[0][2] is deadline:
                self._cond.notify()

    def disarm(self, deadline: Deadline) -> None:
        with self._cond:
            if deadline.cancelled:
                return
            deadline.cancelled = True
            self._cancelled += 1
            if self._cancelled > _COMPACT_AFTER and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _due(self) -> list[Deadline]:
        """Wait (lock held) until at least one armed deadline has passed; pop those."""
        while True:
            while self._heap and self._heap[0][2].cancelled:
                heapq.heappop(self._heap)
                self._cancelled = max(0, self._cancelled - 1)
            if not self._heap:
                self._cond.wait()
                continue
            wait = self._heap[0][0] - time.monotonic()
            if wait > 0:
                self._cond.wait(wait)
                continue
            due: list[Deadline] = []
            now = time.monotonic()
            while self._heap and self._heap[0][0] <= now:
                deadline = heapq.heappop(self._heap)[2]
                if not deadline.cancelled:
                    deadline.cancelled = True  # fired: a later disarm has nothing to do
                    due.append(deadline)
                else:
                    self._cancelled = max(0, self._cancelled - 1)
            if due:
                return due

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._due()
            for deadline in due:  # outside the lock: shutting sockets down may block briefly
                deadline.fire()


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG._reset)


__all__ = ["Deadline"]
