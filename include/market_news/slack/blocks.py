"""Small Block Kit builders that enforce Slack's size limits as they build.

Slack rejects a whole message when one block is too long or there are too many blocks
(`invalid_blocks`), and a rejected alert is a lost alert; so limits are applied here,
once, instead of trusted to every renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from market_news.slack.escape import escape_and_truncate, escape_mrkdwn, truncate
from market_news.slack.message import (
    MAX_CONTEXT_ELEMENTS,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
)

Block = dict[str, Any]

#: Room kept at the end of a section for the "…and N more" note.
_OVERFLOW_ROOM = 60
_URL_UNSAFE = {"|": "%7C", "<": "%3C", ">": "%3E", " ": "%20", '"': "%22"}


def header(text: str) -> Block:
    """A header block from unescaped text (escaped and cut to 150 characters here)."""
    return {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": escape_and_truncate(text, MAX_HEADER_TEXT),
            "emoji": True,
        },
    }


def section(mrkdwn: str) -> Block:
    """A section block from mrkdwn that is already escaped."""
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(mrkdwn, MAX_SECTION_TEXT)},
    }


def context(parts: Sequence[str]) -> Block:
    """A context block from escaped mrkdwn parts (at most 10 elements)."""
    elements = [
        {"type": "mrkdwn", "text": truncate(part, MAX_SECTION_TEXT)}
        for part in parts[:MAX_CONTEXT_ELEMENTS]
        if part
    ]
    return {"type": "context", "elements": elements}


def packed_sections(lines: Sequence[str], *, max_sections: int, noun: str) -> list[Block]:
    """Pack escaped lines into as few sections as fit, within a block budget.

    Lines that do not fit the budget are summarised as "…and N more <noun>" instead of
    making Slack refuse the message.
    """
    limit = MAX_SECTION_TEXT - _OVERFLOW_ROOM
    chunks: list[list[str]] = []
    size = 0
    for index, raw in enumerate(lines):
        line = truncate(raw, limit)
        if chunks and size + 1 + len(line) <= limit:
            chunks[-1].append(line)
            size += 1 + len(line)
            continue
        if len(chunks) == max_sections:
            chunks[-1].append(f"_…and {len(lines) - index} more {noun}_")
            break
        chunks.append([line])
        size = len(line)
    return [section("\n".join(chunk)) for chunk in chunks]


def safe_url(url: str | None) -> str | None:
    """An http(s) URL made safe to sit inside `<url|label>`, or None.

    `|` and `>` would end the URL early and let the rest become a label or text of its
    own; other schemes (javascript:, slack:) are not links we want to offer.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    cleaned = "".join(_URL_UNSAFE.get(char, char) for char in url.strip())
    if any(ord(char) < 32 for char in cleaned):
        return None
    return cleaned.replace("&", "&amp;")


def link(url: str | None, label: str | None, *, fallback: str = "source") -> str:
    """An mrkdwn link with an escaped label; plain escaped text when the URL is unusable."""
    text = escape_and_truncate(label or fallback, 200)
    target = safe_url(url)
    if target is None:
        return text if not url else f"{text} ({escape_and_truncate(url, 300)})"
    return f"<{target}|{text}>"


def quote(text: str, limit: int) -> str:
    """An escaped one-line mrkdwn quote of article text."""
    flat = " ".join(text.split())
    return "> " + escape_and_truncate(flat, limit)


def plain(text: str, limit: int) -> str:
    """Escaped text for a fallback or a label, cut to `limit`."""
    return truncate(escape_mrkdwn(text), limit)
