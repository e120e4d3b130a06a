"""Fetch tests talk to 127.0.0.1 only: the network guard fails any test that tries more."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from market_news.fetch import ARTICLE_CONTENT_TYPES, FEED_CONTENT_TYPES, FetchPolicy, guard

from tests.support.http_server import LocalHTTPServer, NetworkGuard


@pytest.fixture(autouse=True)
def net(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Fake DNS and a connect check for every fetch test."""
    network = NetworkGuard(monkeypatch)
    yield network
    network.check()


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
def policy() -> FetchPolicy:
    """Loopback allowed (the test server lives there), small limits so failures are quick."""
    return FetchPolicy(
        connect_timeout_s=2.0,
        read_timeout_s=2.0,
        total_deadline_s=5.0,
        max_body_bytes=1024 * 1024,
        allowed_content_types=FEED_CONTENT_TYPES | ARTICLE_CONTENT_TYPES,
        allow_private_hosts=True,
    )


@pytest.fixture
def strict_policy(policy: FetchPolicy) -> FetchPolicy:
    """The production address policy."""
    return FetchPolicy(
        connect_timeout_s=policy.connect_timeout_s,
        read_timeout_s=policy.read_timeout_s,
        total_deadline_s=policy.total_deadline_s,
        max_body_bytes=policy.max_body_bytes,
        allowed_content_types=policy.allowed_content_types,
        allow_private_hosts=False,
    )


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (only) as a public address, so a strict policy can reach the test
    server and the guard's decisions on later hops can be observed."""
    real = guard.blocked_reason
    test_server = ipaddress.ip_address("127.0.0.1")

    def blocked_reason(address: guard.IPAddress) -> str | None:
        return None if address == test_server else real(address)

    monkeypatch.setattr(guard, "blocked_reason", blocked_reason)
