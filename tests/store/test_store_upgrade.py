"""Upgrading a store created at revision 0001, with data in it, to head loses nothing."""

from __future__ import annotations

import json
import zlib

from market_news.store import Store, create_store_engine, migrate
from sqlalchemy import Engine, inspect, text
from store_factories import FEED, eps

#: No explicit ids (PostgreSQL sequences would not advance): a fresh schema numbers from 1.
ROWS_0001 = [
    "INSERT INTO feeds (name, url) VALUES ('wire', 'https://feeds.example.com/wire.xml')",
    "INSERT INTO entries (feed_id, guid, link, status) VALUES "
    "(1, 'g-done', 'https://news.example.com/a', 'done'), "
    "(1, 'g-pending', 'https://news.example.com/b', 'pending')",
    "INSERT INTO articles (canonical_url, url, fingerprint, entry_id, extraction, raw_body,"
    " parser_version) VALUES ('https://news.example.com/a', 'https://news.example.com/a',"
    " 'f1', 1, :extraction, :body, '0.9')",
    "INSERT INTO events (event_key, ticker, period, fiscal_year, metrics, first_article_id)"
    " VALUES ('earnings:META:2024:Q3', 'META', 'Q3', 2024, :metrics, 1)",
    "INSERT INTO alerts (alert_key, event_key, kind, payload, status, ts, article_id) VALUES"
    " ('earnings:META:2024:Q3', 'earnings:META:2024:Q3', 'earnings', '{}', 'sent', '1.1', 1)",
]
METRICS = {
    "eps:adjusted": {
        "metric": "eps",
        "basis": "adjusted",
        "actual": 6.03,
        "estimate": 5.25,
        "currency": "USD",
        "article_url": "https://news.example.com/a",
    }
}


def _fill_0001(engine: Engine) -> None:
    parameters = {
        "extraction": json.dumps({"title": "Meta", "earnings": [], "ai_claims": []}),
        "body": zlib.compress(b"<p>Meta</p>"),
        "metrics": json.dumps(METRICS),
    }
    with engine.begin() as connection:
        for statement in ROWS_0001:
            wanted = {k: v for k, v in parameters.items() if f":{k}" in statement}
            connection.execute(text(statement), wanted)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("feeds", "entries", "articles", "events", "alerts")
        }


def test_a_0001_store_with_data_upgrades_to_head_without_loss(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        migrate(engine, "0001")
        assert "corrections" not in inspect(engine).get_table_names()
        _fill_0001(engine)
        before = _counts(engine)
        migrate(engine)
        assert _counts(engine) == before
        inspector = inspect(engine)
        assert {"corrections", "article_bands"} <= set(inspector.get_table_names())
        indexes = {i["name"] for t in ("events", "articles") for i in inspector.get_indexes(t)}
        assert {"ix_events_updated_at", "ix_articles_created_at"} <= indexes
        with engine.connect() as connection:
            # References survived (a table rebuild with foreign keys on would null them).
            first_article = connection.execute(
                text("SELECT first_article_id FROM events WHERE id = 1")
            ).scalar_one()
            claims = connection.execute(text("SELECT claims FROM entries WHERE id = 2")).scalar()
        assert (first_article, claims) == (1, 0)
    finally:
        engine.dispose()

    store = Store(create_store_engine(store_url))
    try:
        assert store.article_raw_body(1) == b"<p>Meta</p>"
        assert [entry.guid for entry in store.claim_entries(10)] == ["g-pending"]
        store.ensure_feed(FEED)
        (correction,) = store.record_earnings(
            None,
            [eps(6.10, 5.25)],
            article_url="https://news.example.com/c",
            article_title=None,
            published=None,
            language="en",
            company=None,
        )
        assert correction.kind == "correction"
        assert [c.old_value for c in store.corrections("earnings:META:2024:Q3")] == [6.03]
    finally:
        store.close()
