"""Every DAG imports cleanly, carries tags, retries, owner and docs, and parses without I/O."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
EXPECTED_DAGS = {
    "market_news_poll",
    "market_news_process",
    "market_news_push",
    "market_news_digest",
}


@pytest.fixture(scope="module")
def dag_bag(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dag_bag: Any) -> None:
    assert dag_bag.import_errors == {}


def test_expected_dags_present(dag_bag: Any) -> None:
    assert set(dag_bag.dag_ids) >= EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_conventions(dag_bag: Any, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert dag.tags and "market-news" in dag.tags
    assert dag.doc_md and len(dag.doc_md.strip()) > 80
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.dagrun_timeout is not None
    from market_news_alerts import DAG_FAILURE_ALERT, TASK_FAILURE_ALERT

    assert dag.on_failure_callback is DAG_FAILURE_ALERT
    for task in dag.tasks:
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
        assert task.retry_exponential_backoff, f"{dag_id}.{task.task_id} retries without backoff"
        assert task.owner == "market-news"
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert callbacks == [TASK_FAILURE_ALERT], f"{dag_id}.{task.task_id}: one alert callback"


def test_poll_maps_one_task_per_feed(dag_bag: Any) -> None:
    poll = dag_bag.dags["market_news_poll"].task_dict["poll"]
    assert poll.is_mapped if hasattr(poll, "is_mapped") else type(poll).__name__ == "MappedOperator"


def test_digest_runs_daily_and_push_feeds_the_process_asset(dag_bag: Any) -> None:
    digest = dag_bag.dags["market_news_digest"]
    assert "0 6 * * *" in repr(digest.timetable)
    push = dag_bag.dags["market_news_push"]
    assert {o.uri for t in push.tasks for o in t.outlets} == {"market_news://entries/new"}


def test_process_dag_is_scheduled_on_the_poll_asset(dag_bag: Any) -> None:
    poll = dag_bag.dags["market_news_poll"]
    process = dag_bag.dags["market_news_process"]
    outlets = {o.uri for t in poll.tasks for o in t.outlets}
    assert "market_news://entries/new" in outlets
    condition = process.timetable.asset_condition
    assert [asset.uri for asset in condition.objects] == ["market_news://entries/new"]


def test_parsing_does_no_network_or_database_io(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Import every DAG file with sockets and store access made to fail loudly."""
    calls: list[str] = []

    def refuse_connect(self: socket.socket, address: object) -> None:
        calls.append(f"socket.connect({address!r})")
        raise AssertionError("DAG parsing opened a network connection")

    from market_news import pipeline

    def refuse_store(*args: object, **kwargs: object) -> None:
        calls.append("open_store")
        raise AssertionError("DAG parsing opened the store")

    import airflow.sdk
    import sqlalchemy

    real_create_engine = sqlalchemy.create_engine

    def refuse_engine(*args: object, **kwargs: object) -> Any:
        calls.append(f"create_engine({args[:1]!r})")
        return real_create_engine(*args, **kwargs)

    def refuse_lookup(*args: object, **kwargs: object) -> None:
        calls.append(f"Variable/Connection lookup {args[:1]!r}")
        raise AssertionError("DAG parsing read a Variable or Connection")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    monkeypatch.setattr(pipeline, "open_store", refuse_store)
    monkeypatch.setattr(pipeline, "load_feeds", refuse_store)
    monkeypatch.setattr(sqlalchemy, "create_engine", refuse_engine)
    monkeypatch.setattr(airflow.sdk.Variable, "get", refuse_lookup)
    monkeypatch.setattr(airflow.sdk.Connection, "get", refuse_lookup)
    monkeypatch.setenv("MARKET_NEWS_FEEDS", str(tmp_path / "missing.yaml"))
    monkeypatch.setenv("MARKET_NEWS_REDIS_URL", "redis://203.0.113.1:6379/0")
    from airflow.dag_processing.dagbag import DagBag

    for module in [name for name in sys.modules if name.startswith("market_news_")]:
        monkeypatch.delitem(sys.modules, module)  # re-import the DAG helpers under the guard
    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) >= EXPECTED_DAGS
    assert calls == []
