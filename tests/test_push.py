"""The push path: `POST /push` checks, the Redis queue, `consume_pushed` into the store.

Runs against the real Redis at 127.0.0.1:6379 with a key of its own per test (deleted
afterwards), and the monitoring app in-process (FastAPI's TestClient).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from market_news.models import FeedConfig
from market_news.monitor.app import create_app
from market_news.push import (
    MAX_PUSH_BYTES,
    SECRET_HEADER,
    SIGNATURE_HEADER,
    PushedItem,
    PushError,
    authenticate,
    consume_pushed,
    parse_push,
    publish,
    signature_for,
)
from market_news.settings import Settings
from market_news.store import Store

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "push-secret-for-tests"
FEED = FeedConfig(name="wire", url="https://wire.example/feed.xml", fetch_article=False)
ITEM = {
    "feed": "wire",
    "url": "https://wire.example/meta-q3",
    "title": "Meta beats",
    "summary": "Meta Platforms (META) reported EPS of $6.03 versus estimates of $5.25.",
    "published": "2024-10-30T20:05:00Z",
}
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>
<updated>2024-10-30T20:05:00Z</updated>
<entry><id>urn:wire:1</id><title>One</title><link href="https://wire.example/1"/>
<updated>2024-10-30T20:05:00Z</updated><summary>first</summary></entry>
<entry><id>urn:wire:2</id><title>Two</title><link href="https://wire.example/2"/>
<updated>2024-10-30T20:06:00Z</updated><summary>second</summary></entry>
</feed>"""


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:  # pragma: no cover - the machine's Redis is down
        pytest.fail(f"Redis at {REDIS_URL} is needed: {exc}")
    yield client
    client.close()


@pytest.fixture
def key(redis_client: redis.Redis) -> Iterator[str]:
    """A queue key of this test's own, removed afterwards."""
    name = f"market_news:test:{secrets.token_hex(6)}"
    yield name
    redis_client.delete(name, f"{name}:claimed")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(
        "feeds:\n  - name: wire\n    url: https://wire.example/feed.xml\n"
        "    fetch_article: false\n",
        encoding="utf-8",
    )
    return Settings(
        feeds_file=feeds_file,
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        push_secret=SECRET,
    )


@pytest.fixture
def client(settings: Settings, key: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        f"sqlite:///{tmp_path / 'absent.db'}", push_settings=lambda: settings, push_key=key
    )
    with TestClient(app) as test_client:
        yield test_client


def _queued(redis_client: redis.Redis, key: str) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in redis_client.lrange(key, 0, -1)]


# -- authentication --------------------------------------------------------------------------


def test_authenticate_accepts_the_secret_or_a_body_signature() -> None:
    body = b'{"a": 1}'
    assert authenticate(SECRET, body, header_secret=SECRET, signature=None)
    assert authenticate(SECRET, body, header_secret=None, signature=signature_for(SECRET, body))
    assert not authenticate(SECRET, body, header_secret="wrong", signature=None)
    assert not authenticate(SECRET, body, header_secret=SECRET[:-1], signature=None)
    assert not authenticate(
        SECRET, body + b" ", header_secret=None, signature=signature_for(SECRET, body)
    )
    assert not authenticate(SECRET, body, header_secret=None, signature=None)


# -- the endpoint ----------------------------------------------------------------------------


def test_push_with_secret_queues_the_item(
    client: TestClient, redis_client: redis.Redis, key: str
) -> None:
    response = client.post("/push", json=ITEM, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 202, response.text
    assert response.json() == {"queued": 1}
    (queued,) = _queued(redis_client, key)
    assert queued["url"] == ITEM["url"] and queued["feed"] == "wire"
    assert queued["published"] == "2024-10-30T20:05:00+00:00"


def test_push_with_hmac_signature_queues_the_item(
    client: TestClient, redis_client: redis.Redis, key: str
) -> None:
    body = json.dumps(ITEM).encode()
    response = client.post(
        "/push",
        content=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature_for(SECRET, body)},
    )
    assert response.status_code == 202, response.text
    assert len(_queued(redis_client, key)) == 1


def test_websub_feed_document_queues_its_entries(
    client: TestClient, redis_client: redis.Redis, key: str
) -> None:
    response = client.post(
        "/push?feed=wire",
        content=ATOM,
        headers={
            "Content-Type": "application/atom+xml",
            SIGNATURE_HEADER: signature_for(SECRET, ATOM),
        },
    )
    assert response.status_code == 202, response.text
    assert [item["guid"] for item in _queued(redis_client, key)] == ["urn:wire:1", "urn:wire:2"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({SECRET_HEADER: "not-the-secret"}, 403), ({SIGNATURE_HEADER: "sha256=00"}, 403)],
)
def test_wrong_or_missing_secret_is_refused_logged_and_not_queued(
    client: TestClient,
    *,
    redis_client: redis.Redis,
    key: str,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    status: int,
) -> None:
    with caplog.at_level(logging.WARNING, logger="market_news.push"):
        response = client.post("/push", json=ITEM, headers=headers)
    assert response.status_code == status
    assert redis_client.llen(key) == 0
    assert f"rejected ({status})" in caplog.text
    assert "not-the-secret" not in caplog.text and SECRET not in caplog.text


def test_oversized_body_is_refused_before_anything_else(
    client: TestClient, redis_client: redis.Redis, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    big = {**ITEM, "summary": "x" * MAX_PUSH_BYTES}
    with caplog.at_level(logging.WARNING, logger="market_news.push"):
        response = client.post("/push", json=big, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 413
    assert redis_client.llen(key) == 0
    assert "rejected (413)" in caplog.text


def test_oversized_stream_without_length_is_refused(
    client: TestClient, redis_client: redis.Redis, key: str
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_PUSH_BYTES // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/push",
        content=chunks(),
        headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert redis_client.llen(key) == 0


@pytest.mark.parametrize(
    ("content", "content_type", "why"),
    [
        (b"{not json", "application/json", "not JSON"),
        (b"[1, 2]", "application/json", "JSON object"),
        (json.dumps({**ITEM, "url": "javascript:alert(1)"}).encode(), "application/json", "http"),
        (
            json.dumps({k: v for k, v in ITEM.items() if k != "title"}).encode(),
            "application/json",
            "title",
        ),
        (json.dumps({**ITEM, "feed": "nobody"}).encode(), "application/json", "unknown feed"),
        (json.dumps({**ITEM, "extra": 1}).encode(), "application/json", "unknown field"),
        (json.dumps({**ITEM, "published": "yesterday"}).encode(), "application/json", "ISO 8601"),
        (b"<html><body>hi</body></html>", "text/html", "content type"),
        (b"<html><body>not a feed</body></html>", "application/xml", "needs the feed"),
    ],
)
def test_malformed_push_is_422_and_not_queued(
    client: TestClient,
    *,
    redis_client: redis.Redis,
    key: str,
    content: bytes,
    content_type: str,
    why: str,
) -> None:
    response = client.post(
        "/push", content=content, headers={SECRET_HEADER: SECRET, "Content-Type": content_type}
    )
    assert response.status_code == 422, response.text
    assert why in response.json()["detail"]
    assert redis_client.llen(key) == 0


def test_push_without_a_configured_secret_is_unavailable(
    settings: Settings, key: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    unset = settings.with_overrides(push_secret=None)
    app = create_app(
        f"sqlite:///{tmp_path / 'absent.db'}", push_settings=lambda: unset, push_key=key
    )
    with TestClient(app) as test_client:
        response = test_client.post("/push", json=ITEM, headers={SECRET_HEADER: ""})
    assert response.status_code == 503
    assert redis_client.llen(key) == 0


def test_push_endpoint_is_outside_the_login_but_the_page_is_not(
    settings: Settings, key: str, tmp_path: Path
) -> None:
    from fastapi import HTTPException

    def deny() -> None:
        raise HTTPException(status_code=401)

    app = create_app(
        f"sqlite:///{tmp_path / 'absent.db'}",
        dependencies=[deny],
        push_settings=lambda: settings,
        push_key=key,
    )
    with TestClient(app) as test_client:
        assert test_client.get("/api/summary").status_code == 401
        assert (
            test_client.post("/push", json=ITEM, headers={SECRET_HEADER: SECRET}).status_code == 202
        )


def test_parse_push_refuses_a_feed_document_with_too_many_entries() -> None:
    entries = "".join(
        f"<entry><id>urn:{n}</id><title>t{n}</title><link href='https://wire.example/{n}'/></entry>"
        for n in range(101)
    )
    body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>w</title>{entries}</feed>'.encode()
    with pytest.raises(PushError, match="more than 100"):
        parse_push(body, "application/atom+xml", feed_name="wire", feeds=[FEED])


# -- the consumer ----------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def test_consume_moves_items_into_the_store_once(
    settings: Settings, store: Store, redis_client: redis.Redis, key: str
) -> None:
    item = PushedItem(feed="wire", url="https://wire.example/a", title="A", summary="text")
    publish(redis_client, [item, item], key=key)
    summary = consume_pushed(settings, store, client=redis_client, key=key)
    assert (summary.entries_seen, summary.duplicates, summary.errors) == (2, 1, 0)
    (pending,) = store.pending_entries()
    assert (pending.feed_name, pending.link, pending.title) == (
        "wire",
        "https://wire.example/a",
        "A",
    )
    assert redis_client.llen(key) == 0 and redis_client.llen(f"{key}:claimed") == 0
    again = consume_pushed(settings, store, client=redis_client, key=key)
    assert again.entries_seen == 0


def test_consume_takes_leftovers_of_a_dead_consumer_first(
    settings: Settings, store: Store, redis_client: redis.Redis, key: str
) -> None:
    left = PushedItem(feed="wire", url="https://wire.example/left", title="Left")
    fresh = PushedItem(feed="wire", url="https://wire.example/fresh", title="Fresh")
    redis_client.rpush(f"{key}:claimed", left.to_json())
    publish(redis_client, [fresh], key=key)
    summary = consume_pushed(settings, store, client=redis_client, key=key)
    assert summary.entries_seen == 2
    assert [entry.title for entry in store.pending_entries()] == ["Left", "Fresh"]


def test_consume_drops_garbage_and_unknown_feeds_as_errors(
    settings: Settings, store: Store, redis_client: redis.Redis, key: str
) -> None:
    redis_client.rpush(key, b"not json", json.dumps({**ITEM, "feed": "gone"}))
    publish(
        redis_client, [PushedItem(feed="wire", url="https://wire.example/ok", title="ok")], key=key
    )
    summary = consume_pushed(settings, store, client=redis_client, key=key)
    assert (summary.entries_seen, summary.errors) == (1, 2)
    assert redis_client.llen(key) == 0 and redis_client.llen(f"{key}:claimed") == 0
