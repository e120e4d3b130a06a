"""Make article text inert before it goes into a Slack message.

Slack parses `<...>` sequences in message text as mentions (`<!channel>`, `<@U123>`) and
links (`<https://evil|click>`), so text taken from an article must have `&`, `<` and `>`
turned into entities. Bare `@channel`/`@here`/`@everyone` words only notify when a message
is sent with `link_names`, which we never set; they are broken anyway (a zero-width joiner
after the `@`) so a later change of posting options cannot turn an article into a ping.
"""

from __future__ import annotations

import re

#: Inserted after `@` in broadcast words; invisible, but stops Slack matching the word.
ZERO_WIDTH_JOINER = "\u200d"
ELLIPSIS = "…"

_BROADCAST_WORD = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
# C0 controls other than tab and newline, DEL, and the C1 block: never useful in an alert,
# and ESC would let an article drive a terminal in dry run.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def strip_controls(text: str) -> str:
    """Drop control characters (keeping tab and newline)."""
    return _CONTROL.sub("", text)


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` and neutralise broadcast words, so the text is only text.

    The order matters: `&` first, or the `&` of `&lt;` would be escaped again.
    """
    escaped = strip_controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST_WORD.sub("@" + ZERO_WIDTH_JOINER, escaped)


def truncate(text: str, limit: int) -> str:
    """Shorten already-escaped text to at most `limit` characters, ending with `…`.

    Truncation runs after escaping (escaping makes text longer, so cutting first could
    still overflow a Slack limit), which means a cut can land inside `&amp;`; such a
    half entity is dropped whole rather than shown as `&am…`.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    partial = _ENTITY_TAIL.search(head)
    if partial is not None:
        head = head[: partial.start()]
    return head.rstrip() + ELLIPSIS


def escape_and_truncate(text: str, limit: int) -> str:
    """The usual pairing: escape article text, then fit it into a Slack field."""
    return truncate(escape_mrkdwn(text), limit)
