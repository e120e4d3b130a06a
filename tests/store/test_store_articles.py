"""Articles: URL-level and content-level dedupe, raw bodies kept compressed."""

from __future__ import annotations

from market_news.store import Store, StoredArticle, canonical_url, content_fingerprint
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


def _add(store: Store, entry_id: int, url: str, text: str) -> int:
    result = store.add_article(
        entry_id,
        url=url,
        extraction=make_extraction(text),
        raw_body=None,
        parser_version="1",
        feed_name=FEED.name,
    )
    assert result.article_id is not None
    return result.article_id


def test_find_article_answers_by_url_first_then_by_text(store: Store) -> None:
    first_entry, second_entry = _entry(store, "a"), _entry(store, "b")
    by_url = _add(store, first_entry, "https://news.example.com/one", ARTICLE_TEXT)
    other_text = ARTICLE_TEXT.replace("third-quarter", "fourth-quarter")
    by_text = _add(store, second_entry, "https://news.example.com/two", other_text)
    one = canonical_url("https://news.example.com/one?utm_source=rss")
    fingerprint = content_fingerprint(other_text)

    found = store.find_article(one, fingerprint)
    assert found == StoredArticle(by_url, first_entry, None, "url"), "the URL wins"
    found = store.find_article("https://news.example.com/unknown", fingerprint)
    assert found == StoredArticle(by_text, second_entry, None, "fingerprint")
    assert store.find_article("https://news.example.com/unknown", None) is None
    assert store.find_article("https://news.example.com/unknown", "0" * 64) is None


def test_find_article_inside_atomic_sees_the_transactions_own_writes(store: Store) -> None:
    entry_id = _entry(store, "a")
    url = "https://news.example.com/pending"
    with store.atomic():
        article_id = _add(store, entry_id, url, ARTICLE_TEXT)
        assert store.find_article(url, None) == StoredArticle(article_id, entry_id, None, "url")
    for _ in range(20):  # standalone reads leave no transaction or connection behind
        assert store.find_article(url, None) is not None
    assert store.engine.pool.checkedout() == 0
