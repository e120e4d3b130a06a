"""Fault: Slack answers 429 storms, 500 bursts, or drops the connection after accepting.

Pipeline-level: whole passes (`run_pass`) into the Slack stand-in, as many as it takes
to drain the outbox; every alert must end up in the channel exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fault_support import (
    CHANNEL,
    HTML_TYPE,
    RSS_TYPE,
    Story,
    expire_leases,
    posted_event_keys,
    rss,
    settings_for,
    ticker_names,
)
from market_news.models import PassSummary
from market_news.pipeline import run_pass
from market_news.settings import Settings

from tests.support.http_server import LocalHTTPServer
from tests.support.slack_standin import SlackStandin

pytestmark = pytest.mark.fault

ALERTS = 4
MAX_PASSES = 4


def _settings(tmp_path: Path, server: LocalHTTPServer, standin: SlackStandin) -> Settings:
    stories = [Story(ticker) for ticker in ticker_names(ALERTS, prefix="S")]
    server.route("/wire.xml", body=rss(server.url(""), stories), headers={"Content-Type": RSS_TYPE})
    for story in stories:
        server.route(
            f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
        )
    return settings_for(
        tmp_path,
        {"wire": server.url("/wire.xml")},
        token=standin.token,
        api_url=standin.base_url,
        slack_pace_s=0.01,
    )


def _drain(settings: Settings) -> list[PassSummary]:
    """Passes until one reports no error (or the budget runs out).

    Between passes the outbox leases are let run out, as the lease time would: an alert
    whose post had an unknown outcome stays leased until then, and is reconciled after.
    """
    passes = [run_pass(settings)]
    while len(passes) < MAX_PASSES and passes[-1].errors:
        expire_leases(settings.database_url)
        passes.append(run_pass(settings))
    return passes


def _exactly_once(standin: SlackStandin, passes: list[PassSummary]) -> None:
    keys = posted_event_keys(standin.messages(CHANNEL))
    assert len(keys) == ALERTS, keys
    assert set(keys.values()) == {1}, f"posted more than once: {keys}"
    assert sum(p.alerts_sent for p in passes) == ALERTS
    assert passes[-1].errors == 0


FAULTS: dict[str, Callable[[SlackStandin], None]] = {
    # More 429s than the client retries (3): the first alerts give up, later passes deliver.
    "429 storm": lambda s: s.rate_limit_next(6, retry_after=0),
    # More 500s than the client retries (2).
    "500 burst": lambda s: s.server_error_next(4),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_alert_is_delivered_exactly_once_through_a_storm(
    tmp_path: Path, server: LocalHTTPServer, slack_standin: SlackStandin, fault: str
) -> None:
    settings = _settings(tmp_path, server, slack_standin)
    FAULTS[fault](slack_standin)
    passes = _drain(settings)
    assert passes[0].errors >= 1, "the fault was felt"
    _exactly_once(slack_standin, passes)


def test_connection_reset_after_accept_is_reconciled_not_reposted(
    tmp_path: Path, server: LocalHTTPServer, slack_standin: SlackStandin
) -> None:
    settings = _settings(tmp_path, server, slack_standin)
    slack_standin.drop_after_accept_next(1)  # Slack stores the first post, the client hears nothing
    passes = _drain(settings)
    assert next(c.answer for c in slack_standin.calls_to("chat.postMessage")) == "dropped"
    _exactly_once(slack_standin, passes)
