"""Migrations: the hand-written revision creates the models' schema, and re-running is safe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from market_news.store import Store, create_store_engine, migrate
from market_news.store.database import alembic_config
from market_news.store.schema import Base
from sqlalchemy import inspect, text
from store_factories import FEED, eps, make_entry

TABLES = {"feeds", "entries", "articles", "events", "ai_claims", "alerts", "alembic_version"}


def test_migration_creates_the_schema(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        migrate(engine)
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= TABLES
        unique = {
            (table, tuple(constraint["column_names"]))
            for table in ("entries", "articles", "events", "ai_claims", "alerts", "feeds")
            for constraint in inspector.get_unique_constraints(table)
        }
        assert {
            ("feeds", ("name",)),
            ("entries", ("feed_id", "guid")),
            ("articles", ("canonical_url",)),
            ("articles", ("fingerprint",)),
            ("events", ("event_key",)),
            ("ai_claims", ("claim_key",)),
            ("alerts", ("alert_key",)),
        } <= unique
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert version == head
    finally:
        engine.dispose()


def test_hand_written_migration_matches_the_models(store_url: str) -> None:
    """Autogenerate finds nothing to add: the revision and `schema.py` agree."""
    engine = create_store_engine(store_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_constraint_names_follow_the_convention(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        migrate(engine)
        inspector = inspect(engine)
        names = {c["name"] for c in inspector.get_unique_constraints("entries")}
        assert "uq_entries_feed_id_guid" in names
        foreign = {fk["name"] for fk in inspector.get_foreign_keys("entries")}
        assert foreign == {"fk_entries_feed_id_feeds"}
    finally:
        engine.dispose()


def test_migrating_an_existing_store_again_changes_nothing(store_url: str) -> None:
    first = Store.open(store_url)
    try:
        first.ensure_feed(FEED)
        entry_id = first.add_entry(FEED.name, make_entry("g-1"))
        queued = first.record_earnings(
            None,
            [eps()],
            article_url="https://news.example.com/a",
            article_title="Meta beats",
            published=None,
            language="en",
            company="Meta",
        )
        migrate(first.engine)  # explicit re-run on the same engine
    finally:
        first.close()
    again = Store.open(store_url)  # and the usual path: open() migrates on every start
    try:
        pending = again.pending_entries()
        assert [entry.id for entry in pending] == [entry_id]
        assert len(queued) == 1
        assert again.alert_counts()["pending"] == 1
        assert again.add_entry(FEED.name, make_entry("g-1")) is None
    finally:
        again.close()
