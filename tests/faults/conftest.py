"""Fault tests stay on loopback: the network guard fails any in-process step that leaves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_server import LocalHTTPServer, NetworkGuard


@pytest.fixture(autouse=True)
def net(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Fake DNS and a connect check for the test's own process (subprocesses use loopback)."""
    network = NetworkGuard(monkeypatch)
    yield network
    network.check()


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running
