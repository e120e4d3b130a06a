"""The Slack stage: alert payloads to Block Kit messages, posted exactly once.

- `render`: pure functions, payload dict -> `SlackMessage` (escaped, within Slack limits);
- `client`: `SlackSender` (slack-sdk, retries, reconciliation) and `DryRunSender`;
- `escape`: the rules that keep article text from mentioning anyone or forming links.
"""

from market_news.slack.client import (
    DryRunSender,
    PostResult,
    Sender,
    SlackSender,
    make_web_client,
)
from market_news.slack.console import render_console
from market_news.slack.errors import PERMANENT_CODES, SlackDeliveryError
from market_news.slack.escape import escape_mrkdwn, truncate
from market_news.slack.message import EVENT_TYPE, SlackMessage
from market_news.slack.render import (
    render,
    render_ai_claims,
    render_correction,
    render_earnings,
)

__all__ = [
    "EVENT_TYPE",
    "PERMANENT_CODES",
    "DryRunSender",
    "PostResult",
    "Sender",
    "SlackDeliveryError",
    "SlackMessage",
    "SlackSender",
    "escape_mrkdwn",
    "make_web_client",
    "render",
    "render_ai_claims",
    "render_console",
    "render_correction",
    "render_earnings",
    "truncate",
]
