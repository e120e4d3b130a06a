"""The CeleryExecutor path without Docker: the polling DAG's tasks run on a real Celery
worker (`airflow celery worker`) through Redis at 127.0.0.1:6379, reporting to a real
`airflow api-server` (the Execution API), with Airflow's metadata on PostgreSQL.

`airflow dags test --use-executor` stands in for the scheduler: it queues each ready task
with the CeleryExecutor exactly as the scheduler would. The broker keys carry a prefix of
this test's own (`global_keyprefix`), so parallel runs never take each other's tasks.
What this does not exercise (the scheduler loop, the triggerer, several workers) is
listed in docs/operations.md.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from market_news.demo.sample_server import serve_samples
from market_news.local_airflow import airflow_command, airflow_env, migrate_metadata
from market_news.store import Store

from tests.support.databases import require_postgres, sqlalchemy_url, temporary_database

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/0"
STARTUP_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a long-lived Airflow component in its own process group; stop that group."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            args, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_for(check: object, what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    pytest.fail(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_poll_tasks_run_on_a_celery_worker_via_redis(tmp_path: Path) -> None:
    require_postgres()
    prefix = f"market_news_celery_{secrets.token_hex(4)}:"
    port = _free_port()
    with temporary_database("market_news_celery") as database:
        metadata = sqlalchemy_url(database).replace("postgresql+psycopg", "postgresql+psycopg2")
        store_url = f"sqlite:///{tmp_path / 'store.db'}"
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MARKET_NEWS_", "SLACK_", "AIRFLOW"))
        }
        env = airflow_env(tmp_path, base, metadata_url=metadata)
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+"
                + sqlalchemy_url(database).replace("postgresql+psycopg", "postgresql"),
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": prefix,
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
                "MARKET_NEWS_DB_URL": store_url,
                "MARKET_NEWS_FEEDS": str(tmp_path / "feeds.yaml"),
                "MARKET_NEWS_ALLOW_PRIVATE_HOSTS": "1",
            }
        )
        migrate_metadata(env, tmp_path / "migrate.log")
        api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
        try:
            with (
                serve_samples() as server,
                _process(airflow_command("api-server", "--port", str(port)), env, api_log) as api,
                _process(
                    airflow_command(
                        "celery",
                        "worker",
                        "--concurrency",
                        "2",
                        "--skip-serve-logs",
                        "--without-gossip",
                        "--without-mingle",
                    ),
                    env,
                    worker_log,
                ) as worker,
            ):
                (tmp_path / "feeds.yaml").write_text(server.feeds_yaml(), encoding="utf-8")
                _wait_for(lambda: _answers(port), "api-server", api, api_log)
                _wait_for(
                    lambda: "ready." in worker_log.read_text(errors="replace"),
                    "celery worker",
                    worker,
                    worker_log,
                )
                run = subprocess.run(
                    airflow_command("dags", "test", "market_news_poll", "--use-executor"),
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                output = run.stdout + run.stderr
                assert run.returncode == 0, output[-3000:]
                assert "state=success" in output and "executor=CeleryExecutor" in output
        finally:
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()

    worker_text = worker_log.read_text(errors="replace")
    # configured_feeds + one poll per sample feed + announce, each run by the worker.
    succeeded = re.findall(r"Task execute_workload\[[^\]]+\] succeeded", worker_text)
    assert len(succeeded) == 5, worker_text[-3000:]
    store = Store.open(store_url)
    try:
        assert store.pending_entries(), "the worker's tasks stored the feeds' entries"
        assert store.feed_state(server.feed_names()[0]).last_success_at is not None
    finally:
        store.close()
