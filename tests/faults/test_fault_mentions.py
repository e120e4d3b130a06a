"""Fault: article text that tries to ping the channel, mention people or plant links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fault_support import CHANNEL, HTML_TYPE, RSS_TYPE, Story, rss, settings_for
from market_news.pipeline import run_pass

from tests.support.http_server import LocalHTTPServer
from tests.support.slack_standin import SlackStandin

pytestmark = pytest.mark.fault

HOSTILE = "<!channel> <!here> <@U024BE7LH> <https://evil.example/login|click here> @everyone"
#: Slack control sequences: any `<...>` that is not the article link we put there ourselves.
CONTROL = re.compile(r"<(?!http://127\.0\.0\.1:\d+/articles/)[^>]*>")


def test_mentions_and_links_in_article_text_arrive_inert(
    tmp_path: Path, server: LocalHTTPServer, slack_standin: SlackStandin
) -> None:
    story = Story("QMEN", title=f"QMEN beats {HOSTILE}", extra=HOSTILE)
    sentence = story.sentence().replace("beating", f"{HOSTILE} beating")
    page = story.page().replace(story.sentence().encode(), sentence.encode())
    server.route("/wire.xml", body=rss(server.url(""), [story]), headers={"Content-Type": RSS_TYPE})
    server.route(f"/articles/{story.slug}.html", body=page, headers={"Content-Type": HTML_TYPE})
    settings = settings_for(
        tmp_path,
        {"wire": server.url("/wire.xml")},
        token=slack_standin.token,
        api_url=slack_standin.base_url,
        slack_pace_s=0.01,
    )

    summary = run_pass(settings)

    assert summary.alerts_sent == 1, summary
    [message] = slack_standin.messages(CHANNEL)
    posted = json.dumps({"text": message["text"], "blocks": message["blocks"]}, ensure_ascii=False)
    assert "&lt;!channel&gt;" in posted, "the hostile text reached the message, escaped"
    assert not CONTROL.findall(message["text"]), message["text"]
    for text in _block_texts(message["blocks"]):
        assert not CONTROL.findall(text), text
        assert "@everyone" not in text
    [call] = slack_standin.calls_to("chat.postMessage")
    assert call.params.get("link_names") in (None, False, 0, "0", "false")


def _block_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() for t in _block_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _block_texts(value)]
    return []
