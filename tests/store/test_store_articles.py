"""Articles: URL-level and content-level dedupe, raw bodies kept compressed."""

from __future__ import annotations

from market_news.store import Store
from market_news.store.schema import Article
from sqlalchemy import select
from store_factories import ARTICLE_TEXT, FEED, make_entry, make_extraction


def _entry(store: Store, guid: str) -> int:
    store.ensure_feed(FEED)
    entry_id = store.add_entry(FEED.name, make_entry(guid))
    assert entry_id is not None
    return entry_id


def test_a_new_article_is_stored(store: Store) -> None:
    entry_id = _entry(store, "a")
    result = store.add_article(
        entry_id,
        url="https://news.example.com/meta?utm_source=rss",
        extraction=make_extraction(),
        raw_body=b"<html>body</html>",
        parser_version="1",
        feed_name=FEED.name,
    )
    assert result.article_id is not None
    assert (result.duplicate_of, result.reason, result.is_duplicate) == (None, None, False)
    assert store.article_raw_body(result.article_id) == b"<html>body</html>"
    with store.engine.connect() as connection:
        row = connection.execute(
            select(Article.canonical_url, Article.raw_body, Article.extraction)
        ).one()
    assert row.canonical_url == "https://news.example.com/meta"
    assert row.raw_body != b"<html>body</html>"  # stored compressed
    assert row.extraction["tickers"] == ["META"]


def test_the_same_article_under_a_tracking_or_amp_url_is_a_url_duplicate(store: Store) -> None:
    first = store.add_article(
        _entry(store, "a"),
        url="https://news.example.com/meta",
        extraction=make_extraction(),
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    again = store.add_article(
        _entry(store, "b"),
        url="http://NEWS.example.com/meta/amp/?utm_campaign=x#top",
        extraction=make_extraction("Completely different text of a page that changed since."),
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    assert again.article_id is None
    assert again.duplicate_of == first.article_id
    assert again.reason == "url"


def test_a_syndicated_copy_is_a_fingerprint_duplicate(store: Store) -> None:
    first = store.add_article(
        _entry(store, "a"),
        url="https://news.example.com/meta",
        extraction=make_extraction(),
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    copy = store.add_article(
        _entry(store, "b"),
        url="https://finance.other.example/stories/meta-earnings",
        extraction=make_extraction("  " + ARTICLE_TEXT.upper().replace(",", " ,") + "\n"),
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    assert (copy.article_id, copy.duplicate_of, copy.reason) == (
        None,
        first.article_id,
        "fingerprint",
    )


def test_articles_without_text_are_only_deduplicated_by_url(store: Store) -> None:
    results = [
        store.add_article(
            _entry(store, guid),
            url=f"https://news.example.com/{guid}",
            extraction=make_extraction(""),
            raw_body=None,
            parser_version="1",
            feed_name=FEED.name,
        )
        for guid in ("a", "b")
    ]
    assert all(result.article_id is not None for result in results)


def test_storing_the_same_entry_again_is_a_retry_not_a_duplicate(store: Store) -> None:
    entry_id = _entry(store, "a")
    arguments = {
        "url": "https://news.example.com/meta",
        "extraction": make_extraction(),
        "raw_body": None,
        "parser_version": "1",
        "feed_name": FEED.name,
    }
    first = store.add_article(entry_id, **arguments)  # type: ignore[arg-type]
    retry = store.add_article(entry_id, **arguments)  # type: ignore[arg-type]
    assert retry.article_id == first.article_id
    assert not retry.is_duplicate
