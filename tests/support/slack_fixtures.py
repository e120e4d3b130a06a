"""pytest fixture for the Slack stand-in, shared by every test folder.

`tests/conftest.py` (or a folder's conftest) imports `slack_standin` from here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .slack_standin import SlackStandin

STANDIN_TOKEN = "xoxb-0000-standin-test-token"


@pytest.fixture
def slack_standin() -> Iterator[SlackStandin]:
    """A fresh Slack Web API stand-in on 127.0.0.1, stopped after the test.

    Use `slack_standin.base_url` as `MARKET_NEWS_SLACK_API_URL` and `slack_standin.token`
    as `SLACK_BOT_TOKEN`.
    """
    with SlackStandin(STANDIN_TOKEN) as standin:
        yield standin
