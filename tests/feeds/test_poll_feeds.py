"""A poll pass over many feeds: conditional GETs a few at a time, store writes in order
on the calling thread, the same outcome as polling the feeds one by one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from market_news.models import FeedConfig, PassSummary
from market_news.pipeline import poll_feed, poll_feeds
from market_news.settings import Settings
from market_news.store import Store
from market_news.store.schema import Feed
from sqlalchemy import event, select

from tests.support.http_server import LocalHTTPServer, RecordedRequest, Reply

ETAG = '"rev-1"'


def _rss(feed: int) -> bytes:
    items = "".join(
        f"<item><guid>urn:{feed}:{n}</guid><title>Story {n}</title>"
        f"<link>https://news.example/{feed}/{n}</link></item>"
        for n in range(3)
    )
    channel = f"<channel><title>F{feed}</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


class _Feeds:
    """Routes /feed-N answering 200 with an ETag, or 304 when it is sent back."""

    def __init__(self, server: LocalHTTPServer, stall_s: float = 0.0) -> None:
        self.stall_s = stall_s
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        for number in range(6):
            server.route(f"/feed-{number}", self._handler(number))
        server.route("/broken", Reply(status=500, body=b"down"))

    def _handler(self, number: int) -> object:
        def answer(request: RecordedRequest) -> Reply:
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                if self.stall_s:
                    time.sleep(self.stall_s)
                if request.headers.get("if-none-match") == ETAG:
                    return Reply(status=304, headers={"ETag": ETAG})
                headers = {"Content-Type": "application/rss+xml", "ETag": ETAG}
                return Reply(body=_rss(number), headers=headers)
            finally:
                with self._lock:
                    self.in_flight -= 1

        return answer


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


def _setup(server: LocalHTTPServer, tmp_path: Path, name: str) -> tuple[Settings, Store]:
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    settings = Settings(data_dir=tmp_path, db_url=url, allow_private_hosts=True)
    return settings, Store.open(url)


def _feeds(server: LocalHTTPServer) -> list[FeedConfig]:
    feeds = [FeedConfig(name=f"f{n}", url=server.url(f"/feed-{n}")) for n in range(6)]
    return [*feeds[:3], FeedConfig(name="broken", url=server.url("/broken")), *feeds[3:]]


def _feed_rows(store: Store) -> dict[str, tuple[int, int, int, str | None]]:
    with store.session() as session:
        rows = session.execute(
            select(Feed.name, Feed.polls, Feed.not_modified_count, Feed.consecutive_failures)
            .add_columns(Feed.etag)
            .order_by(Feed.name)
        )
        return {
            row.name: (row.polls, row.not_modified_count, row.consecutive_failures, row.etag)
            for row in rows
        }


def test_a_pass_stores_new_entries_then_answers_304s_and_backs_off_the_broken_feed(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    _Feeds(server)
    settings, store = _setup(server, tmp_path, "pass")
    feeds = _feeds(server)
    try:
        first = poll_feeds(feeds, settings=settings, store=store, workers=3)
        assert first == PassSummary(feeds=7, entries_seen=18, errors=1)
        assert len(store.pending_entries()) == 18
        second = poll_feeds(feeds, settings=settings, store=store, workers=3)
        assert second == PassSummary(feeds=7, errors=1)
        assert len(store.pending_entries()) == 18, "a 304 stores nothing"
        rows = _feed_rows(store)
        assert rows["f0"] == (2, 1, 0, ETAG)
        assert rows["broken"][:3] == (2, 0, 2)

        hits = server.paths().count("/broken")
        skipped = poll_feeds(feeds, settings=settings, store=store, due_only=True, workers=3)
        assert skipped == PassSummary(feeds=6), "the backing-off feed is skipped, not failed"
        assert server.paths().count("/broken") == hits
    finally:
        store.close()
    requests = [r for r in server.requests if r.path.startswith("/feed-")]
    assert sum(1 for r in requests if r.headers.get("if-none-match") == ETAG) == 12


def test_a_pass_ends_as_polling_each_feed_in_turn_does(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    _Feeds(server)
    feeds = _feeds(server)
    settings, together = _setup(server, tmp_path, "together")
    _, one_by_one = _setup(server, tmp_path, "one-by-one")
    try:
        for _ in range(2):
            pass_summary = poll_feeds(feeds, settings=settings, store=together)
            summed = PassSummary()
            for feed in feeds:
                summed += poll_feed(feed, settings=settings, store=one_by_one)
            assert pass_summary == summed
        assert _feed_rows(together) == _feed_rows(one_by_one)
        pending = [(e.feed_name, e.guid) for e in together.pending_entries()]
        assert pending == [(e.feed_name, e.guid) for e in one_by_one.pending_entries()]
    finally:
        together.close()
        one_by_one.close()


def test_fetches_overlap_up_to_the_bound_and_only_the_caller_touches_the_store(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    routes = _Feeds(server, stall_s=0.2)
    settings, store = _setup(server, tmp_path, "bounded")
    threads: set[str] = set()

    def remember(*_args: object) -> None:
        threads.add(threading.current_thread().name)

    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        summary = poll_feeds(_feeds(server), settings=settings, store=store, workers=3)
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)
        store.close()
    assert summary.feeds == 7
    assert 2 <= routes.most_in_flight <= 3
    assert threads == {threading.current_thread().name}
