"""A Slack message as readable terminal text, for dry run.

Dry run (no `SLACK_BOT_TOKEN`) must show each alert on standard error the way a person
would read it in Slack: entities decoded, links as "label (url)", no Block Kit JSON.
Control characters are dropped so an article cannot drive the terminal.
"""

from __future__ import annotations

import re
from typing import Any

from market_news.slack.escape import ZERO_WIDTH_JOINER, strip_controls
from market_news.slack.message import SlackMessage

_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
RULE_WIDTH = 72


def _unmrkdwn(text: str) -> str:
    """Slack mrkdwn to plain terminal text."""
    text = _LINK.sub(lambda match: f"{match.group(2)} ({match.group(1)})", text)
    text = _BOLD.sub(r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return strip_controls(text.replace(ZERO_WIDTH_JOINER, ""))


def _block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        title = _unmrkdwn(str(block.get("text", {}).get("text", "")))
        return [title, "=" * min(len(title), RULE_WIDTH)]
    if kind == "section":
        return _unmrkdwn(str(block.get("text", {}).get("text", ""))).splitlines()
    if kind == "context":
        parts = [_unmrkdwn(str(element.get("text", ""))) for element in block.get("elements", [])]
        return [" · ".join(part for part in parts if part)]
    if kind == "divider":
        return ["-" * RULE_WIDTH]
    return [f"[{kind} block]"]


def render_console(
    message: SlackMessage, channel: str, *, thread_ts: str | None = None, note: str = ""
) -> str:
    """A multi-line rendering of `message` as it would appear in `channel`."""
    target = f"{channel} (reply in thread {thread_ts})" if thread_ts else channel
    heading = f"── Slack alert → {strip_controls(target)} {note}".rstrip() + " "
    lines = [heading.ljust(RULE_WIDTH, "─")]
    body: list[str] = []
    for block in message.blocks:
        body.extend(_block_lines(block))
    if not body:
        body = _unmrkdwn(message.text).splitlines()
    lines.extend("  " + line if line else "" for line in body)
    payload = message.metadata.get("event_payload") or {}
    lines.append(
        f"  [{message.metadata.get('event_type', 'no metadata')}"
        f" kind={payload.get('kind')} event_key={payload.get('event_key')}]"
    )
    return strip_controls("\n".join(lines)) + "\n"
