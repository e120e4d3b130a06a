"""Fault: the PostgreSQL server dies mid-pass (`pg_ctl stop -m immediate`).

`market-news run` runs against a throwaway cluster (never the shared one on 5432). The
first article request stops the server, so the pass loses its store between fetching an
article and storing it. Expected: exit 1 with one line naming the store (no password, no
traceback); nothing half-written; once the server is back, the next pass alerts every
story exactly once (the entries the dead pass had claimed come free when their lease
runs out; the test lets it run out instead of waiting 300 s).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fault_support import (
    HTML_TYPE,
    RSS_TYPE,
    Story,
    cli_env,
    dump_tables,
    expire_entry_leases,
    rss,
    run_cli,
    summary_of,
    ticker_names,
    write_feeds,
)
from pg_cluster import Cluster, throwaway_cluster

from tests.support.http_server import LocalHTTPServer, RecordedRequest, Reply

pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.timeout(300)]

PASSWORD = "pw-never-printed-7f3a"  # trust auth ignores it; it must still never be shown
ALERT_RULE = "── "  # first line of a dry-run alert


def _serve_stopping_once(server: LocalHTTPServer, cluster: Cluster, stories: list[Story]) -> None:
    """Article routes; the first article request of the test stops the server, then answers."""
    stopped = threading.Lock()

    def page_of(story: Story) -> Callable[[RecordedRequest], Reply]:
        def handler(_: RecordedRequest) -> Reply:
            if stopped.acquire(blocking=False):
                cluster.stop("immediate")
            return Reply(body=story.page(), headers={"Content-Type": HTML_TYPE})

        return handler

    for story in stories:
        server.route(f"/articles/{story.slug}.html", page_of(story))


def _assert_consistent(tables: dict[str, list[dict[str, Any]]]) -> None:
    """No half-written work: every stored article's entry is done, every event has its alert."""
    entries = {row["id"]: row for row in tables["entries"]}
    for article in tables["articles"]:
        assert entries[article["entry_id"]]["status"] == "done", article["url"]
    alerted = {row["event_key"] for row in tables["alerts"]}
    for event in tables["events"]:
        assert event["event_key"] in alerted, event["event_key"]


def test_postgres_stopped_mid_pass_is_one_line_and_the_next_pass_completes(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    stories = [Story(ticker) for ticker in ticker_names(3, prefix="P")]
    with throwaway_cluster() as cluster:
        server.route(
            "/wire.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE}
        )
        _serve_stopping_once(server, cluster, stories)
        url = cluster.url.replace("postgres@", f"postgres:{PASSWORD}@")
        feeds = write_feeds(tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml")})
        env = cli_env(tmp_path, feeds, MARKET_NEWS_DB_URL=url)

        down = run_cli(env)
        assert down.returncode == 1, down.stderr[-3000:]
        failures = [
            line for line in down.stderr.splitlines() if line.startswith("market-news run:")
        ]
        assert len(failures) == 1, down.stderr[-3000:]
        assert f"127.0.0.1:{cluster.port}/market_news_fault" in failures[0]
        assert "Traceback" not in down.stderr
        assert PASSWORD not in down.stderr + down.stdout
        print(failures[0])

        cluster.start()
        _assert_consistent(dump_tables(cluster.url))
        # The entries the dead pass had claimed wait out their lease; let it run out.
        assert expire_entry_leases(cluster.url) >= 1
        again = run_cli(env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert summary_of(again)["errors"] == 0
        tables = dump_tables(cluster.url)
    _assert_consistent(tables)
    assert {row["status"] for row in tables["entries"]} == {"done"}
    keys = [row["event_key"] for row in tables["alerts"]]
    assert len(keys) == len(set(keys)) == len(stories)
    assert {row["status"] for row in tables["alerts"]} == {"dry_run"}
    rendered = [
        line for line in (down.stderr + again.stderr).splitlines() if line.startswith(ALERT_RULE)
    ]
    assert len(rendered) == len(stories), "each story rendered once over both passes"
