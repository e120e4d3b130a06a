"""Faults: the database going away mid-pass, and malformed feed entries.

A restart kills every connection: the entry being written rolls back whole, the pass
stops with one line naming the database (password hidden), and the next pass does the
work. Malformed entries (no GUID, no link, dates in the future) still dedupe.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from market_news.models import FeedEntry
from market_news.pipeline.process import process_pending
from market_news.settings import Settings
from market_news.store import Store, StoreUnavailableError
from market_news.store.schema import Alert, Article, Entry, Event
from similar_texts import TICKERED, full_entry
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from store_factories import FEED, make_entry, make_extraction

try:
    from support.databases import ADMIN_URL, require_postgres, sqlalchemy_url, temporary_database
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.support.databases import (
        ADMIN_URL,
        require_postgres,
        sqlalchemy_url,
        temporary_database,
    )

PASSWORD = "s3cret-never-printed"


@pytest.fixture
def outage_database() -> Iterator[str]:
    """A database of its own (its connections get killed), URL carrying a password."""
    require_postgres()
    with temporary_database("market_news_fault") as name:
        # Trust authentication ignores the password; it is only there to be hidden.
        url = make_url(sqlalchemy_url(name)).set(password=PASSWORD)
        yield url.render_as_string(hide_password=False)


def _admin(sql: str, database: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql.replace("{db}", database))  # type: ignore[arg-type]


def _kill_connections(database: str) -> None:
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = '{db}' AND pid <> pg_backend_pid()",
        database,
    )


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Article, Event, Alert)
        )


@pytest.mark.postgres
def test_a_database_restart_mid_entry_stops_the_pass_cleanly_and_the_next_completes(
    outage_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = make_url(outage_database).database or ""
    store = Store.open(outage_database)
    try:
        store.ensure_feed(FEED)
        store.add_entry(FEED.name, full_entry("wire", TICKERED))
        real = store.record_ai_claims

        def restart_then_record(*args: Any, **kwargs: Any) -> Any:
            _kill_connections(database)  # what a server restart does to every session
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "record_ai_claims", restart_then_record)
        with pytest.raises(StoreUnavailableError) as caught:
            process_pending(settings=Settings(data_dir=tmp_path), store=store, feeds=[FEED])
        message = str(caught.value)
        assert "\n" not in message
        assert PASSWORD not in message
        assert f"store database postgresql+psycopg://postgres:***@127.0.0.1:5432/{database}" in (
            message
        )
        monkeypatch.setattr(store, "record_ai_claims", real)
        assert _counts(store) == (0, 0, 0)  # the article and event rolled back with the claims
        summary = process_pending(settings=Settings(data_dir=tmp_path), store=store, feeds=[FEED])
        assert summary.new_articles == 1
        assert _counts(store) == (1, 1, 2)
    finally:
        store.close()


@pytest.mark.postgres
def test_a_database_that_stays_down_leaves_the_entry_for_a_later_pass(
    outage_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = make_url(outage_database).database or ""
    store = Store.open(outage_database)
    try:
        store.ensure_feed(FEED)
        (entry_id,) = [store.add_entry(FEED.name, full_entry("wire", TICKERED))]
        real = store.record_earnings

        def go_down_then_record(*args: Any, **kwargs: Any) -> Any:
            _admin('ALTER DATABASE "{db}" ALLOW_CONNECTIONS false', database)
            _kill_connections(database)
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "record_earnings", go_down_then_record)
        with pytest.raises(StoreUnavailableError, match="unavailable"):
            process_pending(settings=Settings(data_dir=tmp_path), store=store, feeds=[FEED])
        with pytest.raises(StoreUnavailableError, match="not currently accepting connections"):
            store.claim_entries(1)
        _admin('ALTER DATABASE "{db}" ALLOW_CONNECTIONS true', database)
        monkeypatch.setattr(store, "record_earnings", real)
        assert _counts(store) == (0, 0, 0)
        # The claim could not be handed back while the database was down: it holds until
        # its lease runs out (here: made to have run out), then the entry is done.
        with store.session() as session:
            session.execute(
                update(Entry).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
            )
        summary = process_pending(settings=Settings(data_dir=tmp_path), store=store, feeds=[FEED])
        assert summary.new_articles == 1
        with store.session() as session:
            assert session.get_one(Entry, entry_id).status == "done"
    finally:
        _admin('ALTER DATABASE "{db}" ALLOW_CONNECTIONS true', database)
        store.close()


def test_an_unreachable_database_is_one_line_without_the_password() -> None:
    url = f"postgresql+psycopg://market:{PASSWORD}@127.0.0.1:9/market_news?connect_timeout=2"
    with pytest.raises(StoreUnavailableError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert message.startswith("store database postgresql+psycopg://market:***@127.0.0.1:9/")
    assert PASSWORD not in message
    assert "\n" not in message


# -- malformed entries ------------------------------------------------------------------------


def _bare(title: str | None, summary: str | None, published: datetime | None) -> FeedEntry:
    return FeedEntry(
        feed_name=FEED.name,
        guid="",
        link=None,
        title=title,
        summary=summary,
        content_html=None,
        published=published,
    )


def test_an_entry_without_guid_or_link_dedupes_by_what_it_says(store: Store) -> None:
    store.ensure_feed(FEED)
    first = store.add_entry(FEED.name, _bare("Meta beats", "EPS $6.03", None))
    assert first is not None
    assert store.add_entry(FEED.name, _bare("Meta beats", "EPS $6.03", None)) is None
    assert store.add_entry(FEED.name, _bare("Meta misses", "EPS $4", None)) is not None
    (pending, _other) = store.pending_entries()
    assert pending.guid.startswith("urn:sha256:")
    with pytest.raises(ValueError, match="guid"):
        store.add_entry(FEED.name, _bare(None, None, None))


def test_a_date_in_the_future_is_stored_as_unknown(store: Store) -> None:
    store.ensure_feed(FEED)
    future = datetime.now(UTC) + timedelta(days=400)
    soon = datetime.now(UTC) + timedelta(hours=2)  # a clock a little ahead is fine
    store.add_entry(FEED.name, _bare("Far", "text", future))
    store.add_entry(FEED.name, _bare("Soon", "text", soon))
    dates = {entry.title: entry.published for entry in store.pending_entries()}
    assert dates["Far"] is None
    assert dates["Soon"] is not None
    assert abs((dates["Soon"] - soon).total_seconds()) < 1


def test_an_unparseable_article_date_does_not_stop_the_article(store: Store) -> None:
    store.ensure_feed(FEED)
    entry_id = store.add_entry(FEED.name, make_entry("g"))
    extraction = make_extraction()
    broken = type(extraction)(
        title="Meta", published="31/10/2024 25:99", language="en", text=extraction.text
    )
    result = store.add_article(
        entry_id,
        url="https://news.example.com/g",
        extraction=broken,
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    with store.session() as session:
        assert session.get_one(Article, result.article_id).published is None
