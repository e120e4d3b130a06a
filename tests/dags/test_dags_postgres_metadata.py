"""Both DAGs through `airflow dags test` with Airflow's metadata AND the store on a fresh
PostgreSQL database, against the sample feeds and the Slack stand-in: the production
shape of the databases, minus Celery (see docs/operations.md)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from market_news.demo.sample_server import serve_samples
from market_news.local_airflow import airflow_command, airflow_env, migrate_metadata

from tests.support.databases import require_postgres, sqlalchemy_url, temporary_database
from tests.support.slack_standin import SlackStandin

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.slow]


def _env(tmp_path: Path, database: str, standin: SlackStandin) -> dict[str, str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARKET_NEWS_", "SLACK_", "AIRFLOW"))
    }
    metadata = sqlalchemy_url(database).replace("postgresql+psycopg://", "postgresql+psycopg2://")
    env = airflow_env(tmp_path, base, metadata_url=metadata)
    env.update(
        {
            "MARKET_NEWS_DB_URL": sqlalchemy_url(database, options="-csearch_path=market_news"),
            "MARKET_NEWS_FEEDS": str(tmp_path / "feeds.yaml"),
            "MARKET_NEWS_ALLOW_PRIVATE_HOSTS": "1",
            "AIRFLOW_CONN_MARKET_NEWS_SLACK": json.dumps(
                {"conn_type": "slack", "password": standin.token, "host": standin.base_url}
            ),
        }
    )
    return env


def _dags_test(dag_id: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        airflow_command("dags", "test", dag_id),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_dags_run_with_metadata_and_store_on_postgres(
    tmp_path: Path, slack_standin: SlackStandin
) -> None:
    require_postgres()
    with temporary_database("market_news_airflow") as database:
        env = _env(tmp_path, database, slack_standin)
        import psycopg

        admin = sqlalchemy_url(database).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE SCHEMA market_news")
        migrate_metadata(env, tmp_path / "airflow.log")
        with serve_samples() as server:
            (tmp_path / "feeds.yaml").write_text(server.feeds_yaml(), encoding="utf-8")
            for dag_id in ("market_news_poll", "market_news_process"):
                result = _dags_test(dag_id, env)
                assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
                assert "state=success" in result.stdout + result.stderr, dag_id
        with psycopg.connect(admin, autocommit=True) as connection:
            runs = connection.execute(
                "SELECT dag_id, state FROM public.dag_run ORDER BY dag_id"
            ).fetchall()
            alerts = connection.execute(
                "SELECT count(*) FROM market_news.alerts WHERE status = 'sent'"
            ).fetchone()
    assert runs == [("market_news_poll", "success"), ("market_news_process", "success")]
    assert alerts is not None and alerts[0] >= 4
    assert len(slack_standin.messages("market-news")) == alerts[0]
