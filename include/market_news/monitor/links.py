"""Links from the page to Slack messages and articles.

The store keeps the channel and the message `ts` Slack returned, not a permalink
(`chat.getPermalink` would be one more API call per alert, and the page must not call
Slack). A message link can be built from a channel ID and the `ts`; a channel given by
name only gets a link to the channel.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")
_TS = re.compile(r"^\d+\.\d+$")
SLACK_WEB = "https://slack.com"


def slack_link(channel: str | None, ts: str | None, thread_ts: str | None = None) -> str | None:
    """A link to the message (channel ID + ts), else to the channel; None without a channel."""
    if not channel:
        return None
    channel = channel.strip()
    if _CHANNEL_ID.match(channel) and ts and _TS.match(ts):
        link = f"{SLACK_WEB}/archives/{channel}/p{ts.replace('.', '')}"
        if thread_ts and _TS.match(thread_ts) and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return link
    name = channel.lstrip("#")
    if not name:
        return None
    return f"{SLACK_WEB}/app_redirect?channel={quote(name, safe='')}"


def safe_href(url: str | None) -> str | None:
    """`url` when it is an http(s) address, else None.

    Article URLs come from feeds, which are outside input: a `javascript:` or `data:`
    URL must never become a clickable link on a page operators trust.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url.strip()


__all__ = ["safe_href", "slack_link"]
