"""Retention (`market-news prune`) and replay (`market-news reprocess`)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from market_news.cli import main
from market_news.extract import extract_html
from market_news.maintenance import (
    EARNINGS_KEY,
    ReplaySummary,
    diff_items,
    parse_age,
    prune,
    reprocess,
)
from market_news.models import FeedConfig, FeedEntry
from market_news.store import Store
from market_news.store.schema import AIClaimRow, Alert, Article, ArticleBand, Entry, Event
from sqlalchemy import func, select, update

FEED = FeedConfig(name="wire", url="https://feeds.example.com/wire.xml")
STORY = (
    "Meta Platforms (NASDAQ:META) reported third-quarter revenue of $40.59 billion, beating "
    "analyst estimates of $40.29 billion. Adjusted earnings came to $6.03 per share, ahead "
    "of the $5.25 per share analysts had expected. Mark Zuckerberg said Llama 4 is being "
    "trained on a cluster of more than 100,000 H100 GPUs, bigger than anything reported by "
    "rivals, and that capital spending will rise significantly next year as the company "
    "builds more data centres for artificial intelligence."
)


def page(guid: str) -> str:
    """The story as a page; the byline differs per copy so the fingerprints differ."""
    byline = f"<p>Filed as story {guid} by the wire desk.</p>"
    return f"<html><body><article><h1>Meta beats</h1>{byline}<p>{STORY}</p></article></body></html>"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def store(store_url: str) -> Any:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def cli_env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line pointed at `store_url` (no .env from the project folder)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKET_NEWS_DB_URL", store_url)
    monkeypatch.setenv("MARKET_NEWS_DATA_DIR", str(tmp_path / "data"))
    return store_url


def _count(store: Store, model: type[Any], *where: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _entry(store: Store, guid: str) -> int:
    store.ensure_feed(FEED)
    entry = FeedEntry(FEED.name, guid, f"https://news.example.com/{guid}", "t", "s", None, None)
    entry_id = store.add_entry(FEED.name, entry)
    assert entry_id is not None
    return entry_id


def _store_article(store: Store, guid: str, *, old_parser_dropped_revenue: bool) -> int:
    """Store PAGE as an earlier parser would have: optionally without the revenue item."""
    entry_id = _entry(store, guid)
    extraction = extract_html(page(guid))
    if old_parser_dropped_revenue:
        extraction = replace(
            extraction, earnings=tuple(i for i in extraction.earnings if i.metric != "revenue")
        )
    url = f"https://news.example.com/{guid}"
    with store.atomic():
        added = store.add_article(
            entry_id,
            url=url,
            extraction=extraction,
            raw_body=page(guid).encode(),
            parser_version="0.9",
            feed_name=FEED.name,
            body_kind="html",
        )
        assert added.article_id is not None
        context: dict[str, Any] = {
            "article_url": url,
            "article_title": "Meta beats",
            "published": None,
            "language": "en",
        }
        store.record_earnings(added.article_id, extraction.earnings, company=None, **context)
        store.record_ai_claims(added.article_id, extraction.ai_claims, tickers=["META"], **context)
        store.mark_entry(entry_id, "done")
    return added.article_id


def _age(store: Store, days: int) -> None:
    """Make every row created so far `days` old."""
    then = datetime.now(UTC) - timedelta(days=days)
    with store.session() as session:
        for model in (Article, Entry, Event, Alert, AIClaimRow):
            session.execute(update(model).values(created_at=then))


# -- ages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), (" 4W ", timedelta(weeks=4))],
)
def test_ages_are_read_in_the_documented_units(text: str, expected: timedelta) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["90", "d", "-3d", "0d", "3y", "1.5d", ""])
def test_other_ages_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an age"):
        parse_age(text)


# -- prune --------------------------------------------------------------------------------


def test_prune_drops_old_bodies_signatures_and_entries_but_never_history(store: Store) -> None:
    old_article = _store_article(store, "old", old_parser_dropped_revenue=False)
    old_pending = _entry(store, "old-pending")
    _age(store, 100)
    new_article = _store_article(store, "new", old_parser_dropped_revenue=False)
    before = {m: _count(store, m) for m in (Event, Alert, AIClaimRow, Article)}

    report = prune(store, timedelta(days=90), label="90d")

    assert (report.raw_bodies, report.signatures, report.entries) == (1, 1, 1)
    assert report.to_dict()["older_than"] == "90d"
    assert store.article_raw_body(old_article) is None
    assert store.article_raw_body(new_article) == page("new").encode()
    assert _count(store, ArticleBand, ArticleBand.article_id == old_article) == 0
    assert _count(store, ArticleBand, ArticleBand.article_id == new_article) > 0
    # Work still owed is kept whatever its age; history is never touched.
    assert [entry.id for entry in store.pending_entries()] == [old_pending]
    assert {m: _count(store, m) for m in before} == before
    again = prune(store, timedelta(days=90))
    assert (again.raw_bodies, again.signatures, again.entries) == (0, 0, 0)


def test_prune_command_prints_one_json_line(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(cli_env)
    try:
        _store_article(store, "old", old_parser_dropped_revenue=False)
        _age(store, 20)
    finally:
        store.close()
    assert main(["prune", "--older-than", "2w"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    report = json.loads(line)
    assert (report["raw_bodies"], report["signatures"], report["entries"]) == (1, 1, 1)
    assert report["older_than"] == "2w"


def test_prune_refuses_a_bad_age(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prune", "--older-than", "soon"]) == 2
    assert "not an age" in capsys.readouterr().err


def test_prune_names_an_unreachable_database_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "MARKET_NEWS_DB_URL", "postgresql+psycopg://u:hunter2@127.0.0.1:9/x?connect_timeout=2"
    )
    assert main(["prune", "--older-than", "90d"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("market-news prune: store database postgresql+psycopg://u:***@")
    assert "hunter2" not in err
    assert "\n" not in err


# -- reprocess ----------------------------------------------------------------------------


def test_diff_pairs_items_by_identity_and_ignores_evidence() -> None:
    eps = {"ticker": "M", "period": "Q3", "fiscal_year": None, "metric": "eps", "basis": None}
    old = [{**eps, "actual": 1.0, "evidence": "a"}, {**eps, "metric": "revenue", "actual": 9}]
    new = [{**eps, "actual": 1.0, "evidence": "b"}, {**eps, "metric": "revenue", "actual": 8}]
    diff = diff_items(old, new, EARNINGS_KEY)
    assert (diff.added, diff.removed, diff.changed) == ((), (), (1,))
    assert diff.changed_from[0]["actual"] == 9
    gone = diff_items(old, new[:1], EARNINGS_KEY)
    assert (gone.added, [r["metric"] for r in gone.removed]) == ((), ["revenue"])


def test_reprocess_reports_without_writing_and_apply_alerts_only_real_changes(
    store: Store,
) -> None:
    article_id = _store_article(store, "a", old_parser_dropped_revenue=True)
    alerts_before = _count(store, Alert)

    dry = ReplaySummary(apply=False)
    (replay,) = list(reprocess(store, dry))
    report = replay.to_dict()
    assert replay.article_id == article_id
    assert [item["metric"] for item in report["earnings"]["added"]] == ["revenue"]
    assert report["earnings"]["removed"] == report["earnings"]["changed"] == []
    assert report["ai_claims"] == {"added": [], "removed": [], "changed": []}
    assert (dry.articles, dry.changed, dry.items_added, dry.alerts_queued) == (1, 1, 1, 0)
    assert _count(store, Alert) == alerts_before

    applied = ReplaySummary(apply=True)
    list(reprocess(store, applied))
    # The revenue figure is new to the event: one thread reply. EPS and the GPU claim are
    # unchanged: nothing.
    assert applied.alerts_queued == 1
    with store.session() as session:
        kinds = sorted(session.scalars(select(Alert.kind)))
        version = session.scalar(select(Article.parser_version).where(Article.id == article_id))
    assert kinds == ["ai_claims", "correction", "earnings"]
    assert version != "0.9"
    assert list(reprocess(store, ReplaySummary(apply=True))) == []


def test_replaying_an_old_article_does_not_undo_a_later_correction(store: Store) -> None:
    article_id = _store_article(store, "a", old_parser_dropped_revenue=True)
    extraction = extract_html(page("a"))
    corrected = [replace(i, actual=6.10) for i in extraction.earnings if i.metric == "eps"]
    store.record_earnings(
        None,
        corrected,
        article_url="https://other.example.com/fix",
        article_title=None,
        published=None,
        language="en",
        company=None,
    )
    list(reprocess(store, ReplaySummary(apply=True)))
    with store.session() as session:
        (event,) = session.scalars(select(Event))
    assert event.metrics["eps:adjusted"]["actual"] == 6.10  # the replay's 6.03 was unchanged
    changed_fields = [(c.metric, c.old_value) for c in store.corrections(event.event_key)]
    assert changed_fields == [("eps", 6.03), ("revenue", None), ("revenue", None)]
    assert article_id


def test_articles_without_a_body_are_skipped(store: Store) -> None:
    _store_article(store, "a", old_parser_dropped_revenue=True)
    _age(store, 100)
    prune(store, timedelta(days=1))
    summary = ReplaySummary(apply=False)
    assert list(reprocess(store, summary)) == []
    assert (summary.articles, summary.skipped) == (0, 1)


def test_reprocess_command_prints_json_lines_and_a_summary(cli_env: str) -> None:
    store = Store.open(cli_env)
    try:
        _store_article(store, "a", old_parser_dropped_revenue=True)
        _store_article(store, "b", old_parser_dropped_revenue=False)
    finally:
        store.close()
    cli = Path(sys.executable).with_name("market-news")
    done = subprocess.run(
        [str(cli), "reprocess"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line.get("url") for line in lines[:-1]] == ["https://news.example.com/a"]
    assert lines[-1]["summary"] is True
    assert (lines[-1]["articles"], lines[-1]["changed"], lines[-1]["unchanged"]) == (2, 1, 1)
    assert lines[-1]["applied"] is False
