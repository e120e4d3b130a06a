"""The stand-in itself speaks enough Slack for slack-sdk, form and JSON bodies alike."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


def test_auth_test_and_form_encoded_history(slack_standin: Any) -> None:
    client = WebClient(token=slack_standin.token, base_url=slack_standin.base_url)
    assert client.auth_test()["ok"]
    posted = client.chat_postMessage(
        channel="#market-news", text="hello", metadata={"event_type": "t", "event_payload": {}}
    )
    assert posted["channel"] == slack_standin.channel_id("market-news")
    assert posted["message"]["text"] == "hello"
    history = client.conversations_history(channel=posted["channel"])  # form body
    assert [m["text"] for m in history["messages"]] == ["hello"]
    assert "metadata" not in history["messages"][0]  # only with include_all_metadata
    with_metadata = client.conversations_history(
        channel=posted["channel"], include_all_metadata=True
    )
    assert with_metadata["messages"][0]["metadata"]["event_type"] == "t"


def test_history_wants_an_id_like_slack(slack_standin: Any) -> None:
    client = WebClient(token=slack_standin.token, base_url=slack_standin.base_url)
    with pytest.raises(SlackApiError) as caught:
        client.conversations_history(channel="#market-news")
    assert caught.value.response["error"] == "channel_not_found"


def test_missing_token_is_not_authed(slack_standin: Any) -> None:
    request = urllib.request.Request(slack_standin.base_url + "auth.test", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response) == {"ok": False, "error": "not_authed"}
    assert slack_standin.calls[-1].authorized is False


def test_unknown_thread_is_refused(slack_standin: Any) -> None:
    client = WebClient(token=slack_standin.token, base_url=slack_standin.base_url)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="#market-news", text="x", thread_ts="1.000001")
    assert caught.value.response["error"] == "thread_not_found"
