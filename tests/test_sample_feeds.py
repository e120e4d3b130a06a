"""The bundled sample feeds for `make demo` hang together.

The demo serves `include/sample_feeds/` on a loopback port and substitutes `{{BASE_URL}}`
in every file. These checks make sure that, after that substitution, every feed parses,
every entry leads to an article file that exists, every article is reachable, and no file
names a host of its own.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

SAMPLES = Path(__file__).resolve().parent.parent / "include" / "sample_feeds"
FEEDS_DIR = SAMPLES / "feeds"
ARTICLES_DIR = SAMPLES / "articles"
PLACEHOLDER = "{{BASE_URL}}"
FAKE_BASE = "http://127.0.0.1:48123"

#: Absolute URIs that are names, not places: XML namespaces and the JSON-LD vocabulary.
NAMESPACE_URIS = {
    "http://www.w3.org/2005/Atom",
    "http://purl.org/dc/elements/1.1/",
    "https://schema.org",
}
ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>)]+""")

FEED_FILES = sorted(FEEDS_DIR.glob("*.xml"))
ARTICLE_FILES = sorted(ARTICLES_DIR.rglob("*.html"))
ALL_FILES = [*FEED_FILES, *ARTICLE_FILES, SAMPLES / "feeds.yaml"]


def _rendered(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace(PLACEHOLDER, FAKE_BASE)


@cache
def _parsed(path: Path) -> feedparser.FeedParserDict:
    return feedparser.parse(_rendered(path).encode("utf-8"))


def _file_for(url: str) -> Path:
    """The sample file a served URL maps to (query and fragment ignored, as the server does)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == FAKE_BASE, f"{url} is not on the demo server"
    return SAMPLES / parts.path.lstrip("/")


def _feed_links() -> dict[str, set[Path]]:
    """Feed file name -> the article files its entries link to."""
    return {
        feed.name: {_file_for(entry.link).resolve() for entry in _parsed(feed).entries}
        for feed in FEED_FILES
    }


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(_rendered(path), "lxml")


def test_the_expected_files_are_there() -> None:
    names = {p.name for p in FEED_FILES}
    assert {"markets-wire.xml", "tech-desk.xml", "nikkei-style-ja.xml"} <= names
    assert len(ARTICLE_FILES) >= 7
    assert (SAMPLES / "README.md").is_file()


@pytest.mark.parametrize("feed", FEED_FILES, ids=lambda p: p.name)
def test_feed_parses_cleanly(feed: Path) -> None:
    parsed = _parsed(feed)
    assert not parsed.bozo, f"{feed.name}: {parsed.get('bozo_exception')}"
    assert parsed.feed.get("title")
    assert parsed.entries, f"{feed.name} has no entries"


def test_feed_dialects() -> None:
    versions = {feed.name: _parsed(feed).version for feed in FEED_FILES}
    assert versions["markets-wire.xml"] == "rss20"
    assert versions["tech-desk.xml"] == "atom10"
    assert versions["nikkei-style-ja.xml"] == "rss20"
    assert _parsed(FEEDS_DIR / "nikkei-style-ja.xml").feed.get("language") == "ja"


@pytest.mark.parametrize("feed", FEED_FILES, ids=lambda p: p.name)
def test_every_entry_is_complete_and_only_a_teaser(feed: Path) -> None:
    for entry in _parsed(feed).entries:
        assert entry.get("title"), entry
        assert entry.get("id"), entry.title
        assert entry.get("published_parsed") or entry.get("updated_parsed"), entry.title
        summary = entry.get("summary", "")
        assert summary, entry.title
        # A teaser: short, and without the figures, so the pipeline has to fetch the page.
        assert len(summary) < 300, entry.title
        assert not re.search(r"\$\d|\d+(\.\d+)?億|ドル", summary), entry.title


@pytest.mark.parametrize("feed", FEED_FILES, ids=lambda p: p.name)
def test_every_entry_links_to_an_existing_article(feed: Path) -> None:
    for entry in _parsed(feed).entries:
        target = _file_for(entry.link)
        assert target.is_file(), f"{feed.name}: {entry.link} -> {target} is missing"
        assert ARTICLES_DIR in target.parents, f"{entry.link} is not an article"


def test_entry_ids_are_unique_across_feeds() -> None:
    ids = [entry.id for feed in FEED_FILES for entry in _parsed(feed).entries]
    assert len(ids) == len(set(ids))


def test_every_article_is_reachable_from_a_feed() -> None:
    linked = set().union(*_feed_links().values())
    unreached = [p.relative_to(SAMPLES) for p in ARTICLE_FILES if p.resolve() not in linked]
    assert not unreached, f"articles no feed links to: {unreached}"


def test_syndicated_copy_sits_in_another_feed_than_its_original() -> None:
    links = _feed_links()
    original = (ARTICLES_DIR / "meta-q3-2024.html").resolve()
    copy = (ARTICLES_DIR / "syndication" / "meta-ad-engine-ai-spend.html").resolve()
    feeds_with_original = {name for name, targets in links.items() if original in targets}
    feeds_with_copy = {name for name, targets in links.items() if copy in targets}
    assert feeds_with_original == {"markets-wire.xml"}
    assert feeds_with_copy == {"tech-desk.xml"}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_no_hard_coded_hosts(path: Path) -> None:
    """Every absolute URL is built on the placeholder; only namespace names are literal."""
    raw = path.read_text(encoding="utf-8")
    literal = set(ABSOLUTE_URL.findall(raw)) - NAMESPACE_URIS
    assert not literal, f"{path.name} names hosts: {sorted(literal)}"
    assert "localhost" not in raw
    assert not re.search(r"\b127\.0\.0\.1\b", raw)


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_link_in_an_article_uses_the_placeholder(path: Path) -> None:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    urls = [tag["href"] for tag in soup.find_all(href=True)]
    urls += [tag["src"] for tag in soup.find_all(src=True)]
    urls += [
        tag["content"]
        for tag in soup.find_all("meta", property=re.compile(r"^og:(url|image)$"))
        if tag.get("content")
    ]
    assert urls, path.name
    for url in urls:
        assert url.startswith(PLACEHOLDER + "/"), f"{path.name}: {url}"


@pytest.mark.parametrize("feed", FEED_FILES, ids=lambda p: p.name)
def test_every_link_in_a_feed_uses_the_placeholder(feed: Path) -> None:
    raw = feed.read_text(encoding="utf-8")
    links = re.findall(r"<link>([^<]*)</link>", raw) + re.findall(r'\bhref="([^"]*)"', raw)
    assert links
    for link in links:
        assert link.startswith(PLACEHOLDER + "/"), f"{feed.name}: {link}"


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_article_page_structure(path: Path) -> None:
    soup = _soup(path)
    og_title = soup.find("meta", property="og:title")
    assert og_title and og_title.get("content"), path.name
    published = soup.find("meta", property="article:published_time")
    assert published and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", published["content"]
    ), path.name
    canonical = soup.find("link", rel="canonical")
    assert canonical and _file_for(canonical["href"]).resolve() == path.resolve(), path.name
    assert soup.find("nav"), path.name
    assert soup.find("footer"), path.name
    article = soup.find("article")
    assert article and len(article.get_text(" ", strip=True)) > 600, path.name
    sidebar = soup.find("aside", class_="sidebar")
    assert sidebar and sidebar.find_all("a"), f"{path.name} has no sidebar headlines"
    assert not article.find_parent("aside"), path.name


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_json_ld_blocks_are_news_articles(path: Path) -> None:
    for block in _soup(path).find_all("script", type="application/ld+json"):
        data = json.loads(block.string)
        assert data["@type"] == "NewsArticle", path.name
        assert data["headline"]
        assert data["url"].startswith(FAKE_BASE + "/")


def test_some_but_not_all_articles_carry_json_ld() -> None:
    with_ld = [p for p in ARTICLE_FILES if _soup(p).find("script", type="application/ld+json")]
    assert 0 < len(with_ld) < len(ARTICLE_FILES)


def test_japanese_article_carries_the_q3_facts() -> None:
    path = ARTICLES_DIR / "meta-q3-2024-ja.html"
    soup = _soup(path)
    assert soup.html["lang"] == "ja"
    text = soup.find("article").get_text(" ", strip=True)
    for fact in (
        "第3四半期",
        "405.9億ドル",
        "402.9億ドル",
        "6.03ドル",
        "5.25ドル",
        "100,000台以上",
    ):
        assert fact in text, fact


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        ("meta-q2-2024.html", ["$39.07 billion", "$38.31 billion", "$5.16", "$4.73", "10 times"]),
        ("meta-q3-2024.html", ["$40.59 billion", "$40.29 billion", "$6.03", "$5.25", "100,000"]),
        (
            "syndication/meta-ad-engine-ai-spend.html",
            ["$40.59 billion", "$40.29 billion", "$6.03", "$5.25", "100,000"],
        ),
        ("northwind-q3-2024-miss.html", ["81 cents", "92 cents", "NYSE:NWND"]),
        (
            "microsoft-ai-datacenter-plan.html",
            ["$37 billion to $40 billion", "1-gigawatt", "24,576"],
        ),
    ],
)
def test_alerting_articles_carry_their_facts_in_the_body(name: str, facts: list[str]) -> None:
    text = _soup(ARTICLES_DIR / name).find("article").get_text(" ", strip=True)
    for fact in facts:
        assert fact in text, f"{name}: {fact}"


def test_syndicated_copy_is_not_a_byte_copy() -> None:
    original = _soup(ARTICLES_DIR / "meta-q3-2024.html")
    copy = _soup(ARTICLES_DIR / "syndication" / "meta-ad-engine-ai-spend.html")
    assert original.find("h1").get_text() != copy.find("h1").get_text()
    assert original.find("article").get_text() != copy.find("article").get_text()


def test_demo_feeds_file_points_at_the_bundled_feeds() -> None:
    config = yaml.safe_load(_rendered(SAMPLES / "feeds.yaml"))
    feeds = config["feeds"]
    names = [feed["name"] for feed in feeds]
    assert len(names) == len(set(names))
    targets = {_file_for(feed["url"]).resolve() for feed in feeds}
    assert targets == {p.resolve() for p in FEED_FILES}
    assert all(feed["fetch_article"] is True for feed in feeds)
