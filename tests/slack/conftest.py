"""Fixtures for the Slack stage: sample payloads and the Web API stand-in."""

from __future__ import annotations

import copy
from typing import Any

import pytest

try:  # `tests/` is on sys.path via tests/conftest.py (rootdir-relative imports)
    from support.slack_fixtures import STANDIN_TOKEN, slack_standin
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.support.slack_fixtures import STANDIN_TOKEN, slack_standin

from slack_samples import AI_CLAIMS, CORRECTION, EARNINGS

__all__ = ["STANDIN_TOKEN", "slack_standin"]


@pytest.fixture
def earnings_payload() -> dict[str, Any]:
    return copy.deepcopy(EARNINGS)


@pytest.fixture
def ai_payload() -> dict[str, Any]:
    return copy.deepcopy(AI_CLAIMS)


@pytest.fixture
def correction_payload() -> dict[str, Any]:
    return copy.deepcopy(CORRECTION)
