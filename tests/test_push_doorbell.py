"""The doorbell: an accepted push rings a Redis Pub/Sub channel that the push DAG watches.

The trigger is the one `dags/market_news_push.py` gives its AssetWatcher, rebuilt from
its serialized form exactly as the triggerer rebuilds it, and run (`async run()`) against
the real Redis at 127.0.0.1:6379 on a channel of this test's own. The pushes go through
the monitoring app in-process (FastAPI's TestClient).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from airflow.triggers.base import BaseTrigger, TriggerEvent
from fastapi.testclient import TestClient
from market_news.monitor.app import create_app
from market_news.push import MAX_PUSH_BYTES, SECRET_HEADER
from market_news.settings import DEFAULT_PUSH_CHANNEL, Settings, load_settings

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "doorbell-secret"
ITEM = {"feed": "wire", "url": "https://wire.example/meta-q3", "title": "Meta beats"}
WAIT_S = 30.0


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
    name = f"market_news:test:{secrets.token_hex(6)}"
    yield name
    redis_client.delete(name, f"{name}:claimed")


@pytest.fixture
def channel() -> str:
    return f"market_news:test:events:{secrets.token_hex(6)}"


@pytest.fixture
def settings(tmp_path: Path, channel: str) -> Settings:
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
        push_channel=channel,
    )


@pytest.fixture
def client(settings: Settings, key: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        f"sqlite:///{tmp_path / 'absent.db'}", push_settings=lambda: settings, push_key=key
    )
    with TestClient(app) as test_client:
        yield test_client


def _as_the_triggerer_builds_it(channel: str) -> BaseTrigger:
    """The DAG's watcher trigger for `channel`, serialized and rebuilt from classpath+kwargs."""
    from market_news_push import doorbell_asset

    (watcher,) = doorbell_asset(channel).watchers
    classpath, kwargs = watcher.trigger.serialize()
    module, name = classpath.rsplit(".", 1)
    trigger = getattr(importlib.import_module(module), name)(**kwargs)
    assert isinstance(trigger, BaseTrigger)
    return trigger


async def _subscribed(client: redis.Redis, channel: str) -> None:
    """Wait until someone listens on `channel` (the trigger subscribes inside `run()`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while loop.time() < deadline:
        counts = await asyncio.to_thread(client.pubsub_numsub, channel)
        if counts and counts[0][1] >= 1:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"nobody subscribed to {channel} within {WAIT_S} s")


def test_a_push_makes_the_dag_trigger_fire(
    client: TestClient,
    redis_client: redis.Redis,
    key: str,
    channel: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DEFAULT", "redis://127.0.0.1:6379")
    trigger = _as_the_triggerer_builds_it(channel)

    async def scenario() -> TriggerEvent:
        events: AsyncIterator[TriggerEvent] = trigger.run()
        first = asyncio.ensure_future(anext(events))
        try:
            await _subscribed(redis_client, channel)
            response = await asyncio.to_thread(
                client.post, "/push", json=ITEM, headers={SECRET_HEADER: SECRET}
            )
            assert response.status_code == 202, response.text
            return await asyncio.wait_for(first, WAIT_S)
        finally:
            first.cancel()
            await events.aclose()  # type: ignore[attr-defined]

    event = asyncio.run(scenario())
    payload: dict[str, Any] = event.payload
    assert payload["type"] == "message" and payload["channel"] == channel
    assert json.loads(payload["data"]) == {"key": key, "queued": 1}
    # The doorbell rang after the item was queued (one MULTI): the consumer finds it.
    (queued,) = redis_client.lrange(key, 0, -1)
    assert json.loads(queued)["url"] == ITEM["url"]


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (json.dumps(ITEM).encode(), {SECRET_HEADER: "wrong"}, 403),
        (json.dumps(ITEM).encode(), {}, 401),
        (json.dumps({**ITEM, "summary": "x" * MAX_PUSH_BYTES}).encode(), {}, 413),
        (b"{not json", {SECRET_HEADER: SECRET}, 422),
        (json.dumps({**ITEM, "feed": "nobody"}).encode(), {SECRET_HEADER: SECRET}, 422),
    ],
    ids=["bad-secret", "no-secret", "oversized", "malformed", "unknown-feed"],
)
def test_a_rejected_push_rings_nothing(
    client: TestClient,
    redis_client: redis.Redis,
    key: str,
    channel: str,
    *,
    content: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    """Subscribe, send the rejected push, then a good one: only the good one is heard.

    Redis delivers a channel's messages in order, so a doorbell from the rejected push
    would arrive before the good push's; no waiting for an absence is needed.
    """
    listener = redis_client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel)
    try:
        assert listener.get_message(timeout=WAIT_S) is None  # consumes the confirmation
        rejected = client.post(
            "/push", content=content, headers={"Content-Type": "application/json", **headers}
        )
        assert rejected.status_code == status, rejected.text
        assert redis_client.llen(key) == 0
        accepted = client.post("/push", json=ITEM, headers={SECRET_HEADER: SECRET})
        assert accepted.status_code == 202, accepted.text
        message = listener.get_message(timeout=WAIT_S)
        assert message is not None, "the accepted push rang no doorbell"
        assert json.loads(message["data"]) == {"key": key, "queued": 1}
        assert listener.get_message(timeout=0) is None
    finally:
        listener.close()


def test_endpoint_and_dag_read_the_channel_from_one_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import market_news_push

    try:
        monkeypatch.setenv("MARKET_NEWS_PUSH_CHANNEL", "ops:doorbell")
        dag_module = importlib.reload(market_news_push)
        (watcher,) = dag_module.DOORBELL.watchers
        assert watcher.trigger.serialize()[1]["channels"] == ["ops:doorbell"]
        assert load_settings(dotenv=False).push_channel == "ops:doorbell"
    finally:
        monkeypatch.delenv("MARKET_NEWS_PUSH_CHANNEL")
        dag_module = importlib.reload(market_news_push)
    (watcher,) = dag_module.DOORBELL.watchers
    assert watcher.trigger.serialize()[1]["channels"] == [DEFAULT_PUSH_CHANNEL]


def test_the_push_dag_runs_on_the_doorbell_or_a_slow_timer() -> None:
    from airflow.sdk import Asset, AssetOrTimeSchedule, DeltaTriggerTimetable
    from market_news_push import DOORBELL_URI, SAFETY_NET, market_news_push

    dag = market_news_push()
    schedule = dag.timetable
    assert isinstance(schedule, AssetOrTimeSchedule)
    assert isinstance(schedule.timetable, DeltaTriggerTimetable)
    assert schedule.timetable.delta == SAFETY_NET
    asset = schedule.asset_condition
    assert isinstance(asset, Asset) and asset.uri == DOORBELL_URI
    (watcher,) = asset.watchers
    classpath, kwargs = watcher.trigger.serialize()
    assert classpath.endswith("redis_await_message.AwaitMessageTrigger")
    assert kwargs["redis_conn_id"] == "redis_default"
    assert kwargs["poll_interval"] <= 1.0, "the provider's 60 s default would delay pushes"


def test_local_airflow_points_redis_default_at_the_push_queue(tmp_path: Path) -> None:
    """`make up` and the live tests: the watcher's Connection follows MARKET_NEWS_REDIS_URL."""
    from market_news.local_airflow import REDIS_CONNECTION_ENV, airflow_env

    env = airflow_env(tmp_path, {"MARKET_NEWS_REDIS_URL": "redis://:p%40ss@10.0.0.5:6380/3"})
    assert json.loads(env[REDIS_CONNECTION_ENV]) == {
        "conn_type": "redis",
        "host": "10.0.0.5",
        "port": 6380,
        "password": "p@ss",
        "extra": {"db": 3},
    }
    default = json.loads(airflow_env(tmp_path, {})[REDIS_CONNECTION_ENV])
    assert (default["host"], default["port"], default["extra"]) == ("127.0.0.1", 6379, {"db": 0})
    explicit = airflow_env(tmp_path, {REDIS_CONNECTION_ENV: "redis://elsewhere:6379"})
    assert explicit[REDIS_CONNECTION_ENV] == "redis://elsewhere:6379"
