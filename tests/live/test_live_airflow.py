"""The push path and the monitoring page in a real, running Airflow.

One Airflow per module (`airflow db migrate` on a fresh PostgreSQL database, then the
api-server, scheduler, dag-processor and triggerer as separate processes, LocalExecutor),
with this project's `dags/` and `plugins/`. Only `market_news_push` and
`market_news_process` are unpaused. Everything stays on loopback: the article comes from
`tests/support`'s HTTP server, Slack is the stand-in, Redis is the machine's (a database
number and a Pub/Sub channel of this module's own).

- A pushed item goes `POST /market-news/push` -> Redis list + doorbell -> the triggerer's
  AssetWatcher -> an asset-triggered `market_news_push` run -> `market_news_process` ->
  exactly one Slack message. The push -> Slack seconds are printed, never asserted.
- The monitoring page is loaded from that api-server, as HTML and in headless Chromium
  (`MARKET_NEWS_SAVE_SCREENSHOT=docs/img/airflow-monitor.png` keeps the picture).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import redis
from airflow_stack import AirflowStack, free_port, running_airflow
from market_news.local_airflow import airflow_env, migrate_metadata
from market_news.push import DEFAULT_PUSH_KEY, SECRET_HEADER

from tests.support.browser import screenshot
from tests.support.databases import require_postgres, sqlalchemy_url, temporary_database
from tests.support.http_server import LocalHTTPServer, Reply
from tests.support.slack_standin import SlackStandin

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.slow]

#: Pushed items queue in a Redis database of this module's own, so the live consumer
#: never drains (or drops) another run's `market_news:push` list in database 0.
REDIS_DB = 14
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
SECRET = secrets.token_urlsafe(16)
SLACK_TOKEN = "xoxb-0000-live-airflow-test"
#: Generous limits for waiting on a busy two-core machine; the latency is printed.
BOOT_S = 180.0
ALERT_S = 180.0
DAGS = ("market_news_push", "market_news_process")
ARTICLE = """<!doctype html><html lang="en"><head><title>Meta beats estimates</title></head>
<body><article><h1>Meta Platforms beats third-quarter estimates</h1>
<p>Meta Platforms (NASDAQ: META) reported third-quarter 2024 adjusted earnings per share
of $6.03, beating the analyst consensus estimate of $5.25. Revenue was $40.59 billion
versus estimates of $40.29 billion.</p></article></body></html>"""


@dataclass
class LiveAirflow:
    stack: AirflowStack
    standin: SlackStandin
    articles: LocalHTTPServer
    channel: str


@dataclass
class Delivered:
    """A push that reached Slack: the item, the alert, the runs and the latency."""

    article_url: str
    message: dict[str, Any]
    push_to_slack_s: float


def _env(
    tmp: Path, port: int, metadata_url: str, *, articles: LocalHTTPServer, standin: SlackStandin
) -> dict[str, str]:
    """What `make up` sets (`airflow_env`), plus the separate components' shared secrets."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARKET_NEWS_", "SLACK_", "AIRFLOW"))
    }
    base["MARKET_NEWS_REDIS_URL"] = REDIS_URL  # airflow_env derives redis_default from it
    env = airflow_env(tmp, base, metadata_url=metadata_url)
    feeds = tmp / "feeds.yaml"
    feeds.write_text(
        f"feeds:\n  - name: wire\n    url: {articles.url('/feed.xml')}\n    fetch_article: true\n",
        encoding="utf-8",
    )
    shared_secret = secrets.token_hex(16)
    env.update(
        {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__SECRET_KEY": shared_secret,
            "AIRFLOW__API_AUTH__JWT_SECRET": shared_secret,
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW_CONN_MARKET_NEWS_SLACK": json.dumps(
                {"conn_type": "slack", "password": SLACK_TOKEN, "host": standin.base_url}
            ),
            "MARKET_NEWS_DB_URL": f"sqlite:///{tmp / 'store.db'}",
            "MARKET_NEWS_FEEDS": str(feeds),
            "MARKET_NEWS_ALLOW_PRIVATE_HOSTS": "1",
            "MARKET_NEWS_PUSH_SECRET": SECRET,
            "MARKET_NEWS_SLACK_PACE_S": "0",
        }
    )
    return env


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAirflow]:
    require_postgres()
    tmp = tmp_path_factory.mktemp("live-airflow")
    port = free_port()
    channel = f"market_news:test:events:{secrets.token_hex(6)}"
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(DEFAULT_PUSH_KEY, f"{DEFAULT_PUSH_KEY}:claimed")  # a killed run's leftovers
    with (
        temporary_database("market_news_live") as database,
        LocalHTTPServer() as articles,
        SlackStandin(SLACK_TOKEN) as standin,
    ):
        articles.route(
            "/meta-q3",
            Reply(body=ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}),
        )
        metadata = sqlalchemy_url(database).replace("postgresql+psycopg", "postgresql+psycopg2")
        env = _env(tmp, port, metadata, articles=articles, standin=standin)
        env["MARKET_NEWS_PUSH_CHANNEL"] = channel  # endpoint and dag-processor alike
        migrate_metadata(env, tmp / "migrate.log")
        try:
            with running_airflow(env, port, tmp / "logs", boot_timeout_s=BOOT_S) as stack:
                _unpause_and_arm(stack, client, channel)
                yield LiveAirflow(stack, standin, articles, channel)
        finally:
            client.delete(DEFAULT_PUSH_KEY, f"{DEFAULT_PUSH_KEY}:claimed")
            client.close()


def _unpause_and_arm(stack: AirflowStack, client: redis.Redis, channel: str) -> None:
    """Unpause the two DAGs, get the push DAG re-parsed, wait for the triggerer to listen.

    A paused DAG's watchers are not armed; the dag-processor arms them when it next parses
    the file, which the reparse request makes happen now rather than in 30 s.
    """
    for dag_id in DAGS:
        path = f"/api/v2/dags/{dag_id}"
        stack.wait_for(f"{dag_id} parsed", partial(_answers_ok, stack, path), BOOT_S)
        stack.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
    details = stack.api("GET", "/dags/market_news_push/details")
    stack.api("PUT", f"/parseDagFile/{details['file_token']}")
    stack.wait_for(
        f"the triggerer subscribed to {channel}",
        lambda: client.pubsub_numsub(channel)[0][1] >= 1,
        BOOT_S,
    )
    # Unpausing may start a timer run at once; let it finish so that the run consuming
    # the pushed item below can only be the one the doorbell started.
    stack.wait_for("no market_news_push run active", lambda: not _active_runs(stack), BOOT_S)


def _answers_ok(stack: AirflowStack, path: str) -> bool:
    return stack.request("GET", path)[0] == 200


def _runs(stack: AirflowStack, dag_id: str) -> list[dict[str, Any]]:
    return list(stack.api("GET", f"/dags/{dag_id}/dagRuns?order_by=run_after")["dag_runs"])


def _active_runs(stack: AirflowStack) -> list[dict[str, Any]]:
    return [r for r in _runs(stack, "market_news_push") if r["state"] in ("queued", "running")]


@pytest.fixture(scope="module")
def delivered(live: LiveAirflow) -> Delivered:
    """Push one item through the api-server and wait for its Slack alert."""
    article_url = live.articles.url("/meta-q3")
    item = {"feed": "wire", "url": article_url, "title": "Meta beats third-quarter estimates"}
    request = urllib.request.Request(
        f"{live.stack.base_url}/market-news/push",
        data=json.dumps(item).encode(),
        method="POST",
        headers={"Content-Type": "application/json", SECRET_HEADER: SECRET},
    )
    pushed_at = time.time()
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202
        assert json.loads(response.read()) == {"queued": 1}
    (message,) = live.stack.wait_for(
        "the pushed item's Slack alert",
        lambda: live.standin.messages("market-news") or None,
        ALERT_S,
    )
    latency = live.standin.accepted_at[message["ts"]] - pushed_at
    return Delivered(article_url=article_url, message=message, push_to_slack_s=latency)


def test_pushed_item_reaches_slack_through_the_asset_watcher(
    live: LiveAirflow, delivered: Delivered, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = live.stack
    with capsys.disabled():  # the measured figure shows even without `-s`
        print(f"\n[live] push -> Slack: {delivered.push_to_slack_s:.2f} s", flush=True)
    assert delivered.message["metadata"]["event_payload"]["article_url"] == delivered.article_url
    assert "META" in delivered.message["text"]
    assert "/meta-q3" in live.articles.paths(), "the task fetched the article"

    # The run that consumed the item was started by the doorbell's Asset event.
    consumed = [r for r in _runs(stack, "market_news_push") if r["run_type"] == "asset_triggered"]
    assert len(consumed) == 1, _runs(stack, "market_news_push")
    push_run = consumed[0]
    events = stack.api(
        "GET", f"/dags/market_news_push/dagRuns/{push_run['dag_run_id']}/upstreamAssetEvents"
    )["asset_events"]
    assert [e["uri"] for e in events] == ["market_news://push/doorbell"]
    payload = events[0]["extra"]["payload"]
    assert events[0]["extra"]["from_trigger"] is True
    assert payload["channel"] == live.channel
    assert json.loads(payload["data"]) == {"key": DEFAULT_PUSH_KEY, "queued": 1}
    stack.wait_for(
        "market_news_push run done",
        lambda: _run_state(stack, "market_news_push", push_run["dag_run_id"]) == "success",
        ALERT_S,
    )
    (consume,) = stack.api(
        "GET", f"/dags/market_news_push/dagRuns/{push_run['dag_run_id']}/taskInstances"
    )["task_instances"]
    assert consume["state"] == "success", "the asset-triggered run stored the item"

    # ... and its outlet started market_news_process, which delivered the alert.
    process_runs = stack.wait_for(
        "market_news_process run done",
        lambda: [r for r in _runs(stack, "market_news_process") if r["state"] == "success"] or None,
        ALERT_S,
    )
    (process_run,) = process_runs
    assert process_run["run_type"] == "asset_triggered"
    upstream = stack.api(
        "GET", f"/dags/market_news_process/dagRuns/{process_run['dag_run_id']}/upstreamAssetEvents"
    )["asset_events"]
    assert [e["source_run_id"] for e in upstream] == [push_run["dag_run_id"]]
    assert len(live.standin.messages("market-news")) == 1, "exactly one alert"
    seen = [(r["run_type"], r["state"]) for r in _runs(stack, "market_news_push")]
    with capsys.disabled():
        print(f"[live] market_news_push runs: {seen}", flush=True)


def _run_state(stack: AirflowStack, dag_id: str, run_id: str) -> str:
    return str(stack.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"])


def test_monitoring_page_in_the_running_airflow(
    live: LiveAirflow, delivered: Delivered, tmp_path: Path
) -> None:
    """The plugin's page as served by the api-server, then the UI's embedded view drawn.

    The UI runs with SimpleAuthManager's `simple_auth_manager_all_admins`, so every request
    carries an admin token and the plugin's login check passes without a login form.
    """
    stack = live.stack
    status, html = stack.request("GET", "/market-news/")
    assert status == 200, html[:500]
    page = html.decode()
    assert "Meta beats third-quarter estimates" in page  # the pushed item's alert
    assert "earnings:META:2024:Q3" in page
    status, body = stack.request("GET", "/market-news/api/summary")
    assert status == 200
    summary = json.loads(body)
    assert summary["store_ready"] is True
    assert (summary["articles"], summary["events"], summary["alerts"].get("sent")) == (1, 1, 1)

    screenshot(f"{stack.base_url}/plugin/market-news", tmp_path, wait_ms=15000)
