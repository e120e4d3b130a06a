"""SlackSender against the Web API stand-in: posting, retries, errors, reconciliation."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from market_news.slack import (
    SlackDeliveryError,
    SlackSender,
    make_web_client,
    render_correction,
    render_earnings,
)
from market_news.slack.message import SlackMessage
from slack_samples import CORRECTION, EARNINGS

pytestmark = pytest.mark.timeout(60)


def sender_for(standin: Any, token: str | None = None, **client_options: Any) -> SlackSender:
    options: dict[str, Any] = {"rate_limit_retries": 3, "server_error_backoff": 0.01}
    options.update(client_options)
    client = make_web_client(token or standin.token, standin.base_url, **options)
    return SlackSender(client)


def earnings_message(**changes: Any) -> SlackMessage:
    return render_earnings({**EARNINGS, **changes})


# -- the happy paths ---------------------------------------------------------------------


def test_post_stores_blocks_metadata_and_returns_the_channel_id(slack_standin: Any) -> None:
    message = earnings_message()
    result = sender_for(slack_standin).post(message, "#market-news")

    assert result.channel == slack_standin.channel_id("market-news")
    stored = slack_standin.messages("market-news")
    assert [m["ts"] for m in stored] == [result.ts]
    assert stored[0]["text"] == message.text
    assert stored[0]["blocks"] == message.blocks
    assert stored[0]["metadata"] == message.metadata
    (call,) = slack_standin.calls_to("chat.postMessage")
    assert call.params["unfurl_links"] is False
    assert call.params["unfurl_media"] is False


def test_posts_get_increasing_ts(slack_standin: Any) -> None:
    sender = sender_for(slack_standin)
    first = sender.post(earnings_message(event_key="a"), "#market-news")
    second = sender.post(earnings_message(event_key="b"), "#market-news")
    assert float(second.ts) > float(first.ts)


def test_update_replaces_the_message(slack_standin: Any) -> None:
    sender = sender_for(slack_standin)
    posted = sender.post(earnings_message(), "#market-news")
    updated = sender.update("#market-news", posted.ts, earnings_message(company="Meta Inc."))
    assert updated == posted
    (stored,) = slack_standin.messages("market-news")
    assert "Meta Inc. (META)" in stored["text"]


def test_correction_is_a_thread_reply(slack_standin: Any) -> None:
    sender = sender_for(slack_standin)
    parent = sender.post(earnings_message(), "#market-news")
    reply = sender.post(render_correction(CORRECTION), parent.channel, thread_ts=parent.ts)

    stored = slack_standin.messages("market-news")
    assert stored[1]["ts"] == reply.ts
    assert stored[1]["thread_ts"] == parent.ts
    assert [m["ts"] for m in slack_standin.messages("market-news", include_replies=False)] == [
        parent.ts
    ]
    # the reply shares the event key but is found only in its thread, and only by kind
    assert sender.find_posted("#market-news", CORRECTION["event_key"]) == parent
    assert sender.find_posted("#market-news", CORRECTION["event_key"], kind="correction") is None
    found = sender.find_posted(
        "#market-news", CORRECTION["event_key"], kind="correction", thread_ts=parent.ts
    )
    assert found == reply


# -- retries -----------------------------------------------------------------------------


@pytest.mark.slow
def test_rate_limit_storm_is_waited_out_honouring_retry_after(slack_standin: Any) -> None:
    slack_standin.rate_limit_next(2, retry_after=1)
    started = time.monotonic()
    sender_for(slack_standin, rate_limit_retries=3).post(earnings_message(), "#market-news")
    elapsed = time.monotonic() - started

    assert elapsed >= 2.0  # two waits of Retry-After: 1
    assert [c.answer for c in slack_standin.calls_to("chat.postMessage")] == ["429", "429", "ok"]
    assert len(slack_standin.messages("market-news")) == 1


@pytest.mark.slow
def test_rate_limit_beyond_the_retry_budget_is_a_transient_error(slack_standin: Any) -> None:
    slack_standin.rate_limit_next(5, retry_after=1)
    with pytest.raises(SlackDeliveryError) as caught:
        sender_for(slack_standin, rate_limit_retries=1).post(earnings_message(), "#market-news")
    error = caught.value
    assert error.code == "ratelimited"
    assert error.status == 429
    assert error.retry_after == 1
    assert not error.permanent
    assert not error.outcome_unknown
    assert slack_standin.messages("market-news") == []


def test_server_error_burst_is_retried(slack_standin: Any) -> None:
    slack_standin.server_error_next(2)
    sender_for(slack_standin, server_error_retries=2).post(earnings_message(), "#market-news")
    assert [c.answer for c in slack_standin.calls_to("chat.postMessage")] == ["500", "500", "ok"]
    assert len(slack_standin.messages("market-news")) == 1


def test_server_errors_beyond_the_budget_leave_the_outcome_unknown(slack_standin: Any) -> None:
    slack_standin.server_error_next(5, status=503)
    with pytest.raises(SlackDeliveryError) as caught:
        sender_for(slack_standin, server_error_retries=1).post(earnings_message(), "#market-news")
    assert caught.value.status == 503
    assert caught.value.outcome_unknown
    assert not caught.value.permanent
    assert len(slack_standin.calls_to("chat.postMessage")) == 2


# -- permanent errors --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["channel_not_found", "not_in_channel", "is_archived"])
def test_channel_errors_are_permanent_and_one_line(slack_standin: Any, code: str) -> None:
    slack_standin.fail_channel("#market-news", code)
    with pytest.raises(SlackDeliveryError) as caught:
        sender_for(slack_standin).post(earnings_message(), "#market-news")
    error = caught.value
    assert error.permanent
    assert not error.outcome_unknown
    assert error.code == code
    assert str(error) == f"Slack chat.postMessage in #market-news failed: {code}"
    assert error.__suppress_context__  # the SDK exception is not chained into tracebacks


def test_bad_token_is_permanent(slack_standin: Any) -> None:
    with pytest.raises(SlackDeliveryError) as caught:
        sender_for(slack_standin, token="xoxb-wrong").post(earnings_message(), "#market-news")
    assert caught.value.code == "invalid_auth"
    assert caught.value.permanent
    assert "\n" not in str(caught.value)


def test_unknown_channel_id_is_permanent(slack_standin: Any) -> None:
    with pytest.raises(SlackDeliveryError) as caught:
        sender_for(slack_standin).post(earnings_message(), "C99999999")
    assert caught.value.code == "channel_not_found"
    assert caught.value.permanent


# -- lost answers and reconciliation -----------------------------------------------------


def test_accept_then_drop_is_reconciled_not_posted_twice(slack_standin: Any) -> None:
    sender = sender_for(slack_standin)
    message = earnings_message()
    slack_standin.drop_after_accept_next(1)

    with pytest.raises(SlackDeliveryError) as caught:
        sender.post(message, "#market-news")
    assert caught.value.outcome_unknown
    assert not caught.value.permanent
    assert len(slack_standin.calls_to("chat.postMessage")) == 1  # no blind retry

    # what the pipeline does on its next attempt
    found = sender.find_posted("#market-news", EARNINGS["event_key"], kind="earnings")
    if found is None:
        sender.post(message, "#market-news")
    (stored,) = slack_standin.messages("market-news")
    assert found is not None
    assert found.ts == stored["ts"]
    assert found.channel == slack_standin.channel_id("market-news")
    assert len(slack_standin.calls_to("chat.postMessage")) == 1


def test_timeout_after_sending_leaves_the_outcome_unknown(slack_standin: Any) -> None:
    slack_standin.stall_after_accept_next(1, seconds=1.5)
    sender = sender_for(slack_standin, timeout=0.3)
    with pytest.raises(SlackDeliveryError) as caught:
        sender.post(earnings_message(), "#market-news")
    assert caught.value.code == "timeout"
    assert caught.value.outcome_unknown
    assert sender.find_posted("#market-news", EARNINGS["event_key"]) is not None


def test_refused_connection_is_known_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_web_client("xoxb-x", f"http://127.0.0.1:{port}/api/", timeout=2)
    with pytest.raises(SlackDeliveryError) as caught:
        SlackSender(client).post(earnings_message(), "#market-news")
    assert caught.value.code == "connection_error"
    assert not caught.value.outcome_unknown
    assert not caught.value.permanent


def test_find_posted_pages_through_history(slack_standin: Any) -> None:
    client = make_web_client(slack_standin.token, slack_standin.base_url)
    sender = SlackSender(client, history_page_size=2)
    target = sender.post(earnings_message(event_key="old"), "#market-news")
    for n in range(5):
        sender.post(earnings_message(event_key=f"new-{n}"), "#market-news")

    assert sender.find_posted("#market-news", "old") == target
    assert len(slack_standin.calls_to("conversations.history")) == 3
    assert all(
        call.params["include_all_metadata"] in ("1", True)
        for call in slack_standin.calls_to("conversations.history")
    )
    assert sender.find_posted("#market-news", "never-posted") is None
    assert sender.find_posted("#market-news", "old", oldest=float(target.ts)) is None


def test_find_posted_gives_up_loudly_when_history_is_too_long(slack_standin: Any) -> None:
    client = make_web_client(slack_standin.token, slack_standin.base_url)
    sender = SlackSender(client, history_page_size=1, max_history_pages=2)
    for n in range(4):
        sender.post(earnings_message(event_key=f"k{n}"), "#market-news")
    with pytest.raises(SlackDeliveryError) as caught:
        sender.find_posted("#market-news", "k0")
    assert caught.value.code == "reconcile_incomplete"
    assert not caught.value.permanent


def test_find_posted_resolves_channel_names(slack_standin: Any) -> None:
    other = slack_standin.add_channel("earnings-desk")
    posted = sender_for(slack_standin).post(earnings_message(), other)
    fresh = sender_for(slack_standin)  # knows no IDs yet
    assert fresh.find_posted("#earnings-desk", EARNINGS["event_key"]) == posted
    assert len(slack_standin.calls_to("conversations.list")) == 1
    with pytest.raises(SlackDeliveryError) as caught:
        fresh.find_posted("#no-such-channel", EARNINGS["event_key"])
    assert caught.value.code == "channel_not_found"
    assert caught.value.permanent


def test_find_posted_ignores_messages_without_our_metadata(slack_standin: Any) -> None:
    sender = sender_for(slack_standin)
    foreign = SlackMessage(
        text="hi",
        metadata={"event_type": "other_app", "event_payload": {"event_key": "x"}},
    )
    sender.post(foreign, "#market-news")
    assert sender.find_posted("#market-news", "x") is None
