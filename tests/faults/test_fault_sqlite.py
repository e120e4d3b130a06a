"""Fault: the SQLite store's disk is full, or its file is read-only.

`market-news run` must say so in one line naming the store, exit non-zero, and leave the
file intact (`PRAGMA integrity_check`); once the disk has room again, a pass completes.
Disk full is simulated with RLIMIT_FSIZE on the subprocess (writes past the limit fail,
as on a full disk); read-only with file permissions, or `chattr +i` when running as root
(root ignores permissions).
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fault_support import (
    CLI,
    HTML_TYPE,
    RSS_TYPE,
    Story,
    cli_env,
    rss,
    run_cli,
    summary_of,
    write_feeds,
)

from tests.support.http_server import LocalHTTPServer

pytestmark = [pytest.mark.fault, pytest.mark.slow]


def _serve(server: LocalHTTPServer, stories: list[Story]) -> None:
    server.route("/wire.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE})
    for story in stories:
        server.route(
            f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
        )


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def _assert_one_clear_line(stderr: str, db: Path, problem: str) -> None:
    failures = [line for line in stderr.splitlines() if line.startswith("market-news run:")]
    assert len(failures) == 1, stderr[-3000:]
    assert str(db) in failures[0] and problem in failures[0]
    assert "Traceback" not in stderr


def test_disk_full_is_one_clear_line_and_the_store_survives(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    stories = [Story(f"QDF{c}", extra="Filler. " * 4000) for c in "ABCDEFGH"]
    _serve(server, stories[:1])
    env = cli_env(tmp_path, write_feeds(tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml")}))
    db = tmp_path / "data" / "market_news.db"
    first = run_cli(env)
    assert first.returncode == 0, first.stderr[-2000:]
    _serve(server, stories)
    used = sum(p.stat().st_size for p in db.parent.glob("market_news.db*"))

    def no_room() -> None:  # the disk fills up a little above what is there now
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (used + 64 * 1024, used + 64 * 1024))

    full = subprocess.run(
        [str(CLI), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=no_room,
    )
    assert full.returncode == 1, full.stderr[-3000:]
    _assert_one_clear_line(full.stderr, db, "store")
    print(next(line for line in full.stderr.splitlines() if line.startswith("market-news run:")))
    assert _integrity(db) == "ok"

    again = run_cli(env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _integrity(db) == "ok"
    with sqlite3.connect(db) as connection:
        alerts = connection.execute("SELECT count(*) FROM alerts").fetchone()[0]
    assert alerts == len(stories)
    assert summary_of(again)["errors"] == 0


@contextmanager
def _read_only(db: Path) -> Iterator[None]:
    files = [db, *db.parent.glob(db.name + "-*")]
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, files)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, files)], check=True)
        return
    modes = {path: path.stat().st_mode for path in [*files, db.parent]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def test_read_only_store_is_one_clear_line_and_no_corruption(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    stories = [Story("QROA"), Story("QROB")]
    _serve(server, stories[:1])
    env = cli_env(tmp_path, write_feeds(tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml")}))
    db = tmp_path / "data" / "market_news.db"
    assert run_cli(env).returncode == 0
    _serve(server, stories)

    with _read_only(db):
        refused = run_cli(env)
    assert refused.returncode == 1, refused.stderr[-3000:]
    _assert_one_clear_line(refused.stderr, db, "readonly")
    assert _integrity(db) == "ok"

    again = run_cli(env)
    assert again.returncode == 0, again.stderr[-2000:]
    summary = summary_of(again)
    assert (summary["alerts_sent"], summary["errors"]) == (1, 0), again.stderr[-3000:]
