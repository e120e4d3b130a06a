"""Delivery through the outbox into the stand-in: storms, lost answers, dry run.

Every test ends by counting messages per alert key in the stand-in: exactly one each.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from delivery_support import CHANNEL, queue_earnings, queue_many, settings_for, top_level_keys
from market_news.pipeline import deliver_pending
from market_news.slack import SlackMessage, SlackSender, make_web_client
from market_news.slack.client import PostResult
from market_news.store import Store

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


class StormySender(SlackSender):
    """Arms a stand-in fault right before chosen posts (1-based post numbers)."""

    def __init__(
        self, standin: Any, faults: dict[int, tuple[str, int]], **client_options: Any
    ) -> None:
        options: dict[str, Any] = {"rate_limit_retries": 3, "server_error_backoff": 0.01}
        options.update(client_options)
        super().__init__(make_web_client(standin.token, standin.base_url, **options))
        self.standin = standin
        self.faults = faults
        self.posts = 0

    def post(self, message: SlackMessage, channel: str, thread_ts: str | None = None) -> PostResult:
        self.posts += 1
        kind, count = self.faults.get(self.posts, ("", 0))
        if kind == "429":
            self.standin.rate_limit_next(count, retry_after=0)
        elif kind == "500":
            self.standin.server_error_next(count)
        return super().post(message, channel, thread_ts)


@pytest.mark.slow  # slack-sdk sleeps Retry-After + up to 1 s of jitter per 429
def test_429_storms_and_500_bursts_deliver_every_alert_once(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    keys = queue_many(store, 10)
    sender = StormySender(
        slack_standin,
        {1: ("429", 2), 3: ("500", 2), 4: ("429", 3), 7: ("500", 1), 9: ("429", 1)},
    )
    settings = settings_for(slack_standin, "sqlite://", tmp_path)

    summary = deliver_pending(settings=settings, store=store, sender=sender)

    assert summary.alerts_sent == 10
    assert summary.errors == 0
    assert top_level_keys(slack_standin) == dict.fromkeys(keys, 1)
    answers = [call.answer for call in slack_standin.calls_to("chat.postMessage")]
    assert answers.count("429") == 6
    assert answers.count("500") == 3
    assert store.alert_counts()["sent"] == 10


@pytest.mark.slow  # waits for a 4 s lease to run out
def test_server_errors_beyond_the_budget_are_reconciled_not_reposted(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    """A 5xx answer may hide an accepted post: the alert is never released as pending."""
    keys = queue_many(store, 4)
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    # the second post fails twice (over its budget of one retry); the third 500 hits the
    # immediate reconciliation's first read, which retries on its own and finds nothing
    sender = StormySender(slack_standin, {2: ("500", 3)}, server_error_retries=1)

    first = deliver_pending(settings=settings, store=store, sender=sender, lease_seconds=4)
    assert first.alerts_sent == 3
    assert first.errors == 1
    assert store.alert_counts()["sending"] == 1  # held under its lease, not pending

    # the next pass finds nothing claimable until the lease runs out ...
    again = deliver_pending(settings=settings, store=store, sender=sender, lease_seconds=4)
    assert again.alerts_sent == 0
    # ... then reconciles and posts it once
    wait_for_leases(store, seconds=4)
    last = deliver_pending(settings=settings, store=store, sender=sender, lease_seconds=4)
    assert last.alerts_sent == 1
    assert top_level_keys(slack_standin) == dict.fromkeys(keys, 1)


def wait_for_leases(store: Store, seconds: float) -> None:
    """Let leases taken `seconds` ago run out (a wait, not a timing assertion)."""
    time.sleep(seconds + 0.2)
    assert store.claim_pending_alerts(0) == []


def test_answer_dropped_after_accept_is_adopted_in_the_same_pass(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    keys = queue_many(store, 5)
    slack_standin.drop_after_accept_next(1, skip=2)
    settings = settings_for(slack_standin, "sqlite://", tmp_path)

    summary = deliver_pending(settings=settings, store=store)

    assert summary.alerts_sent == 5
    assert top_level_keys(slack_standin) == dict.fromkeys(keys, 1)
    assert len(slack_standin.calls_to("chat.postMessage")) == 5  # no blind re-post
    assert [c.answer for c in slack_standin.calls_to("conversations.history")] == ["ok"]


def test_timeout_after_accept_is_adopted(slack_standin: Any, store: Store, tmp_path: Path) -> None:
    keys = queue_many(store, 3)
    slack_standin.stall_after_accept_next(1, seconds=1.0, skip=1)
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    sender = SlackSender(make_web_client(slack_standin.token, slack_standin.base_url, timeout=0.3))

    summary = deliver_pending(settings=settings, store=store, sender=sender)

    assert summary.alerts_sent == 3
    assert top_level_keys(slack_standin) == dict.fromkeys(keys, 1)


def test_a_rerun_sends_nothing(slack_standin: Any, store: Store, tmp_path: Path) -> None:
    queue_many(store, 3)
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    assert deliver_pending(settings=settings, store=store).alerts_sent == 3
    assert deliver_pending(settings=settings, store=store).alerts_sent == 0
    assert len(slack_standin.messages(CHANNEL)) == 3


@pytest.mark.parametrize("code", ["channel_not_found", "not_in_channel"])
def test_channel_error_is_one_line_and_the_alerts_stay_pending(
    slack_standin: Any,
    store: Store,
    tmp_path: Path,
    code: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue_many(store, 4)
    slack_standin.fail_channel(CHANNEL, code)
    settings = settings_for(slack_standin, "sqlite://", tmp_path)

    summary = deliver_pending(settings=settings, store=store)

    assert summary.errors == 1
    assert len(slack_standin.calls_to("chat.postMessage")) == 1  # no retry storm
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "\n" not in errors[0] and code in errors[0]
    assert store.alert_counts()["pending"] == 4

    slack_standin.clear_faults()
    assert deliver_pending(settings=settings, store=store).alerts_sent == 4


def test_refused_token_stops_the_pass_after_one_call(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    queue_many(store, 3)
    slack_standin.add_channel("other")
    settings = settings_for(slack_standin, "sqlite://", tmp_path, slack_token="xoxb-wrong")
    summary = deliver_pending(settings=settings, store=store)
    assert summary.errors == 1
    assert len(slack_standin.calls) == 1
    assert store.alert_counts()["pending"] == 3


def test_dry_run_records_and_never_posts_later(
    slack_standin: Any, store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_earnings(store, "META")
    dry = settings_for(slack_standin, "sqlite://", tmp_path, slack_token=None)
    assert deliver_pending(settings=dry, store=store).alerts_sent == 1
    assert "META" in capsys.readouterr().err
    live = settings_for(slack_standin, "sqlite://", tmp_path)
    assert deliver_pending(settings=live, store=store).alerts_sent == 0
    assert slack_standin.calls == []
