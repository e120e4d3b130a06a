"""Canonical URLs and fingerprints: the keys article-level dedupe stands on."""

from __future__ import annotations

import pytest
from market_news.store.canonical import canonical_url, content_fingerprint, normalise_text

BASE = "https://www.example.com/markets/meta-q3-earnings"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://WWW.EXAMPLE.COM/markets/meta-q3-earnings",
        "http://www.example.com/markets/meta-q3-earnings",
        "https://www.example.com:443/markets/meta-q3-earnings",
        "http://www.example.com:80/markets/meta-q3-earnings",
        "https://www.example.com/markets/meta-q3-earnings#comments",
        "https://www.example.com/markets/meta-q3-earnings/",
        "https://www.example.com/markets/meta-q3-earnings?utm_source=rss&utm_medium=feed",
        "https://www.example.com/markets/meta-q3-earnings?UTM_Campaign=x",
        "https://www.example.com/markets/meta-q3-earnings?fbclid=IwAR0abc",
        "https://www.example.com/markets/meta-q3-earnings?gclid=abc&mc_cid=1&mc_eid=2",
        "https://www.example.com/markets/meta-q3-earnings?msclkid=1&_hsenc=x&_hsmi=y",
        "https://www.example.com/markets/meta-q3-earnings/amp",
        "https://www.example.com/markets/meta-q3-earnings/amp/",
        "https://www.example.com/amp/markets/meta-q3-earnings",
        "https://www.example.com/markets/meta-q3-earnings?amp=1",
        "https://www.example.com/markets/meta-q3-earnings?amp",
        "https://www.example.com/markets/meta-q3-earnings?outputType=amp",
        "https://amp.www.example.com/markets/meta-q3-earnings",
        "https://user:secret@www.example.com/markets/meta-q3-earnings",
        "  https://www.example.com/markets/meta-q3-earnings  ",
        "https://www.example.com./markets/meta-q3-earnings",
    ],
)
def test_variants_of_one_article_share_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == BASE


def test_amp_subdomain_is_dropped() -> None:
    assert canonical_url("https://amp.cnbc.com/2024/10/30/meta.html") == (
        "https://cnbc.com/2024/10/30/meta.html"
    )


def test_amp_html_suffix_is_dropped() -> None:
    assert canonical_url("https://example.com/story.amp.html") == "https://example.com/story.html"


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    assert canonical_url("https://example.com/article?b=2&id=7&utm_source=x") == (
        "https://example.com/article?b=2&id=7"
    )
    assert canonical_url("https://example.com/article?id=7&b=2") == canonical_url(
        "https://example.com/article?b=2&id=7"
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("https://example.com/news/1", "https://example.com/news/2"),
        ("https://example.com/article?id=1", "https://example.com/article?id=2"),
        ("https://example.com/News/1", "https://example.com/news/1"),  # paths are case-sensitive
        ("https://example.com:8443/news/1", "https://example.com/news/1"),
        ("https://a.example.com/news/1", "https://b.example.com/news/1"),
        ("https://example.com/a?outputType=print", "https://example.com/a"),
    ],
)
def test_different_articles_stay_different(left: str, right: str) -> None:
    assert canonical_url(left) != canonical_url(right)


def test_root_path_and_percent_escapes() -> None:
    assert canonical_url("https://Example.com") == "https://example.com/"
    assert canonical_url("https://example.com/a%2fb") == canonical_url("https://example.com/a%2Fb")


def test_non_http_identifiers_are_left_alone() -> None:
    assert canonical_url(" urn:uuid:1234 ") == "urn:uuid:1234"
    assert canonical_url("tag:example.com,2024:1") == "tag:example.com,2024:1"


def test_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    text = "Meta reported EPS of $6.03 — beating the $5.25 consensus.\n\nShares rose 4%."
    copy = "META reported  EPS of $6.03 - beating the $5.25 consensus. Shares rose 4 %"
    assert content_fingerprint(text) == content_fingerprint(copy)


def test_fingerprint_folds_full_width_characters() -> None:
    assert normalise_text("ＥＰＳ　６．０３ドル") == normalise_text("EPS 6.03ドル")


def test_fingerprint_tells_different_texts_apart() -> None:
    text = "Meta reported EPS of $6.03, beating the $5.25 consensus estimate."
    assert content_fingerprint(text) != content_fingerprint(text.replace("6.03", "6.04"))


@pytest.mark.parametrize("text", ["", "   ", "Read more", "!!! ??? ..."])
def test_too_little_text_has_no_fingerprint(text: str) -> None:
    assert content_fingerprint(text) is None
