"""Fault: a canary token in `SLACK_BOT_TOKEN` must surface nowhere.

`market-news -v run` (DEBUG logging, third-party loggers included) posts to the Slack
stand-in through a refused token, a 429 storm and a connection dropped after Slack
accepted a post. The canaries must appear in no line of standard output or error, no
row of any table (all tables, reflected), and no byte of any file the pass wrote. The
slow test does the same for `make demo`'s runner through Airflow: no file under the demo
dir (Airflow's task logs, its metadata database, the store) may hold the canary.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from fault_support import (
    CHANNEL,
    HTML_TYPE,
    RSS_TYPE,
    Story,
    cli_env,
    dump_tables,
    expire_leases,
    posted_event_keys,
    rss,
    run_cli,
    summary_of,
    ticker_names,
    write_feeds,
)
from market_news.models import SUMMARY_LOG_PREFIX

from tests.support.http_server import LocalHTTPServer
from tests.support.slack_standin import SlackStandin

pytestmark = [pytest.mark.fault, pytest.mark.slow]


def _canary() -> str:
    return f"xoxb-canary-{secrets.token_hex(12)}"


def _secret_parts(token: str) -> list[str]:
    """The token and its random tail: a log that cut off the prefix still leaks."""
    return [token, token.rsplit("-", 1)[-1]]


def _files_holding(root: Path, needles: Iterable[str]) -> list[str]:
    """Files under `root` whose bytes contain any needle (as UTF-8)."""
    wanted = [needle.encode() for needle in needles]
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in wanted)
    ]


def _assert_absent(text: str, needles: Iterable[str], where: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        for needle in needles:
            assert needle not in line, f"canary in {where} line {number}"


def test_canary_token_is_in_no_output_row_or_file(tmp_path: Path, server: LocalHTTPServer) -> None:
    good, refused = _canary(), _canary()
    needles = _secret_parts(good) + _secret_parts(refused)
    stories = [Story(ticker) for ticker in ticker_names(3, prefix="K")]
    server.route("/wire.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE})
    for story in stories:
        server.route(
            f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
        )
    feeds = write_feeds(tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml")})
    with SlackStandin(token=good) as standin:
        base = cli_env(
            tmp_path,
            feeds,
            MARKET_NEWS_SLACK_API_URL=standin.base_url,
            MARKET_NEWS_SLACK_PACE_S="0.01",
        )
        db_url = f"sqlite:///{tmp_path / 'data' / 'market_news.db'}"
        # 1: a token Slack refuses (invalid_auth): nothing posted, the error is reported.
        results = [run_cli({**base, "SLACK_BOT_TOKEN": refused}, "-v", "run")]
        assert summary_of(results[0])["errors"] >= 1
        # 2: the right token into a 429 storm and a post dropped after Slack accepted it.
        standin.rate_limit_next(5, retry_after=0)
        standin.drop_after_accept_next(1, skip=1)
        env = {**base, "SLACK_BOT_TOKEN": good}
        results.append(run_cli(env, "-v", "run"))
        for _ in range(3):  # then passes until the outbox is drained
            if summary_of(results[-1])["errors"] == 0:
                break
            expire_leases(db_url)
            results.append(run_cli(env, "-v", "run"))
        posted = posted_event_keys(standin.messages(CHANNEL))
    assert any(c.answer == "dropped" for c in standin.calls_to("chat.postMessage"))
    assert sorted(posted.values()) == [1] * len(stories), posted  # the faults were survived

    for number, result in enumerate(results, start=1):
        assert result.returncode == 0, result.stderr[-3000:]
        assert "DEBUG" in result.stderr, "verbose logging was on"
        _assert_absent(result.stdout, needles, f"pass {number} stdout")
        _assert_absent(result.stderr, needles, f"pass {number} stderr")
    for table, rows in dump_tables(db_url).items():
        for row in rows:
            _assert_absent(repr(row), needles, f"table {table}")
    assert _files_holding(tmp_path / "data", needles) == []


def _demo(demo_dir: Path, token: str, api_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MARKET_NEWS_", "SLACK_", "AIRFLOW"))
    }
    env.update(
        {
            "MARKET_NEWS_DEMO_DIR": str(demo_dir),
            "SLACK_BOT_TOKEN": token,
            "MARKET_NEWS_SLACK_API_URL": api_url,
            "MARKET_NEWS_SLACK_PACE_S": "0.01",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "market_news.demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.airflow
@pytest.mark.timeout(600)
def test_canary_token_is_in_no_airflow_task_log(tmp_path: Path) -> None:
    token = _canary()
    needles = _secret_parts(token)
    with SlackStandin(token=token) as standin:
        standin.rate_limit_next(2, retry_after=0)
        demo = _demo(tmp_path, token, standin.base_url)
        posted = len(standin.messages(CHANNEL))
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert posted >= 4, "the demo's alerts were posted with the canary token"
    # `airflow dags test` runs the tasks in its own process: their log lines go to its
    # output, which the demo keeps in airflow.log (task log files, if any, are grepped too).
    airflow_log = (tmp_path / "airflow.log").read_text()
    assert SUMMARY_LOG_PREFIX in airflow_log, "the task logs were captured"
    _assert_absent(demo.stdout + demo.stderr, needles, "demo output")
    assert _files_holding(tmp_path, needles) == []
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    print(f"canary absent from {len(files)} files: {', '.join(files)}")
