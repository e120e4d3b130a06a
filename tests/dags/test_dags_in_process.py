"""The DAGs run in-process with `dag.test()` on SQLite metadata, against the bundled
sample feeds on loopback and the Slack Web API stand-in, with settings from a Variable
and the token from a Connection, both given as `AIRFLOW_VAR_...`/`AIRFLOW_CONN_...`.

Also: a task failure is reported to Slack exactly once, through the provider's notifier.
"""

from __future__ import annotations

import json
import secrets
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from market_news.demo.sample_server import serve_samples

from tests.support.slack_standin import SlackStandin

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

OPS = "market-news-ops"
STORY = (
    "Meta Platforms (NASDAQ: META) reported third-quarter 2024 adjusted earnings per share "
    "of $6.03, beating the analyst consensus estimate of $5.25."
)


@pytest.fixture
def airflow_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack_standin: SlackStandin
) -> Iterator[Path]:
    """Store under tmp_path, Slack token via Connection, feeds file via Variable."""
    feeds_file = tmp_path / "feeds.yaml"
    for name in ("MARKET_NEWS_DB_URL", "SLACK_BOT_TOKEN", "MARKET_NEWS_SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MARKET_NEWS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARKET_NEWS_ALLOW_PRIVATE_HOSTS", "1")
    # The environment names a file that is not there: only the Variable makes this work.
    monkeypatch.setenv("MARKET_NEWS_FEEDS", str(tmp_path / "not-this.yaml"))
    monkeypatch.setenv(
        "AIRFLOW_VAR_MARKET_NEWS",
        json.dumps({"feeds_file": str(feeds_file), "ops_channel": f"#{OPS}"}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_MARKET_NEWS_SLACK",
        json.dumps(
            {"conn_type": "slack", "password": slack_standin.token, "host": slack_standin.base_url}
        ),
    )
    yield feeds_file


def _run(dag: Any) -> str:
    run = dag.test()
    return str(run.state)


def test_poll_then_process_sends_alerts_once(
    project_dags: dict[str, Any], airflow_env: Path, slack_standin: SlackStandin
) -> None:
    with serve_samples() as server:
        airflow_env.write_text(server.feeds_yaml(), encoding="utf-8")
        poll_run = project_dags["market_news_poll"].test()
        assert str(poll_run.state) == "success"
        mapped = [ti for ti in poll_run.get_task_instances() if ti.task_id == "poll"]
        assert sorted(ti.rendered_map_index for ti in mapped) == sorted(server.feed_names())
        assert _run(project_dags["market_news_process"]) == "success"
        alerts = slack_standin.messages("market-news")
        assert len(alerts) >= 4
        assert all(m["metadata"]["event_type"] == "market_news_alert" for m in alerts)

        assert _run(project_dags["market_news_poll"]) == "success"
        assert _run(project_dags["market_news_process"]) == "success"
    assert len(slack_standin.messages("market-news")) == len(alerts), "nothing sent twice"
    assert slack_standin.messages(OPS) == [], "no failure alerts"


def test_failed_task_is_reported_once_even_when_the_run_fails(
    project_dags: dict[str, Any], airflow_env: Path, slack_standin: SlackStandin, no_retries: None
) -> None:
    """configured_feeds fails (no feeds file): the run fails too, but only the task speaks."""
    assert _run(project_dags["market_news_poll"]) == "failed"
    (message,) = slack_standin.messages(OPS)
    assert "market_news_poll.configured_feeds" in message["text"]
    assert "feeds file not found" in message["text"]
    assert slack_standin.messages("market-news") == []


def test_failed_process_is_reported_although_delivery_keeps_the_run_green(
    project_dags: dict[str, Any], airflow_env: Path, slack_standin: SlackStandin, no_retries: None
) -> None:
    assert _run(project_dags["market_news_process"]) == "success"  # deliver is the leaf
    (message,) = slack_standin.messages(OPS)
    assert "market_news_process.process" in message["text"]


def test_dag_failure_without_a_failed_task_is_reported_by_the_dag(
    project_dags: dict[str, Any], airflow_env: Path, slack_standin: SlackStandin
) -> None:
    from market_news_alerts import DAG_FAILURE_ALERT

    dag = project_dags["market_news_process"]
    assert dag.on_failure_callback is DAG_FAILURE_ALERT
    DAG_FAILURE_ALERT({"dag": dag, "run_id": "scheduled__1", "reason": "task_failure"})
    assert slack_standin.messages(OPS) == []
    DAG_FAILURE_ALERT({"dag": dag, "run_id": "scheduled__1", "reason": "timed_out"})
    (message,) = slack_standin.messages(OPS)
    assert "market_news_process" in message["text"] and "timed_out" in message["text"]


def test_pushed_item_through_the_push_and_process_dags(
    project_dags: dict[str, Any],
    airflow_env: Path,
    slack_standin: SlackStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """POST /push -> Redis -> market_news_push (dag.test) -> market_news_process -> Slack."""
    import redis
    from fastapi.testclient import TestClient
    from market_news.monitor.app import create_app
    from market_news.push import SECRET_HEADER
    from market_news.settings import load_settings

    key = f"market_news:test:{secrets.token_hex(6)}"
    airflow_env.write_text(
        "feeds:\n  - name: wire\n    url: https://wire.example/feed.xml\n"
        "    fetch_article: false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MARKET_NEWS_PUSH_KEY", key)  # one setting for endpoint and DAG
    variable = {"feeds_file": str(airflow_env), "ops_channel": f"#{OPS}"}
    monkeypatch.setenv("AIRFLOW_VAR_MARKET_NEWS", json.dumps(variable))
    settings = load_settings().with_overrides(feeds_file=airflow_env, push_secret="s3cret")
    app = create_app("sqlite://", push_settings=lambda: settings)
    item = {"feed": "wire", "url": "https://wire.example/meta", "title": "Meta", "summary": STORY}
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        with TestClient(app) as http:
            assert (
                http.post("/push", json=item, headers={SECRET_HEADER: "s3cret"}).status_code == 202
            )
        assert _run(project_dags["market_news_push"]) == "success"
        assert client.llen(key) == 0
        assert _run(project_dags["market_news_process"]) == "success"
    finally:
        client.delete(key, f"{key}:claimed")
        client.close()
    (alert,) = slack_standin.messages("market-news")
    assert alert["metadata"]["event_payload"]["article_url"] == item["url"]
    assert slack_standin.messages(OPS) == []


def test_digest_dag_calls_send_daily_digest_with_task_settings(
    project_dags: dict[str, Any], airflow_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest function belongs to another module; the DAG's job is to call it right."""
    calls: list[dict[str, Any]] = []

    def send_daily_digest(**kwargs: Any) -> dict[str, int]:
        calls.append(kwargs)
        return {"sent": 1}

    monkeypatch.setitem(
        sys.modules,
        "market_news.digest",
        types.SimpleNamespace(send_daily_digest=send_daily_digest),
    )
    assert _run(project_dags["market_news_digest"]) == "success"
    (call,) = calls
    assert set(call) == {"settings", "store"}
    assert call["settings"].feeds_file == airflow_env, "the Variable reached the task"
