"""The routing rules file: matching, first match wins, one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from delivery_support import queue_ai, queue_earnings, settings_for
from market_news.pipeline import deliver_pending
from market_news.routing import Router, RoutesFileError, load_router, load_rules
from market_news.settings import PROJECT_ROOT
from market_news.store import Store
from slack_samples import AI_CLAIMS, EARNINGS

EXAMPLE = PROJECT_ROOT / "include" / "routes.example.yaml"


def _earnings(ticker: str = "META", surprise: float = 14.86, language: str = "en") -> Any:
    metrics = [{**EARNINGS["metrics"][0], "surprise_pct": surprise}, EARNINGS["metrics"][1]]
    return {**EARNINGS, "ticker": ticker, "metrics": metrics, "language": language}


def test_the_example_file_routes_as_documented() -> None:
    router = load_router(EXAMPLE, "#market-news")
    assert router.channel_for("earnings", _earnings("META", 14.86)) == "#earnings-megacaps"
    assert router.channel_for("earnings", _earnings("META", -6.0)) == "#earnings-megacaps"
    assert router.channel_for("earnings", _earnings("META", 2.0)) == "#earnings"
    assert router.channel_for("earnings", _earnings("ACME", 2.0, "ja")) == "#japan-desk"
    assert router.channel_for("ai_claims", AI_CLAIMS) == "#ai-infra"
    assert router.route("earnings", _earnings("ACME", 2.0)) == ("#earnings", "all-earnings")


def test_first_match_wins_and_unmatched_go_to_the_default(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(
        "routes:\n"
        "  - {channel: '#nvda', match: {tickers: [nvda]}}\n"
        "  - {channel: '#ai', match: {kind: [ai_claims]}}\n"
    )
    router = load_router(path, "#default")
    assert router.channel_for("ai_claims", AI_CLAIMS) == "#nvda"  # META, NVDA: rule 1
    assert router.channel_for("ai_claims", {**AI_CLAIMS, "tickers": ["AMD"]}) == "#ai"
    assert router.channel_for("earnings", EARNINGS) == "#default"
    assert router.channels == ["#default", "#nvda", "#ai"]
    assert load_router(None, "#default") == Router("#default")


def test_surprise_rules_never_match_alerts_without_figures(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text("routes:\n  - {channel: '#big', match: {min_abs_surprise_pct: 0}}\n")
    router = load_router(path, "#default")
    assert router.channel_for("earnings", EARNINGS) == "#big"
    assert router.channel_for("ai_claims", AI_CLAIMS) == "#default"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("routes: [", "invalid YAML at line"),
        ("rules: []", "unknown top-level key 'rules'"),
        ("routes: {a: 1}", "'routes' must be a list"),
        ("routes: [{match: {}}]", "route #1: 'channel' must be"),
        ("routes: [{channel: '#x', match: {kind: earning}}]", "unknown kind 'earning'"),
        ("routes: [{channel: '#x', match: {ticker: [A]}}]", "unknown match key 'ticker'"),
        ("routes: [{channel: '#x', colour: red}]", "unknown key 'colour'"),
        ("routes: [{channel: '#x', match: {tickers: []}}]", "'tickers' must be a word"),
        ("routes: [{channel: '#x', match: {min_abs_surprise_pct: -1}}]", "must be a number"),
        ("routes: [{channel: '#x', match: {min_abs_surprise_pct: yes}}]", "must be a number"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_and_place(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    with pytest.raises(RoutesFileError) as caught:
        load_rules(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RoutesFileError, match="routes file not found"):
        load_rules(tmp_path / "nope.yaml")


def test_delivery_with_a_bad_file_sends_nothing_and_says_why(
    slack_standin: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        queue_earnings(store, "META")
        routes = tmp_path / "routes.yaml"
        routes.write_text("routes: [{channel: '#x', match: {kind: nope}}]")
        settings = settings_for(slack_standin, "sqlite://", tmp_path, routes_file=routes)
        summary = deliver_pending(settings=settings, store=store)
        assert summary.errors == 1
        assert slack_standin.calls == []
        assert store.alert_counts()["pending"] == 1
        (line,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert "unknown kind 'nope'" in line
    finally:
        store.close()


def test_alerts_are_delivered_to_their_routed_channels(slack_standin: Any, tmp_path: Path) -> None:
    for name in ("earnings-megacaps", "ai-infra", "earnings"):
        slack_standin.add_channel(name)
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        queue_earnings(store, "META", 6.03, 5.25)  # +14.86 %
        queue_earnings(store, "ACME", 1.01, 1.0)  # +1 %
        queue_ai(store, "https://news.example.com/ai", ["NVDA"])
        settings = settings_for(slack_standin, "sqlite://", tmp_path, routes_file=EXAMPLE)
        assert deliver_pending(settings=settings, store=store).alerts_sent == 3
    finally:
        store.close()
    assert len(slack_standin.messages("#earnings-megacaps")) == 1
    assert len(slack_standin.messages("#earnings")) == 1
    assert len(slack_standin.messages("#ai-infra")) == 1
    assert slack_standin.messages("#market-news") == []
