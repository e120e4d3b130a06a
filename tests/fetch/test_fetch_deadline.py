"""The total deadline: one shared watchdog thread shuts a late fetch's sockets down, and
leaves alone the sockets of fetches that finished in time."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from market_news.fetch.deadline import Deadline
from market_news.fetch.errors import FetchTimeoutError

WATCHDOG = "market-news-fetch-deadlines"


@dataclass
class _Connection:
    sock: socket.socket | None


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    left, right = socket.socketpair()
    left.settimeout(10)
    right.settimeout(10)
    try:
        yield left, right
    finally:
        left.close()
        right.close()


def test_a_passed_deadline_shuts_the_tracked_socket_down(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, _right = pair
    with Deadline(0.05) as deadline:
        deadline.track(_Connection(left))
        assert left.recv(10) == b"", "the blocked read returns once the deadline fires"
        assert deadline.expired
        with pytest.raises(FetchTimeoutError, match=r"total deadline of 0\.05s"):
            deadline.check("https://slow.example/feed")


def test_a_deadline_left_in_time_never_fires(pair: tuple[socket.socket, socket.socket]) -> None:
    left, right = pair
    early = Deadline(0.05)
    with early:
        early.track(_Connection(left))
    with Deadline(0.3) as later:  # armed after the first one's time: the watchdog passed it
        later.track(_Connection(socket.socket()))
        threading.Event().wait(0.4)
    right.sendall(b"still open")
    assert left.recv(10) == b"still open"
    assert later.expired
    assert not early._fired.is_set()


def test_deadlines_fire_in_time_order_whatever_the_order_they_were_armed() -> None:
    fired: list[str] = []
    done = threading.Event()

    class _Recorder:
        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def sock(self) -> None:
            fired.append(self.name)
            if len(fired) == 3:
                done.set()

    deadlines = [Deadline(seconds) for seconds in (0.3, 0.1, 0.2)]
    for deadline, name in zip(deadlines, ("third", "first", "second"), strict=True):
        deadline.__enter__()
        deadline.track(_Recorder(name))
    try:
        assert done.wait(10)
    finally:
        for deadline in deadlines:
            deadline.__exit__(None, None, None)
    assert fired == ["first", "second", "third"]


def test_many_fetch_deadlines_share_one_thread() -> None:
    for _ in range(50):
        with Deadline(30):
            pass
    watchdogs = [thread for thread in threading.enumerate() if thread.name == WATCHDOG]
    assert len(watchdogs) == 1
    assert watchdogs[0].daemon
