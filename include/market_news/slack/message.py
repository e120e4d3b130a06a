"""The message value every renderer returns and every sender accepts.

A message is plain data (text, Block Kit blocks, metadata), so it can be built in a pure
function, compared in tests, and rendered to a terminal in dry run without Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: `metadata.event_type` of every alert; reconciliation looks for it in channel history.
EVENT_TYPE = "market_news_alert"

# Slack's published Block Kit limits.
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
#: The fallback `text` may be 40,000 characters; notifications show far less.
MAX_FALLBACK_TEXT = 3000


@dataclass(frozen=True)
class SlackMessage:
    """One Slack message: fallback text, Block Kit blocks and message metadata."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def event_key(self) -> str | None:
        """The `event_key` carried in the metadata, if any."""
        payload = self.metadata.get("event_payload") or {}
        value = payload.get("event_key")
        return str(value) if value is not None else None

    def as_post_kwargs(self, channel: str, thread_ts: str | None = None) -> dict[str, Any]:
        """Keyword arguments for `WebClient.chat_postMessage`.

        Unfurling is off: a preview of the article would repeat the alert and fetch the
        link from Slack's side, and a hostile page could choose what the preview shows.
        """
        kwargs: dict[str, Any] = {
            "channel": channel,
            "text": self.text,
            "blocks": self.blocks,
            "metadata": self.metadata,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts is not None:
            kwargs["thread_ts"] = thread_ts
        return kwargs
