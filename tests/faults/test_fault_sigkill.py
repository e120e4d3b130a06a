"""Fault: `market-news run` killed with SIGKILL while Slack holds its answer to a post.

tests/slack/test_delivery_kill.py kills a bare `deliver_pending` child; this kills the
whole command, mid-delivery, after a real poll and process. Slack (the stand-in) accepts
the second post and stalls its answer; the process is killed while it waits. Once the
outbox leases have run out (the test lets them, instead of waiting 120 s), the rerun
must adopt the accepted post from the channel and post the rest: each event once.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_support import (
    CHANNEL,
    CLI,
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

from tests.support.http_server import LocalHTTPServer
from tests.support.slack_standin import SlackStandin

pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.timeout(180)]

STORIES = 5


def _wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_sigkill_mid_delivery_then_rerun_alerts_each_event_once(
    tmp_path: Path, server: LocalHTTPServer, slack_standin: SlackStandin
) -> None:
    stories = [Story(ticker) for ticker in ticker_names(STORIES, prefix="X")]
    server.route("/wire.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE})
    for story in stories:
        server.route(
            f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
        )
    feeds = write_feeds(tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml")})
    env = cli_env(
        tmp_path,
        feeds,
        SLACK_BOT_TOKEN=slack_standin.token,
        MARKET_NEWS_SLACK_API_URL=slack_standin.base_url,
        MARKET_NEWS_SLACK_PACE_S="0.01",
    )
    slack_standin.stall_after_accept_next(1, seconds=60, skip=1)

    with (tmp_path / "killed.err").open("w") as err:
        process = subprocess.Popen([str(CLI), "run"], env=env, stdout=err, stderr=err)
        try:
            _wait_until(lambda: len(slack_standin.messages(CHANNEL)) == 2)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    db_url = f"sqlite:///{tmp_path / 'data' / 'market_news.db'}"
    assert expire_leases(db_url) >= 1, "the stalled alert was left leased"
    again = run_cli(env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert summary_of(again)["errors"] == 0

    posted = posted_event_keys(slack_standin.messages(CHANNEL))
    assert len(posted) == STORIES and set(posted.values()) == {1}, posted
    assert len(slack_standin.calls_to("chat.postMessage")) == STORIES, "adopted, not reposted"
    alerts = dump_tables(db_url)["alerts"]
    assert {row["status"] for row in alerts} == {"sent"}
    assert len({row["ts"] for row in alerts}) == STORIES
