"""Fault: a feed server that accepts the connection and then says nothing for 30 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_support import HTML_TYPE, RSS_TYPE, Story, dump_tables, rss, settings_for
from market_news.pipeline import run_pass

from tests.support.http_server import LocalHTTPServer, Reply

pytestmark = pytest.mark.fault


def test_stalled_feed_times_out_at_the_read_limit_and_other_feeds_proceed(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    stories = [Story("QSTA"), Story("QSTB")]
    server.route("/stalled.xml", Reply(stall_s=30, body=b"never sent"))
    server.route("/good.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE})
    for story in stories:
        server.route(
            f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
        )
    settings = settings_for(
        tmp_path,
        {"stalled": server.url("/stalled.xml"), "good": server.url("/good.xml")},
        read_timeout_s=0.5,
    )

    summary = run_pass(settings)

    assert summary.feeds == 2
    assert summary.errors == 1
    assert summary.entries_seen == 2
    assert summary.alerts_sent == 2  # both stories alerted (dry run records them delivered)
    feeds = {row["name"]: row for row in dump_tables(settings.database_url)["feeds"]}
    assert "no data for 0.5s (read timeout)" in feeds["stalled"]["last_error"]
    assert feeds["stalled"]["consecutive_failures"] == 1
    assert feeds["good"]["last_error"] is None
