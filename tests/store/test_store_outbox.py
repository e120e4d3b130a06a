"""The alert outbox: claims under a lease, delivery records, crash recovery."""

from __future__ import annotations

from datetime import timedelta

from market_news.store import Store
from market_news.store.schema import Alert, utcnow
from sqlalchemy import update
from store_factories import eps, gpu_claim


def _queue_earnings(store: Store, ticker: str = "META") -> int:
    (alert,) = store.record_earnings(
        None,
        [eps(ticker=ticker)],
        article_url=f"https://news.example.com/{ticker}",
        article_title=None,
        published=None,
        language="en",
        company=None,
    )
    return alert.id


def _queue_ai(store: Store, n: int) -> int:
    (alert,) = store.record_ai_claims(
        None,
        [gpu_claim(1000 + n)],
        article_url=f"https://news.example.com/ai/{n}",
        article_title=None,
        published=None,
        language="en",
        tickers=[],
    )
    return alert.id


def _expire_leases(store: Store) -> None:
    """What a sender crash looks like later: 'sending' rows whose lease ran out."""
    with store.engine.begin() as connection:
        connection.execute(
            update(Alert)
            .where(Alert.status == "sending")
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )


def test_claiming_leases_alerts_to_one_sender(store: Store) -> None:
    ids = [_queue_earnings(store, t) for t in ("META", "GOOGL", "MSFT")]
    claimed = store.claim_pending_alerts(2)
    assert [a.id for a in claimed] == ids[:2]
    assert all(a.attempts == 1 and a.previous_status == "pending" for a in claimed)
    assert not any(a.outcome_unknown for a in claimed)
    assert all(a.lease_until > utcnow() for a in claimed)
    # Leased alerts are nobody else's until the lease runs out.
    assert [a.id for a in store.claim_pending_alerts(10)] == ids[2:]
    assert store.claim_pending_alerts(10) == []
    assert store.alert_counts() == {
        "pending": 0,
        "sending": 3,
        "sent": 0,
        "dry_run": 0,
        "failed": 0,
    }


def test_claims_from_two_stores_never_overlap(store_url: str, store: Store) -> None:
    ids = {_queue_ai(store, n) for n in range(10)}
    other = Store.open(store_url)
    try:
        first = {a.id for a in store.claim_pending_alerts(4)}
        second = {a.id for a in other.claim_pending_alerts(100)}
    finally:
        other.close()
    assert first.isdisjoint(second)
    assert first | second == ids


def test_sent_and_dry_run_alerts_are_never_claimed_again(store: Store) -> None:
    sent, rendered = _queue_earnings(store, "META"), _queue_earnings(store, "NVDA")
    store.claim_pending_alerts(10)
    store.mark_alert_sent(sent, channel="C1", ts="1700000000.000100", dry_run=False)
    store.mark_alert_sent(rendered, channel="#market-news", ts=None, dry_run=True)
    _expire_leases(store)
    assert store.claim_pending_alerts(10) == []
    counts = store.alert_counts()
    assert (counts["sent"], counts["dry_run"], counts["pending"]) == (1, 1, 0)


def test_an_expired_lease_comes_back_with_outcome_unknown(store: Store) -> None:
    alert_id = _queue_earnings(store)
    (first,) = store.claim_pending_alerts(10, lease_seconds=60)
    assert store.claim_pending_alerts(10) == []  # lease still running
    _expire_leases(store)
    (again,) = store.claim_pending_alerts(10)
    assert again.id == first.id == alert_id
    assert again.outcome_unknown
    assert again.previous_status == "sending"
    assert again.attempts == 2


def test_failed_sends_go_back_to_pending(store: Store) -> None:
    transient, permanent = _queue_earnings(store, "META"), _queue_earnings(store, "NVDA")
    store.claim_pending_alerts(10)
    store.mark_alert_failed(transient, "HTTP 503", permanent=False)
    store.mark_alert_failed(permanent, "channel_not_found", permanent=True)
    assert store.alert_counts()["pending"] == 2
    retried = store.claim_pending_alerts(10)
    assert sorted(a.id for a in retried) == sorted([transient, permanent])
    assert not any(a.outcome_unknown for a in retried)
    assert all(a.attempts == 2 for a in retried)


def test_a_correction_waits_for_its_parent(store: Store) -> None:
    parent = _queue_earnings(store)
    (correction,) = store.record_earnings(
        None,
        [eps(6.50)],
        article_url="https://news.example.com/update",
        article_title=None,
        published=None,
        language="en",
        company=None,
    )
    # Only the parent is claimable; the correction has no thread to go to yet.
    assert [a.id for a in store.claim_pending_alerts(10)] == [parent]
    assert store.claim_pending_alerts(10) == []
    store.mark_alert_failed(parent, "HTTP 500", permanent=False)
    assert [a.id for a in store.claim_pending_alerts(10)] == [parent]
    store.mark_alert_sent(parent, channel="C1", ts="1700000000.000200", dry_run=False)
    (claimed,) = store.claim_pending_alerts(10)
    assert claimed.id == correction.id
    assert claimed.kind == "correction"
    assert claimed.thread_ts == "1700000000.000200"


def test_a_claim_with_no_room_claims_nothing(store: Store) -> None:
    _queue_earnings(store)
    assert store.claim_pending_alerts(0) == []
    assert store.alert_counts()["pending"] == 1
