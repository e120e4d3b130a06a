"""Near-duplicates: a reworded syndicated copy is caught by MinHash; other stories are not."""

from __future__ import annotations

import pytest
from market_news.store import ArticleResult, Store
from market_news.store.schema import Article, ArticleBand
from market_news.store.similarity import (
    BANDS,
    NEAR_DUPLICATE_THRESHOLD,
    band_hashes,
    best_match,
    shingles,
    signature,
    similarity,
)
from similar_texts import (
    JAPANESE_COPY,
    JAPANESE_ORIGINAL,
    ORIGINAL,
    OTHER_META_STORY,
    REWORDED_COPY,
    TEMPLATED_OTHER_COMPANY,
)
from sqlalchemy import func, select
from store_factories import FEED, make_entry, make_extraction


def _sig(text: str) -> bytes:
    value = signature(text)
    assert value is not None
    return value


def test_a_reworded_copy_is_similar_and_other_stories_are_not() -> None:
    original = _sig(ORIGINAL)
    assert similarity(original, _sig(REWORDED_COPY)) >= NEAR_DUPLICATE_THRESHOLD
    assert similarity(original, _sig(OTHER_META_STORY)) < 0.2
    assert similarity(original, _sig(TEMPLATED_OTHER_COMPANY)) < 0.3


def test_signatures_are_compact_and_stable_across_calls() -> None:
    first = _sig(ORIGINAL)
    assert len(first) == 256
    assert first == _sig(ORIGINAL)
    assert len(band_hashes(first)) == BANDS
    assert len(set(band_hashes(first))) == BANDS


def test_text_written_without_spaces_is_shingled_by_characters() -> None:
    pieces = shingles(JAPANESE_ORIGINAL)
    assert all(len(piece) == 4 and " " not in piece for piece in pieces)
    assert similarity(_sig(JAPANESE_ORIGINAL), _sig(JAPANESE_COPY)) >= NEAR_DUPLICATE_THRESHOLD


def test_short_texts_get_no_signature() -> None:
    assert signature("Meta beats estimates. Read more.") is None
    assert signature("") is None


def test_best_match_needs_the_threshold_and_prefers_the_most_similar() -> None:
    new = _sig(REWORDED_COPY)
    assert best_match(new, [(7, _sig(OTHER_META_STORY))]) is None
    match = best_match(new, [(7, _sig(OTHER_META_STORY)), (3, _sig(ORIGINAL))])
    assert match is not None
    assert match[0] == 3
    assert best_match(new, []) is None
    with pytest.raises(ValueError, match="256 bytes"):
        similarity(new, b"short")


def _add(store: Store, guid: str, text: str, *, title: str = "Meta beats") -> ArticleResult:
    store.ensure_feed(FEED)
    entry_id = store.add_entry(FEED.name, make_entry(guid))
    return store.add_article(
        entry_id,
        url=f"https://{guid}.example.com/story",
        extraction=make_extraction(text, title=title),
        raw_body=text.encode(),
        parser_version="1",
        feed_name=FEED.name,
        body_kind="text",
    )


def test_a_syndicated_copy_is_stored_as_a_near_duplicate(store: Store) -> None:
    original = _add(store, "wire", ORIGINAL)
    copy = _add(store, "partner", REWORDED_COPY, title="Ad engine carries Meta past estimates")
    assert original.article_id is not None
    assert not original.is_duplicate
    assert copy.article_id is not None  # stored: its figures still go through event dedupe
    assert copy.article_id != original.article_id
    assert (copy.duplicate_of, copy.reason) == (original.article_id, "near_duplicate")
    assert copy.is_duplicate and copy.is_near_duplicate
    with store.session() as session:
        marked = session.scalar(
            select(Article.near_duplicate_of).where(Article.id == copy.article_id)
        )
        bands = session.scalar(select(func.count()).select_from(ArticleBand))
    assert marked == original.article_id
    assert bands == 2 * BANDS


def test_another_story_about_the_same_company_is_not_a_duplicate(store: Store) -> None:
    _add(store, "wire", ORIGINAL)
    other = _add(store, "glasses", OTHER_META_STORY, title="Meta eyes eyewear stake")
    templated = _add(store, "northwind", TEMPLATED_OTHER_COMPANY, title="Northwind misses")
    assert (other.article_id is not None, other.duplicate_of, other.reason) == (True, None, None)
    assert not templated.is_duplicate


def test_a_retried_near_duplicate_stays_one(store: Store) -> None:
    _add(store, "wire", ORIGINAL)
    store.ensure_feed(FEED)
    entry_id = store.add_entry(FEED.name, make_entry("partner"))
    arguments = {
        "url": "https://partner.example.com/story",
        "extraction": make_extraction(REWORDED_COPY),
        "raw_body": None,
        "parser_version": "1",
        "feed_name": FEED.name,
    }
    first = store.add_article(entry_id, **arguments)  # type: ignore[arg-type]
    retry = store.add_article(entry_id, **arguments)  # type: ignore[arg-type]
    assert retry == first
    assert retry.is_near_duplicate


def test_an_article_without_enough_text_has_no_signature(store: Store) -> None:
    result = _add(store, "teaser", "Meta beats estimates.")
    with store.session() as session:
        row = session.execute(
            select(Article.minhash, Article.near_duplicate_of).where(
                Article.id == result.article_id
            )
        ).one()
        bands = session.scalar(select(func.count()).select_from(ArticleBand))
    assert (row.minhash, row.near_duplicate_of, bands) == (None, None, 0)
