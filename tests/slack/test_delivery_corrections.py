"""Corrections: a reply in the parent's thread, the parent edited to the current figures,
and two corrections of one event never mistaken for each other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from delivery_support import CHANNEL, payload, queue_earnings, settings_for
from market_news.pipeline import deliver_pending
from market_news.slack import SlackSender, make_web_client, render_correction, render_earnings
from market_news.slack.revise import current_payload
from market_news.store import Store
from slack_samples import CORRECTION, EARNINGS

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def test_correction_replies_in_thread_and_updates_the_parent(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    queue_earnings(store, "META", 6.03, 5.25)
    deliver_pending(settings=settings, store=store)
    queue_earnings(store, "META", 6.10, 5.25)  # a later article changes the actual
    queue_earnings(store, "META", 6.10, 6.20)  # and another the estimate: now a miss

    summary = deliver_pending(settings=settings, store=store)

    assert summary.alerts_sent == 2
    parent, *replies = slack_standin.messages(CHANNEL)
    assert [r["thread_ts"] for r in replies] == [parent["ts"], parent["ts"]]
    assert [payload(r)["alert_key"] for r in replies] == [
        "correction:earnings:META:2024:Q3:1",
        "correction:earnings:META:2024:Q3:2",
    ]
    assert "edited" in parent
    assert "$6.10 vs est. $6.20" in parent["text"]
    assert "miss" in parent["text"]
    assert payload(parent)["alert_key"] == "earnings:META:2024:Q3"  # identity kept
    assert payload(parent)["revision"] == 2
    assert any("2 corrections" in str(block) for block in parent["blocks"])
    assert len(slack_standin.calls_to("chat.update")) == 2


def test_a_parent_that_cannot_be_edited_still_gets_the_reply(
    slack_standin: Any, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    queue_earnings(store, "META", 6.03, 5.25)
    deliver_pending(settings=settings, store=store)
    monkeypatch.setattr(
        slack_standin, "_update", lambda params: {"ok": False, "error": "cant_update_message"}
    )
    queue_earnings(store, "META", 6.10, 5.25)

    assert deliver_pending(settings=settings, store=store).alerts_sent == 1
    assert [c.answer for c in slack_standin.calls_to("chat.update")] == ["cant_update_message"]
    assert len(slack_standin.messages(CHANNEL)) == 2


def test_a_failed_parent_edit_keeps_the_correction_queued(
    slack_standin: Any, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edit first, reply second: a transient edit failure retries both, never the reply."""
    settings = settings_for(slack_standin, "sqlite://", tmp_path)
    queue_earnings(store, "META", 6.03, 5.25)
    deliver_pending(settings=settings, store=store)
    queue_earnings(store, "META", 6.10, 5.25)
    monkeypatch.setattr(
        slack_standin, "_update", lambda params: {"ok": False, "error": "ratelimited"}
    )
    assert deliver_pending(settings=settings, store=store).alerts_sent == 0
    assert len(slack_standin.messages(CHANNEL)) == 1
    monkeypatch.undo()
    assert deliver_pending(settings=settings, store=store).alerts_sent == 1
    assert len(slack_standin.messages(CHANNEL)) == 2


def test_find_posted_tells_two_corrections_of_one_event_apart(slack_standin: Any) -> None:
    sender = SlackSender(make_web_client(slack_standin.token, slack_standin.base_url))
    parent = sender.post(render_earnings({**EARNINGS, "alert_key": EARNINGS["event_key"]}), CHANNEL)
    first = {**CORRECTION, "alert_key": "correction:x:1"}
    second = {**CORRECTION, "alert_key": "correction:x:2"}
    one = sender.post(render_correction(first), parent.channel, thread_ts=parent.ts)

    lookup = {"kind": "correction", "thread_ts": parent.ts}
    key = CORRECTION["event_key"]
    # without the alert key the first reply passes for the second: a lost correction
    assert sender.find_posted(CHANNEL, key, **lookup) == one
    assert sender.find_posted(CHANNEL, key, alert_key="correction:x:2", **lookup) is None
    two = sender.post(render_correction(second), parent.channel, thread_ts=parent.ts)
    assert sender.find_posted(CHANNEL, key, alert_key="correction:x:2", **lookup) == two
    assert sender.find_posted(CHANNEL, key, alert_key="correction:x:1", **lookup) == one


def test_current_payload_applies_changes_in_order_and_rescores() -> None:
    original = {**EARNINGS, "alert_key": "earnings:META:Q3:2024"}
    corrections = [
        {"changes": [{"metric": "eps", "basis": "adjusted", "field": "actual", "new": 5.0}]},
        {
            "changes": [
                {"metric": "eps", "basis": "adjusted", "field": "estimate", "new": 5.0},
                {"metric": "eps", "basis": "gaap", "field": "actual", "new": 4.1},
                {"metric": "eps", "basis": "gaap", "field": "estimate", "new": 4.0},
            ]
        },
    ]
    current = current_payload(original, corrections)

    eps, revenue, gaap = current["metrics"]
    assert (eps["actual"], eps["estimate"], eps["surprise_pct"], eps["verdict"]) == (
        5.0,
        5.0,
        0.0,
        "inline",
    )
    assert revenue == EARNINGS["metrics"][1]
    assert (gaap["basis"], gaap["surprise_pct"], gaap["verdict"]) == ("gaap", 2.5, "beat")
    assert current["revision"] == 2
    assert current["alert_key"] == original["alert_key"]
    assert EARNINGS["metrics"][0]["actual"] == 6.03  # the original is not modified


def test_current_payload_prefers_the_stores_own_metrics() -> None:
    store_metrics = [{"metric": "eps", "actual": 1.0, "estimate": 2.0, "verdict": "miss"}]
    current = current_payload(EARNINGS, [{"changes": [], "metrics": store_metrics}])
    assert current["metrics"] == store_metrics


def test_corrections_follow_the_parent_to_its_routed_channel(
    slack_standin: Any, store: Store, tmp_path: Path
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        "routes:\n  - channel: '#megacaps'\n    match: {kind: earnings, tickers: [META]}\n"
    )
    slack_standin.add_channel("megacaps")
    settings = settings_for(slack_standin, "sqlite://", tmp_path, routes_file=routes)
    queue_earnings(store, "META", 6.03, 5.25)
    queue_earnings(store, "ACME", 1.2, 1.0)
    deliver_pending(settings=settings, store=store)
    # the correction changes only the actual: no routing condition applies to it
    queue_earnings(store, "META", 6.10, 5.25)
    deliver_pending(settings=settings, store=store)

    megacaps = slack_standin.messages("#megacaps")
    assert [payload(m)["kind"] for m in megacaps] == ["earnings", "correction"]
    assert megacaps[1]["thread_ts"] == megacaps[0]["ts"]
    assert [payload(m)["alert_key"] for m in slack_standin.messages(CHANNEL)] == [
        "earnings:ACME:2024:Q3"
    ]
