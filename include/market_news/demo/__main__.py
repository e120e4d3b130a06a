"""`make demo`: one pass through Airflow itself over the bundled sample feeds.

Starts the loopback sample server, writes a feeds file pointing at it, runs the polling
DAG and then the processing DAG with `airflow dags test`, shows the alerts (dry run unless
SLACK_BOT_TOKEN is set) and ends with the pass's summary line (interface section 1).
Airflow's own log goes to `data/demo/airflow.log`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from market_news.demo.sample_server import serve_samples, write_feeds_file
from market_news.local_airflow import airflow_command, airflow_env, migrate_metadata
from market_news.models import SUMMARY_LOG_PREFIX, PassSummary
from market_news.settings import DEFAULT_DATA_DIR

#: Where the demo keeps its store and Airflow home; tests point it elsewhere.
DEMO_DIR = Path(os.environ.get("MARKET_NEWS_DEMO_DIR") or DEFAULT_DATA_DIR / "demo")
DAGS = ("market_news_poll", "market_news_process")
#: The first line of a dry-run alert as `market_news.slack` renders it.
ALERT_RULE = "── "
#: Airflow's structured log lines: "2026-11-23T10:46:48.717411Z [info     ] message [logger] ..."
STRUCTURED = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z?\s+\[(\w+)\s*\]\s(.*?)\s+\[([\w.]+)\]")


def _say(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _run_dag(dag_id: str, env: dict[str, str], log_path: Path) -> PassSummary:
    """Run one DAG with `airflow dags test`, echoing our own output, and sum its summaries."""
    summary = PassSummary()
    echo = _Echo()
    with log_path.open("a", encoding="utf-8") as airflow_log:
        airflow_log.write(f"\n===== airflow dags test {dag_id}\n")
        process = subprocess.Popen(  # noqa: S603 - our own airflow executable
            airflow_command("dags", "test", dag_id),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert process.stdout is not None
        for line in process.stdout:
            airflow_log.write(line)
            summary += echo(line.rstrip("\n"))
        code = process.wait()
    if code != 0:
        raise RuntimeError(f"airflow dags test {dag_id} exited {code}; see {log_path}")
    return summary


class _Echo:
    """Show our lines (alerts, progress, errors); keep Airflow's chatter in the log file.

    A dry-run alert is a block: a line starting with the rule character, then indented
    lines. Everything else that is not one of our structured log lines stays in the log.
    """

    def __init__(self) -> None:
        self.in_alert = False

    def __call__(self, line: str) -> PassSummary:
        if line.startswith(SUMMARY_LOG_PREFIX):
            self.in_alert = False
            return PassSummary(**json.loads(line[len(SUMMARY_LOG_PREFIX) :]))
        match = STRUCTURED.match(line)
        if match is not None:
            self.in_alert = False
            level, message, logger = match.groups()
            if logger.startswith("market_news"):
                print(f"  {level:<7} {message}", file=sys.stderr, flush=True)
            return PassSummary()
        if line.startswith(ALERT_RULE) or (self.in_alert and line.startswith("  ")):
            self.in_alert = True
            print(line, file=sys.stderr, flush=True)
        else:
            self.in_alert = False
        return PassSummary()


def main() -> int:
    started = time.monotonic()
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    log_path = DEMO_DIR / "airflow.log"
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MARKET_NEWS_DB_URL", "MARKET_NEWS_FEEDS"}
    }
    env = airflow_env(DEMO_DIR, base)
    feeds_file = DEMO_DIR / "feeds.yaml"
    env["MARKET_NEWS_FEEDS"] = str(feeds_file)
    env["MARKET_NEWS_ALLOW_PRIVATE_HOSTS"] = "1"
    mode = "posting to Slack" if env.get("SLACK_BOT_TOKEN") else "Slack dry run"
    _say(f"Airflow metadata and the store live in {DEMO_DIR}; {mode}.")
    _say("preparing Airflow's metadata database (airflow db migrate)")
    migrate_metadata(env, log_path)
    with serve_samples() as server:
        write_feeds_file(server, feeds_file)
        _say(f"sample feeds served at {server.base_url}: {', '.join(server.feed_names())}")
        summary = PassSummary()
        try:
            for dag_id in DAGS:
                _say(f"airflow dags test {dag_id}")
                summary += _run_dag(dag_id, env, log_path)
        except RuntimeError as exc:
            _say(f"failed: {exc}")
            return 1
    _say(f"done in {time.monotonic() - started:.0f} s; Airflow's log: {log_path}")
    print(json.dumps(summary.to_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
