"""Dry run: alerts rendered readably to a stream, and never a network call."""

from __future__ import annotations

import inspect
import io
import socket
from typing import Any

import pytest
from market_news.slack import DryRunSender, Sender, SlackSender, render, render_console
from slack_samples import AI_CLAIMS, CORRECTION, EARNINGS


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network used in dry run: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_dry_run_renders_readably_and_returns_fake_ts(no_network: None) -> None:
    stream = io.StringIO()
    sender = DryRunSender(stream)
    first = sender.post(render("earnings", EARNINGS), "#market-news")
    second = sender.post(render("ai_claims", AI_CLAIMS), "#market-news")

    assert (first.channel, first.ts) == ("#market-news", "dry-run-1")
    assert second.ts == "dry-run-2"
    out = stream.getvalue()
    assert "Slack alert → #market-news" in out
    assert "Meta Platforms (META) — Q3 FY2024 earnings" in out
    assert "🟢 EPS (Adj.) beat: $6.03 vs est. $5.25 (+14.86%)" in out
    assert "Meta tops estimates (https://news.example.com/meta-q3?utm=x&id=7)" in out
    assert "more than 100,000 H100 — Llama 4" in out
    assert "kind=earnings event_key=earnings:META:Q3:2024" in out
    # terminal text, not Slack markup
    assert "&amp;" not in out
    assert "*" not in out
    assert '"type"' not in out


def test_dry_run_thread_reply_and_update(no_network: None) -> None:
    stream = io.StringIO()
    sender = DryRunSender(stream)
    parent = sender.post(render("earnings", EARNINGS), "#market-news")
    sender.post(render("correction", CORRECTION), "#market-news", thread_ts=parent.ts)
    assert sender.update("#market-news", parent.ts, render("earnings", EARNINGS)) == parent
    out = stream.getvalue()
    assert "reply in thread dry-run-1" in out
    assert "EPS actual: $6.03 → $6.10" in out
    assert "(update of dry-run-1)" in out


def test_dry_run_writes_to_stderr_by_default(
    no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    DryRunSender().post(render("earnings", EARNINGS), "#market-news")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Meta Platforms (META)" in captured.err


def test_dry_run_find_posted_knows_only_what_it_rendered(no_network: None) -> None:
    sender = DryRunSender(io.StringIO())
    assert sender.find_posted("#market-news", EARNINGS["event_key"]) is None
    posted = sender.post(render("earnings", EARNINGS), "#market-news")
    assert sender.find_posted("#market-news", EARNINGS["event_key"]) == posted
    assert sender.find_posted("#market-news", EARNINGS["event_key"], kind="ai_claims") is None
    assert sender.find_posted("#other", EARNINGS["event_key"]) is None


def test_console_drops_terminal_escapes() -> None:
    payload = dict(EARNINGS, company="Evil\x1b[2J\x1b]0;pwned\x07 Corp")
    out = render_console(render("earnings", payload), "#market-news")
    assert "\x1b" not in out
    assert "\x07" not in out


@pytest.mark.parametrize("method", ["post", "update", "find_posted"])
def test_both_senders_take_the_protocol_arguments(method: str) -> None:
    wanted = inspect.signature(getattr(Sender, method)).parameters
    for sender_class in (SlackSender, DryRunSender):
        have = inspect.signature(getattr(sender_class, method)).parameters
        for name, parameter in wanted.items():
            assert name in have, (sender_class, method, name)
            assert have[name].kind == parameter.kind
