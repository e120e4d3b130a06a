"""The `market-news` console command, run as a user runs it (interface section 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from market_news.demo.sample_server import serve_samples, write_feeds_file

CLI = Path(sys.executable).with_name("market-news")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SUMMARY_KEYS = ["feeds", "entries_seen", "new_articles", "duplicates", "alerts_sent", "errors"]


def _run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARKET_NEWS_", "SLACK_"))}
    env["MARKET_NEWS_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_console_script_is_installed() -> None:
    assert CLI.exists(), f"{CLI} missing: the project is not installed into the environment"


def test_extract_prints_the_schema_for_a_text_file(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "Acme Corp (NYSE:ACME) reported third-quarter 2024 adjusted earnings of $1.10 per share, "
        "beating the analyst consensus estimate of $1.00.\n",
        encoding="utf-8",
    )
    result = _run("extract", str(article))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["title", "published", "language", "tickers", "earnings", "ai_claims"]
    assert document["tickers"] == ["ACME"]
    [item] = document["earnings"]
    assert (item["ticker"], item["metric"], item["actual"], item["estimate"]) == (
        "ACME",
        "eps",
        1.1,
        1.0,
    )
    assert item["verdict"] == "beat"
    assert item["surprise_pct"] == 10.0


def test_extract_reads_stdin() -> None:
    result = _run("extract", "-", stdin="Nothing to see here.\n")
    assert result.returncode == 0
    assert json.loads(result.stdout)["earnings"] == []


def test_extract_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _run("extract", str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing.txt" in result.stderr


@pytest.mark.skipif(
    not SEEDS.is_dir() and os.environ.get("CI") != "true", reason="../shared/seeds absent"
)
@pytest.mark.parametrize("seed", ["000_e8aea17f0ccbca0d", "002_0ef9686103266ce9"])
def test_extract_seed_through_the_command(seed: str) -> None:
    expected = json.loads((SEEDS / f"{seed}.expected.json").read_text(encoding="utf-8"))
    result = _run("extract", str(SEEDS / f"{seed}.txt"))
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    keys = (
        "ticker",
        "period",
        "fiscal_year",
        "metric",
        "basis",
        "actual",
        "estimate",
        "currency",
        "surprise_pct",
        "verdict",
    )
    assert sorted(tuple(i[k] for k in keys) for i in got["earnings"]) == sorted(
        tuple(i[k] for k in keys) for i in expected["earnings"]
    )
    assert got["tickers"] == expected["tickers"]
    assert got["language"] == expected["language"]


def test_run_prints_the_summary_line_last(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env["MARKET_NEWS_ALLOW_PRIVATE_HOSTS"] = "1"
    with serve_samples(port=0) as server:
        feeds = tmp_path / "feeds.yaml"
        write_feeds_file(server, feeds)
        env["MARKET_NEWS_FEEDS"] = str(feeds)
        first = _run("run", env=env)
        second = _run("run", env=env)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert list(summary) == SUMMARY_KEYS
    assert summary["feeds"] == 3 and summary["errors"] == 0 and summary["alerts_sent"] > 0
    assert "META" in first.stderr  # dry run renders alerts on standard error
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert again["alerts_sent"] == 0
    assert (tmp_path / "data" / "market_news.db").exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "not found"), ("feeds: [", "YAML"), ("feeds:\n  - name: x\n", "url")],
)
def test_run_with_a_bad_feeds_file_exits_2(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    env = _clean_env(tmp_path)
    feeds = tmp_path / "feeds.yaml"
    if content is not None:
        feeds.write_text(content, encoding="utf-8")
    env["MARKET_NEWS_FEEDS"] = str(feeds)
    result = _run("run", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "feeds.yaml" in lines[0]
    assert problem.lower() in lines[0].lower()
