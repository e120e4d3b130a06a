"""A whole pass over the bundled sample feeds on loopback into the Slack stand-in, twice.

The second pass must post nothing: entries, articles, syndicated copies, translations
and events are all deduplicated by the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from market_news.demo.sample_server import SampleServer, serve_samples, write_feeds_file
from market_news.pipeline import run_pass
from market_news.settings import Settings

from tests.support.slack_standin import SlackStandin

CHANNEL = "#market-news"


@pytest.fixture
def sample_server() -> Iterator[SampleServer]:
    with serve_samples(port=0) as server:
        yield server


def _settings(tmp_path: Path, server: SampleServer, db_url: str, standin: SlackStandin) -> Settings:
    feeds_file = tmp_path / "feeds.yaml"
    write_feeds_file(server, feeds_file)
    return Settings(
        feeds_file=feeds_file,
        db_url=db_url,
        slack_token=standin.token,
        slack_channel=CHANNEL,
        slack_api_url=standin.base_url,
        allow_private_hosts=True,
        data_dir=tmp_path,
        read_timeout_s=5,
        slack_pace_s=0,
    )


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    metadata = message.get("metadata") or {}
    assert metadata.get("event_type") == "market_news_alert"
    payload: dict[str, Any] = metadata["event_payload"]
    return payload


def _check_two_passes(settings: Settings, standin: SlackStandin) -> None:
    first = run_pass(settings)
    assert first.errors == 0
    assert first.feeds == 3
    assert first.new_articles >= 8
    top_level = standin.messages(CHANNEL, include_replies=False)
    assert first.alerts_sent == len(standin.messages(CHANNEL))

    keys = Counter(_payload(m)["event_key"] for m in top_level)
    assert all(count == 1 for count in keys.values()), keys
    earnings = [m for m in top_level if _payload(m).get("kind") == "earnings"]
    earnings_keys = sorted(_payload(m)["event_key"] for m in earnings)
    # Meta Q2 2024, Meta Q3 2024 (English, Japanese and a syndicated copy), Northwind Q3.
    assert len(earnings) == 3, earnings_keys
    assert any("META" in k and "Q2" in k and "2024" in k for k in earnings_keys)
    assert any("META" in k and "Q3" in k and "2024" in k for k in earnings_keys)
    for message in top_level:
        assert message["blocks"], "every alert carries Block Kit blocks"
        assert message["text"], "every alert carries a plain-text fallback"
        assert _payload(message)["article_url"].startswith("http://127.0.0.1:")
    posted_before = len(standin.messages(CHANNEL))

    second = run_pass(settings)
    assert second.alerts_sent == 0
    assert second.new_articles == 0
    assert second.errors == 0
    assert len(standin.messages(CHANNEL)) == posted_before


def test_two_passes_on_sqlite(
    tmp_path: Path, sample_server: SampleServer, slack_standin: SlackStandin
) -> None:
    settings = _settings(
        tmp_path, sample_server, f"sqlite:///{tmp_path / 'store.db'}", slack_standin
    )
    _check_two_passes(settings, slack_standin)


@pytest.mark.postgres
def test_two_passes_on_postgresql(
    tmp_path: Path,
    sample_server: SampleServer,
    slack_standin: SlackStandin,
    postgres_schema_url: str,
) -> None:
    settings = _settings(tmp_path, sample_server, postgres_schema_url, slack_standin)
    _check_two_passes(settings, slack_standin)


def test_dry_run_renders_once(
    tmp_path: Path, sample_server: SampleServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds_file = tmp_path / "feeds.yaml"
    write_feeds_file(sample_server, feeds_file)
    settings = Settings(
        feeds_file=feeds_file,
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
        allow_private_hosts=True,
        data_dir=tmp_path,
    )
    assert settings.dry_run
    first = run_pass(settings)
    rendered = capsys.readouterr().err
    assert first.alerts_sent >= 4
    assert "META" in rendered
    second = run_pass(settings)
    assert second.alerts_sent == 0
    assert "META" not in capsys.readouterr().err


def test_unreachable_feed_is_counted_and_the_pass_goes_on(
    tmp_path: Path, sample_server: SampleServer, slack_standin: SlackStandin
) -> None:
    settings = _settings(
        tmp_path, sample_server, f"sqlite:///{tmp_path / 'store.db'}", slack_standin
    )
    broken = settings.feeds_file.read_text() + (
        "  - name: gone\n    url: http://127.0.0.1:9/feed.xml\n"
        "  - name: not-a-feed\n    url: " + sample_server.base_url + "/articles/meta-q2-2024.html\n"
    )
    settings.feeds_file.write_text(broken)
    summary = run_pass(settings)
    assert summary.feeds == 5
    assert summary.errors == 2
    assert summary.alerts_sent >= 4
