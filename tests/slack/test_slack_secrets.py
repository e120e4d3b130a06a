"""The bot token never appears in exception text, tracebacks or log records."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
from market_news.slack import SlackDeliveryError, SlackSender, make_web_client, render
from slack_samples import EARNINGS
from support.slack_standin import SlackStandin

CANARY = "xoxb-CANARY-7f3a9c1e-do-not-leak"


def _exception_texts(error: BaseException) -> str:
    parts = [str(error), repr(error), *traceback.format_exception(error)]
    return "\n".join(parts)


def test_token_absent_from_errors_and_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    message = render("earnings", EARNINGS)
    seen: list[str] = []

    # a valid canary token: success path, a drop, reconciliation
    with SlackStandin(CANARY) as standin:
        sender = SlackSender(make_web_client(CANARY, standin.base_url, server_error_backoff=0.01))
        sender.post(message, "#market-news")
        standin.drop_after_accept_next(1)
        with pytest.raises(SlackDeliveryError) as dropped:
            sender.post(message, "#market-news")
        seen.append(_exception_texts(dropped.value))
        sender.find_posted("#market-news", EARNINGS["event_key"])
        standin.server_error_next(5)
        with pytest.raises(SlackDeliveryError) as failed:
            sender.post(message, "#market-news")
        seen.append(_exception_texts(failed.value))
        assert all(call.authorized for call in standin.calls)

    # a canary the server refuses: invalid_auth
    with SlackStandin("xoxb-the-right-one") as standin:
        sender = SlackSender(make_web_client(CANARY, standin.base_url))
        with pytest.raises(SlackDeliveryError) as refused:
            sender.post(message, "#market-news")
        seen.append(_exception_texts(refused.value))

    # the test can fail: slack-sdk did log request details at DEBUG
    assert "Sending a request" in caplog.text
    assert "Authorization" in caplog.text
    assert CANARY not in caplog.text
    for record in caplog.records:
        assert CANARY not in record.getMessage()
    for text in seen:
        assert CANARY not in text


def test_sdk_log_records_are_scrubbed_even_if_they_carry_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The second lock: whatever slack-sdk logs through our client passes a redactor."""
    caplog.set_level(logging.DEBUG)
    client = make_web_client(CANARY, "http://127.0.0.1:9/api/")
    client.logger.debug("echo %s", CANARY)
    client.logger.error(f"inline {CANARY} text")
    assert "echo [redacted]" in caplog.text
    assert "inline [redacted] text" in caplog.text
    assert CANARY not in caplog.text


def test_settings_style_token_is_not_in_the_sender_repr(slack_standin: Any) -> None:
    client = make_web_client(CANARY, slack_standin.base_url)
    assert CANARY not in repr(SlackSender(client))
