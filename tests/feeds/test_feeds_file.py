"""load_feeds_file: the bundled file, and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from market_news.feeds import FeedsFileError, load_feeds_file
from market_news.models import FeedConfig
from market_news.settings import DEFAULT_FEEDS_FILE


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_feeds_file_loads() -> None:
    feeds = load_feeds_file(DEFAULT_FEEDS_FILE)
    assert feeds, "the bundled file lists example feeds"
    assert any(feed.name == "benzinga-news" for feed in feeds)
    for feed in feeds:
        assert feed.url.startswith("https://")
        assert feed.fetch_article is True


def test_bundled_feeds_file_documents_every_key() -> None:
    text = DEFAULT_FEEDS_FILE.read_text(encoding="utf-8")
    for key in ("name", "url", "language", "fetch_article"):
        assert f"#   {key}" in text


def test_full_and_minimal_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
feeds:
  - name: benzinga-news
    url: https://www.benzinga.com/feed
    language: en
    fetch_article: false
  - name: " minimal "
    url: "http://news.example/rss "
  - name: regional
    url: https://news.example/ja
    language: ja_JP
""",
    )
    assert load_feeds_file(path) == [
        FeedConfig("benzinga-news", "https://www.benzinga.com/feed", "en", False),
        FeedConfig("minimal", "http://news.example/rss", None, True),
        FeedConfig("regional", "https://news.example/ja", "ja-jp", True),
    ]


def test_empty_list_is_allowed(tmp_path: Path) -> None:
    assert load_feeds_file(_write(tmp_path, "feeds: []\n")) == []


def test_loopback_urls_are_a_runtime_question(tmp_path: Path) -> None:
    """The demo serves feeds on 127.0.0.1: the file accepts them, the fetch policy decides."""
    path = _write(tmp_path, "feeds:\n  - name: local\n    url: http://127.0.0.1:8000/feed.xml\n")
    assert load_feeds_file(path)[0].url == "http://127.0.0.1:8000/feed.xml"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("feeds: [\n", "invalid YAML at line"),
        ("feeds:\n  - name: a\n   url: b\n", "invalid YAML"),
        ("", "no top-level 'feeds' list"),
        ("- name: a\n  url: https://a.example/\n", "no top-level 'feeds' list"),
        ("feed:\n  - name: a\n", "no top-level 'feeds' list"),
        ("feeds: []\nextra: 1\n", "unknown top-level key 'extra'"),
        ("feeds: https://a.example/\n", "'feeds' must be a list"),
        ("feeds:\n", "'feeds' must be a list"),
        ("feeds:\n  - https://a.example/\n", "feed #1: expected a mapping"),
        ("feeds:\n  - url: https://a.example/\n", "feed #1: missing 'name'"),
        ("feeds:\n  - name: ''\n    url: https://a.example/\n", "feed #1: missing 'name'"),
        ("feeds:\n  - name: 42\n    url: https://a.example/\n", "feed #1: missing 'name'"),
        ("feeds:\n  - name: a\n", "feed #1 (a): missing 'url'"),
        ("feeds:\n  - name: a\n    url: ''\n", "feed #1 (a): missing 'url'"),
        ("feeds:\n  - name: a\n    url: [x]\n", "feed #1 (a): missing 'url'"),
        ("feeds:\n  - name: a\n    url: ftp://a.example/f\n", "feed #1 (a): bad url: scheme 'ftp'"),
        ("feeds:\n  - name: a\n    url: file:///etc/passwd\n", "bad url: scheme 'file'"),
        ("feeds:\n  - name: a\n    url: a.example/feed\n", "bad url"),
        ("feeds:\n  - name: a\n    url: http://0x7f000001/\n", "bad url: ambiguous IPv4"),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n"
            "  - name: a\n    url: https://b.example/\n",
            "feed #2: duplicate name 'a'",
        ),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n    fetch_articles: true\n",
            "feed #1 (a): unknown key 'fetch_articles'",
        ),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n    fetch_article: maybe\n",
            "'fetch_article' must be true or false",
        ),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n    language: English please\n",
            "'language' must be a language code",
        ),
        ('feeds:\n  - name: "a\\nb"\n    url: https://a.example/\n', "must be printable"),
        ("!!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ],
)
def test_mistakes_give_one_line_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(FeedsFileError) as caught:
        load_feeds_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(FeedsFileError, match=r"nowhere\.yaml: feeds file not found$"):
        load_feeds_file(path)


def test_a_directory_is_not_a_feeds_file(tmp_path: Path) -> None:
    with pytest.raises(FeedsFileError, match="cannot read"):
        load_feeds_file(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(FeedsFileError, match="not UTF-8"):
        load_feeds_file(path)
