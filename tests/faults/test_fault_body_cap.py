"""Fault: a 200 MB article page and a gzip bomb feed, through `market-news run`.

The command runs as a subprocess whose peak RSS is measured on its own (see
`run_cli_measured`): memory must stay bounded by the body cap, not by what the server offers.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import (
    HTML_TYPE,
    RSS_TYPE,
    Story,
    cli_env,
    dump_tables,
    rss,
    run_cli_measured,
    write_feeds,
)

from tests.support.http_server import LocalHTTPServer, Reply

pytestmark = [pytest.mark.fault, pytest.mark.slow]

MB = 1024 * 1024
OFFERED = 200 * MB
#: Generous: the command's own baseline (Python, SQLAlchemy, lxml, slack-sdk) is ~100 MB;
#: holding the 200 MB page or the bomb's 256 MB would blow far past it.
RSS_LIMIT_MB = 250


class _Counter:
    def __init__(self) -> None:
        self.sent = 0
        self._lock = threading.Lock()

    def add(self, size: int) -> None:
        with self._lock:
            self.sent += size


def _huge_page(counter: _Counter) -> Iterator[bytes]:
    chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
    yield b"<!doctype html><html><body><article>"
    while counter.sent < OFFERED:
        counter.add(len(chunk))
        yield chunk


def _gzip_bomb(decompressed: int) -> bytes:
    """`decompressed` bytes of an RSS-looking document, gzip-compressed (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')]
    block = b" " * MB
    parts.extend(packer.compress(block) for _ in range(decompressed // MB))
    parts.append(packer.flush())
    return b"".join(parts)


def test_huge_page_and_gzip_bomb_are_cut_at_the_cap_with_memory_bounded(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    counter = _Counter()
    good, huge = Story("QBIG"), Story("QHUG")
    base = server.url("")
    bomb = _gzip_bomb(256 * MB)
    assert len(bomb) < MB // 2
    server.route("/wire.xml", body=rss(base, [good, huge]), headers={"Content-Type": RSS_TYPE})
    server.route(
        f"/articles/{good.slug}.html", body=good.page(), headers={"Content-Type": HTML_TYPE}
    )
    server.route(
        f"/articles/{huge.slug}.html",
        Reply(headers={"Content-Type": HTML_TYPE}, body=_huge_page(counter), content_length=False),
    )
    server.route(
        "/bomb.xml",
        body=bomb,
        headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"},
    )
    feeds = write_feeds(
        tmp_path / "feeds.yaml", {"wire": server.url("/wire.xml"), "bomb": server.url("/bomb.xml")}
    )
    env = cli_env(tmp_path, feeds)  # the default 15 MiB cap

    result = run_cli_measured(env, tmp_path)
    err = result.stderr

    assert result.returncode == 0, err[-3000:]
    summary = [line for line in result.stdout.splitlines() if line.startswith("{")][-1]
    assert '"errors": 2' in summary and '"new_articles": 1' in summary, summary
    assert "larger than the 15728640-byte cap" in err
    assert counter.sent < OFFERED / 2, "the page was cut, not read to the end"
    assert result.peak_rss_mb < RSS_LIMIT_MB, f"peak RSS {result.peak_rss_mb:.0f} MB"
    print(f"peak RSS {result.peak_rss_mb:.0f} MB; page bytes sent {counter.sent}")
    rows = dump_tables(f"sqlite:///{tmp_path / 'data' / 'market_news.db'}")
    feeds_by_name = {row["name"]: row for row in rows["feeds"]}
    assert "cap" in feeds_by_name["bomb"]["last_error"]
    failed = [row for row in rows["entries"] if row["status"] == "failed"]
    assert len(failed) == 1 and "cap" in failed[0]["last_error"]
