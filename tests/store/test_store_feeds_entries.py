"""Feeds and entries: polling state, GUID dedupe, the pending-work queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from market_news.models import FeedConfig
from market_news.store import Store
from market_news.store.repository import MAX_ENTRY_ATTEMPTS, poll_backoff
from market_news.store.schema import Feed
from sqlalchemy import event, select
from store_factories import FEED, OTHER_FEED, make_entry


def test_ensure_feed_is_idempotent_and_keeps_the_id(store: Store) -> None:
    first = store.ensure_feed(FEED)
    assert store.ensure_feed(FEED) == first
    assert store.ensure_feed(OTHER_FEED) != first


def test_a_new_feed_url_forgets_the_old_validators(store: Store) -> None:
    store.ensure_feed(FEED)
    store.record_poll_success(
        FEED.name, etag='"v1"', last_modified="Wed, 30 Oct", not_modified=False
    )
    store.ensure_feed(FEED)  # same URL: validators kept
    assert store.feed_state(FEED.name).etag == '"v1"'
    store.ensure_feed(FeedConfig(name=FEED.name, url="https://feeds.example.com/moved.xml"))
    state = store.feed_state(FEED.name)
    assert (state.etag, state.last_modified) == (None, None)


def test_feed_state_of_an_unknown_feed_is_empty(store: Store) -> None:
    state = store.feed_state("never-polled")
    assert (state.etag, state.consecutive_failures, state.next_poll_at) == (None, 0, None)


def test_poll_failures_back_off_and_success_resets(store: Store) -> None:
    store.ensure_feed(FEED)
    store.record_poll_failure(FEED.name, "timeout")
    store.record_poll_failure(FEED.name, "HTTP 503")
    state = store.feed_state(FEED.name)
    assert state.consecutive_failures == 2
    assert state.last_error == "HTTP 503"
    assert state.next_poll_at is not None
    assert state.next_poll_at.tzinfo is not None
    store.record_poll_success(FEED.name, etag='"abc"', last_modified=None, not_modified=False)
    state = store.feed_state(FEED.name)
    assert (state.consecutive_failures, state.last_error, state.next_poll_at) == (0, None, None)
    assert state.etag == '"abc"'
    assert state.last_success_at is not None


def test_not_modified_keeps_validators_the_answer_did_not_repeat(store: Store) -> None:
    store.ensure_feed(FEED)
    store.record_poll_success(FEED.name, etag='"abc"', last_modified="Wed", not_modified=False)
    store.record_poll_success(FEED.name, etag=None, last_modified=None, not_modified=True)
    state = store.feed_state(FEED.name)
    assert (state.etag, state.last_modified) == ('"abc"', "Wed")


def test_prepare_feeds_registers_new_feeds_and_returns_every_state(store: Store) -> None:
    store.ensure_feed(FEED)
    store.record_poll_success(FEED.name, etag='"v1"', last_modified="Wed", not_modified=False)
    states = store.prepare_feeds([FEED, OTHER_FEED])
    assert set(states) == {FEED.name, OTHER_FEED.name}
    assert (states[FEED.name].etag, states[FEED.name].last_modified) == ('"v1"', "Wed")
    assert states[OTHER_FEED.name] == store.feed_state(OTHER_FEED.name)
    assert store.ensure_feed(OTHER_FEED) > 0, "registered: ensure_feed finds the row"


def test_prepare_feeds_writes_nothing_for_feeds_that_did_not_change(store: Store) -> None:
    store.prepare_feeds([FEED, OTHER_FEED])
    writes: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE"}:
            writes.append(statement)

    event.listen(store.engine, "before_cursor_execute", remember)
    try:
        store.prepare_feeds([FEED, OTHER_FEED])
        assert writes == []
        moved = FeedConfig(name=FEED.name, url="https://feeds.example.com/moved.xml")
        store.prepare_feeds([moved, OTHER_FEED])
        assert len(writes) == 1, "only the feed whose URL changed is upserted"
    finally:
        event.remove(store.engine, "before_cursor_execute", remember)


def test_prepare_feeds_forgets_validators_of_a_moved_feed(store: Store) -> None:
    store.ensure_feed(FEED)
    store.record_poll_failure(FEED.name, "HTTP 503")
    store.record_poll_success(FEED.name, etag='"v1"', last_modified="Wed", not_modified=False)
    store.record_poll_failure(FEED.name, "HTTP 503")
    moved = FeedConfig(name=FEED.name, url="https://feeds.example.com/moved.xml", language="ja")
    state = store.prepare_feeds([moved])[FEED.name]
    assert (state.etag, state.last_modified, state.next_poll_at) == (None, None, None)
    assert state.consecutive_failures == 1, "the failure streak is the feed's, kept"


def test_record_polls_not_modified_counts_each_feed_once_and_keeps_validators(
    store: Store,
) -> None:
    store.prepare_feeds([FEED, OTHER_FEED])
    store.record_poll_success(FEED.name, etag='"v1"', last_modified="Wed", not_modified=False)
    store.record_poll_failure(OTHER_FEED.name, "timeout")
    store.record_polls_not_modified([FEED.name, OTHER_FEED.name, FEED.name, "unknown"])
    store.record_polls_not_modified([])
    with store.session() as session:
        rows = {
            row.name: row
            for row in session.execute(
                select(Feed.name, Feed.polls, Feed.not_modified_count, Feed.etag)
            )
        }
    assert (rows[FEED.name].polls, rows[FEED.name].not_modified_count) == (2, 1)
    assert (rows[OTHER_FEED.name].polls, rows[OTHER_FEED.name].not_modified_count) == (2, 1)
    assert rows[FEED.name].etag == '"v1"'
    state = store.feed_state(OTHER_FEED.name)
    assert (state.consecutive_failures, state.last_error, state.next_poll_at) == (0, None, None)
    assert state.last_success_at is not None


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    assert poll_backoff(1) == timedelta(minutes=1)
    assert poll_backoff(2) == timedelta(minutes=2)
    assert poll_backoff(4) == timedelta(minutes=8)
    assert poll_backoff(7) == timedelta(hours=1)
    assert poll_backoff(500) == timedelta(hours=1)


def test_recording_a_poll_of_an_unknown_feed_raises(store: Store) -> None:
    with pytest.raises(LookupError):
        store.record_poll_failure("nope", "x")
    with pytest.raises(LookupError):
        store.add_entry("nope", make_entry("g"))


def test_the_same_guid_in_one_feed_is_stored_once(store: Store) -> None:
    store.ensure_feed(FEED)
    entry_id = store.add_entry(FEED.name, make_entry("guid-1"))
    assert entry_id is not None
    assert store.add_entry(FEED.name, make_entry("guid-1")) is None
    assert [entry.id for entry in store.pending_entries()] == [entry_id]


def test_the_same_guid_or_link_in_another_feed_is_that_feeds_entry(store: Store) -> None:
    store.ensure_feed(FEED)
    store.ensure_feed(OTHER_FEED)
    link = "https://news.example.com/shared-story"
    first = store.add_entry(FEED.name, make_entry("guid-1", link))
    second = store.add_entry(OTHER_FEED.name, make_entry("guid-1", link, feed=OTHER_FEED.name))
    assert first is not None
    assert second is not None
    assert first != second


def test_add_entries_stores_each_new_guid_once_in_order(store: Store) -> None:
    store.ensure_feed(FEED)
    known = store.add_entry(FEED.name, make_entry("known"))
    batch = [make_entry(f"g{n}") for n in range(450)]  # more than one multi-row INSERT
    batch[10:10] = [make_entry("known"), make_entry("g3")]  # stored before; repeated
    ids = store.add_entries(FEED.name, batch)
    assert ids[10:12] == [None, None]
    fresh = [entry_id for entry_id in ids if entry_id is not None]
    assert len(fresh) == 450 == len(set(fresh))
    pending = store.pending_entries(limit=1000)
    assert [entry.id for entry in pending] == [known, *sorted(fresh)]
    by_id = {entry.id: entry for entry in pending}
    for entry, entry_id in zip(batch, ids, strict=True):
        if entry_id is not None:
            assert by_id[entry_id].to_feed_entry() == entry
    assert store.add_entries(FEED.name, batch[:5]) == [None] * 5
    assert store.add_entries(FEED.name, []) == []
    with pytest.raises(LookupError):
        store.add_entries("nope", [make_entry("x")])


def test_pending_entries_carry_what_the_feed_gave(store: Store) -> None:
    store.ensure_feed(FEED)
    entry = make_entry("guid-1")
    store.add_entry(FEED.name, entry)
    (pending,) = store.pending_entries()
    assert pending.to_feed_entry() == entry
    assert pending.feed_name == FEED.name
    assert pending.attempts == 0


def test_done_entries_leave_the_queue_and_failed_ones_retry_until_the_limit(store: Store) -> None:
    store.ensure_feed(FEED)
    done = store.add_entry(FEED.name, make_entry("done"))
    failing = store.add_entry(FEED.name, make_entry("failing"))
    assert done is not None
    assert failing is not None
    store.mark_entry(done, "done")
    for attempt in range(1, MAX_ENTRY_ATTEMPTS + 1):
        assert [entry.id for entry in store.pending_entries()] == [failing]
        store.mark_entry(failing, "failed", f"HTTP 500 (attempt {attempt})")
    assert store.pending_entries() == []


def test_pending_entries_respects_the_limit_and_order(store: Store) -> None:
    store.ensure_feed(FEED)
    ids = [store.add_entry(FEED.name, make_entry(f"g{n}")) for n in range(5)]
    assert [entry.id for entry in store.pending_entries(limit=3)] == ids[:3]


def test_mark_entry_refuses_an_unknown_status(store: Store) -> None:
    with pytest.raises(ValueError, match="status"):
        store.mark_entry(1, "exploded")  # type: ignore[arg-type]
