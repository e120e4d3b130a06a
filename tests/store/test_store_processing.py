"""Processing entries: leases, one transaction per entry, near-duplicates through events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from market_news.models import FeedEntry
from market_news.pipeline import process as process_module
from market_news.pipeline.process import process_pending
from market_news.settings import Settings
from market_news.store import Store, StoreUnavailableError
from market_news.store.repository import MAX_ENTRY_ATTEMPTS, MAX_LOST_CLAIMS
from market_news.store.schema import AIClaimRow, Alert, Article, Entry, Event
from similar_texts import COPY_WITH_NEW_EPS, REWORDED_COPY, TICKERED, full_entry
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from store_factories import FEED, make_entry


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def _count(store: Store, model: type[Any]) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _add(store: Store, *entries: FeedEntry) -> list[int]:
    store.ensure_feed(FEED)
    ids = [store.add_entry(FEED.name, entry) for entry in entries]
    assert all(entry_id is not None for entry_id in ids)
    return [entry_id for entry_id in ids if entry_id is not None]


def test_a_near_duplicate_counts_as_duplicate_but_its_changed_figure_is_a_correction(
    store: Store, tmp_path: Path
) -> None:
    _add(store, full_entry("wire", TICKERED), full_entry("partner", COPY_WITH_NEW_EPS))
    summary = process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    assert (summary.new_articles, summary.duplicates, summary.errors) == (1, 1, 0)
    with store.session() as session:
        kinds = sorted(session.scalars(select(Alert.kind)))
    # One report alert and one AI alert for the original; the copy's new EPS is a thread
    # reply; the copy's (identical) GPU claim brings no second AI alert.
    assert kinds == ["ai_claims", "correction", "earnings"]
    with store.session() as session:
        event_key = session.scalars(select(Event.event_key)).one()
    (change,) = store.corrections(event_key)
    assert (change.metric, change.field, change.old_value, change.new_value) == (
        "eps",
        "actual",
        6.03,
        6.1,
    )
    assert change.article_url == "https://partner.example.com/story"
    assert change.alert_key == f"correction:{event_key}:1"


def test_a_near_duplicates_new_claims_are_recorded_without_an_alert(
    store: Store, tmp_path: Path
) -> None:
    copy = REWORDED_COPY.replace("100,000 H100", "120,000 H100")
    _add(store, full_entry("wire", TICKERED), full_entry("partner", copy))
    process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    assert _count(store, AIClaimRow) == 2
    with store.session() as session:
        ai_alerts = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.kind == "ai_claims")
        )
    assert ai_alerts == 1


def test_a_store_failure_mid_entry_leaves_nothing_half_written(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (entry_id,) = _add(store, full_entry("wire", TICKERED))
    real = store.record_ai_claims

    def database_gone(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailableError(make_url("sqlite:///store.db"), RuntimeError("gone"))

    monkeypatch.setattr(store, "record_ai_claims", database_gone)
    with pytest.raises(StoreUnavailableError, match=r"store database sqlite:///store\.db"):
        process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    # The article and its event were written before the failure, in the same transaction.
    assert (_count(store, Article), _count(store, Event), _count(store, Alert)) == (0, 0, 0)
    with store.session() as session:
        entry = session.get_one(Entry, entry_id)
        assert (entry.status, entry.lease_until, entry.claims) == ("pending", None, 0)

    monkeypatch.setattr(store, "record_ai_claims", real)
    summary = process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    assert summary.new_articles == 1
    assert (_count(store, Article), _count(store, Event), _count(store, Alert)) == (1, 1, 2)


def test_an_entry_that_breaks_the_extractor_fails_alone(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, good = _add(store, full_entry("bad", TICKERED), full_entry("good", REWORDED_COPY))
    real = process_module._read_article

    def explode_on_bad(entry: Any, *args: Any) -> Any:
        if entry.guid == "bad":
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return real(entry, *args)

    monkeypatch.setattr(process_module, "_read_article", explode_on_bad)
    summary = process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    assert (summary.errors, summary.new_articles) == (1, 1)
    with store.session() as session:
        assert session.get_one(Entry, bad).status == "failed"
        assert session.get_one(Entry, good).status == "done"


def test_an_entry_leased_by_another_worker_is_left_alone(store: Store, tmp_path: Path) -> None:
    held, free = _add(store, full_entry("held", TICKERED), full_entry("free", REWORDED_COPY))
    assert [entry.id for entry in store.claim_entries(1)] == [held]
    summary = process_pending(settings=_settings(tmp_path), store=store, feeds=[FEED])
    assert summary.new_articles == 1
    with store.session() as session:
        assert session.get_one(Entry, held).status == "pending"
        assert session.get_one(Entry, free).status == "done"


# -- claims and leases ---------------------------------------------------------------------


def test_claims_are_exclusive_until_the_lease_runs_out(store: Store) -> None:
    ids = _add(store, *(make_entry(f"g{n}") for n in range(4)))
    first = store.claim_entries(3)
    assert [entry.id for entry in first] == ids[:3]
    assert [entry.id for entry in store.claim_entries(10)] == ids[3:]
    assert store.claim_entries(10) == []
    expired = store.claim_entries(10, lease_seconds=-1)  # nothing free: no-op
    assert expired == []


def test_an_expired_lease_makes_the_entry_claimable_again(store: Store) -> None:
    (entry_id,) = _add(store, make_entry("g"))
    assert [e.id for e in store.claim_entries(1, lease_seconds=-1)] == [entry_id]  # worker dies
    assert [e.id for e in store.claim_entries(1)] == [entry_id]  # another takes over
    store.mark_entry(entry_id, "done")
    assert store.claim_entries(1) == []


def test_an_entry_that_keeps_killing_its_worker_is_given_up(store: Store) -> None:
    (entry_id,) = _add(store, make_entry("g"))
    for _ in range(MAX_LOST_CLAIMS):
        assert [e.id for e in store.claim_entries(1, lease_seconds=-1)] == [entry_id]
    assert store.claim_entries(1) == []
    with store.session() as session:
        entry = session.get_one(Entry, entry_id)
        assert entry.status == "failed"
        assert entry.attempts == MAX_ENTRY_ATTEMPTS
        assert "worker killed" in (entry.last_error or "")


def test_released_entries_are_claimable_at_once_and_lose_no_claim(store: Store) -> None:
    (entry_id,) = _add(store, make_entry("g"))
    store.claim_entries(1)
    store.release_entries([entry_id])
    assert [e.id for e in store.claim_entries(1)] == [entry_id]
    with store.session() as session:
        assert session.get_one(Entry, entry_id).claims == 1


def test_a_pass_does_not_retry_what_it_just_saw_fail(store: Store) -> None:
    (entry_id,) = _add(store, make_entry("g"))
    started = datetime.now(UTC)
    (claimed,) = store.claim_entries(1, touched_before=started)
    store.mark_entry(claimed.id, "failed", "HTTP 500")
    assert store.claim_entries(1, touched_before=started) == []
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert [e.id for e in store.claim_entries(1, touched_before=later)] == [entry_id]
