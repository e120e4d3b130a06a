"""`make demo`'s job run through Airflow itself (`airflow dags test`), twice.

This is the DAG-level end-to-end test: the polling DAG's mapped tasks, the Asset, the
processing DAG's process and deliver tasks, on SQLite metadata, in Slack dry run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.airflow, pytest.mark.slow]


def _demo(demo_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MARKET_NEWS_", "SLACK_", "AIRFLOW"))
    }
    env["MARKET_NEWS_DEMO_DIR"] = str(demo_dir)
    return subprocess.run(
        [sys.executable, "-m", "market_news.demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_demo_alerts_once_then_nothing(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["feeds"] == 3
    assert summary["errors"] == 0
    assert summary["alerts_sent"] >= 4
    assert "META" in first.stderr, "the dry-run alerts are shown"
    assert (tmp_path / "airflow" / "airflow.db").exists(), (
        "Airflow metadata lives under the demo dir"
    )
    assert (tmp_path / "market_news.db").exists()

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert again["alerts_sent"] == 0
    assert again["new_articles"] == 0
