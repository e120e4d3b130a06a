"""Small builders the fault tests share: feeds, pages, settings, the command, table dumps.

Every article built here carries one earnings sentence the extractor recognises, so each
valid article yields exactly one earnings event and one alert: counting alerts is then
counting articles, which is what the "nothing lost, nothing doubled" checks need.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from market_news.settings import Settings
from sqlalchemy import MetaData, create_engine, select

CLI = Path(sys.executable).with_name("market-news")
RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
CHANNEL = "#market-news"


@dataclass(frozen=True)
class Story:
    """One article: ticker, EPS actual vs estimate, and extra body text (hostile or not)."""

    ticker: str
    actual: float = 1.10
    estimate: float = 1.00
    extra: str = ""
    title: str | None = None

    @property
    def slug(self) -> str:
        return self.ticker.lower()

    @property
    def headline(self) -> str:
        return self.title or f"{self.ticker} results"

    def sentence(self) -> str:
        return (
            f"{self.ticker} Corp (NYSE:{self.ticker}) reported third-quarter 2024 adjusted "
            f"earnings of ${self.actual:.2f} per share, beating the analyst consensus "
            f"estimate of ${self.estimate:.2f}."
        )

    def page(self) -> bytes:
        """An article page whose body is the earnings sentence plus `extra` (escaped)."""
        return (
            "<!doctype html><html><head>"
            f"<title>{html.escape(self.headline)}</title></head><body><article>"
            f"<h1>{html.escape(self.headline)}</h1>"
            f"<p>{html.escape(self.sentence())}</p>"
            f"<p>{html.escape(self.extra)}</p>"
            "</article></body></html>"
        ).encode()


def rss(base_url: str, stories: Sequence[Story], *, name: str = "wire") -> bytes:
    """An RSS feed whose items carry a teaser only, so each article page is fetched."""
    items = "".join(
        "<item>"
        f"<title>{html.escape(story.headline)}</title>"
        f"<link>{base_url}/articles/{story.slug}.html</link>"
        f'<guid isPermaLink="false">{name}:{story.slug}</guid>'
        "<pubDate>Thu, 31 Oct 2024 20:05:00 GMT</pubDate>"
        "<description>Quarterly results are out.</description>"
        "</item>"
        for story in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>{base_url}/</link><description>fault suite</description>"
        f"{items}</channel></rss>"
    ).encode()


def write_feeds(path: Path, feeds: Mapping[str, str]) -> Path:
    """A feeds file naming `feeds` (name -> URL), each fetching its linked articles."""
    document = {
        "feeds": [
            {"name": name, "url": url, "language": "en", "fetch_article": True}
            for name, url in feeds.items()
        ]
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def settings_for(
    tmp_path: Path,
    feeds: Mapping[str, str],
    *,
    db_url: str | None = None,
    token: str | None = None,
    api_url: str = "http://127.0.0.1:9/api/",
    **overrides: Any,
) -> Settings:
    """Settings for an in-process pass: loopback allowed, short timeouts."""
    values: dict[str, Any] = {
        "feeds_file": write_feeds(tmp_path / "feeds.yaml", feeds),
        "db_url": db_url or f"sqlite:///{tmp_path / 'store.db'}",
        "slack_token": token,
        "slack_channel": CHANNEL,
        "slack_api_url": api_url,
        "allow_private_hosts": True,
        "data_dir": tmp_path,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


def cli_env(tmp_path: Path, feeds_file: Path, **extra: str) -> dict[str, str]:
    """The environment for `market-news run` as a user would set it, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARKET_NEWS_", "SLACK_"))}
    env.update(
        {
            "MARKET_NEWS_DATA_DIR": str(tmp_path / "data"),
            "MARKET_NEWS_FEEDS": str(feeds_file),
            "MARKET_NEWS_ALLOW_PRIVATE_HOSTS": "1",
            "MARKET_NEWS_SLACK_CHANNEL": CHANNEL,
            "MARKET_NEWS_READ_TIMEOUT": "5",
        }
    )
    env.update(extra)
    return env


def run_cli(
    env: Mapping[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`market-news run` (or other args) as a subprocess."""
    return subprocess.run(
        [str(CLI), *(args or ("run",))],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=timeout,
        check=False,
    )


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    """The JSON summary line `market-news run` prints last."""
    lines = result.stdout.strip().splitlines()
    assert lines, f"no summary line; stderr:\n{result.stderr[-3000:]}"
    summary: dict[str, int] = json.loads(lines[-1])
    return summary


def dump_tables(db_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the store (for secret and consistency checks)."""
    engine = create_engine(db_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: [dict(row._mapping) for row in connection.execute(select(table))]
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def posted_event_keys(messages: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """How many times each event key was posted (top-level messages and replies)."""
    keys: Counter[str] = Counter()
    for message in messages:
        metadata = message.get("metadata") or {}
        keys[str((metadata.get("event_payload") or {}).get("event_key"))] += 1
    return keys


def ticker_names(count: int, prefix: str = "Q") -> list[str]:
    """Distinct upper-case tickers like QAAA, QAAB..., none a real common word."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    names = []
    for number in range(count):
        a, rest = divmod(number, len(letters) ** 2)
        b, c = divmod(rest, len(letters))
        names.append(f"{prefix}{letters[a % len(letters)]}{letters[b]}{letters[c]}")
    return names


@dataclass(frozen=True)
class Measured:
    """A finished `market-news` subprocess and its own peak resident memory."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


#: Runs argv[1:] as its child and prints that child's peak RSS (KB) on its last stderr line.
#: Linux keeps a process's ru_maxrss across exec, so a child forked straight from pytest
#: (hundreds of MB by late in the suite) would report pytest's size; this launcher is
#: small when it forks, so its child's figure is the command's own.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\\nmarket-news-peak-rss-kb {peak}\\n")
sys.exit(code)
"""
_PEAK_LINE = re.compile(r"^market-news-peak-rss-kb (\d+)$", re.MULTILINE)


def run_cli_measured(env: Mapping[str, str], folder: Path, *args: str) -> Measured:
    """Run `market-news` through a small launcher that reports the command's own peak RSS."""
    out_path, err_path = folder / "cli.out", folder / "cli.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        completed = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(CLI), *(args or ("run",))],
            env=dict(env),
            stdout=out,
            stderr=err,
            check=False,
        )
    stderr = err_path.read_text()
    peaks = _PEAK_LINE.findall(stderr)
    assert peaks, f"the launcher reported no peak RSS: {stderr[-500:]}"
    return Measured(
        returncode=completed.returncode,
        stdout=out_path.read_text(),
        stderr=_PEAK_LINE.sub("", stderr),
        peak_rss_mb=int(peaks[-1]) / 1024,  # kilobytes on Linux
    )


def expire_leases(db_url: str) -> int:
    """Let every outbox lease run out, as if the lease time had passed (rows changed)."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            result = connection.exec_driver_sql(
                "UPDATE alerts SET lease_until = '2000-01-01 00:00:00' WHERE status = 'sending'"
            )
            return int(result.rowcount)
    finally:
        engine.dispose()


def expire_entry_leases(db_url: str) -> int:
    """Let the entries claimed by a dead pass come free, as their 300 s lease would (rows)."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            result = connection.exec_driver_sql(
                "UPDATE entries SET lease_until = '2000-01-01 00:00:00' "
                "WHERE lease_until IS NOT NULL"
            )
            return int(result.rowcount)
    finally:
        engine.dispose()
