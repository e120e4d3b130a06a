"""parse_feed: the feed dialects, missing fields, malformed and hostile documents."""

from __future__ import annotations

import io
import logging
import time
import tracemalloc
from datetime import UTC, datetime

import feedparser
import pytest
from market_news.feeds import FeedParseError, parse_feed
from market_news.models import FeedConfig

FEED = FeedConfig(name="test-feed", url="https://news.example/feed", language="en")

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example News</title><link>https://news.example/</link><language>en-US</language>
  <item>
    <guid isPermaLink="false">news-1</guid>
    <title>Meta beats estimates</title>
    <link>https://news.example/articles/meta-q3</link>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>Meta reported EPS of $6.03 versus $5.25.</p>]]></content:encoded>
    <pubDate>Wed, 30 Oct 2024 20:05:00 GMT</pubDate>
  </item>
  <item>
    <title>Second story</title>
    <link>/articles/second</link>
    <pubDate>Wed, 30 Oct 2024 16:00:00 -0400</pubDate>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja-JP">
  <title>例</title><link href="https://news.example/"/>
  <id>urn:example:feed</id><updated>2024-10-31T09:00:00+09:00</updated>
  <entry>
    <id>tag:news.example,2024:meta-q3-ja</id>
    <title>メタ、予想を上回る</title>
    <link rel="alternate" href="/ja/meta-q3"/>
    <updated>2024-10-31T05:05:00+09:00</updated>
    <summary>要約</summary>
    <content type="html">&lt;p&gt;売上高は405.9億ドル&lt;/p&gt;</content>
  </entry>
</feed>""".encode()

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example/">
    <title>RDF News</title><link>https://news.example/</link><dc:language>de</dc:language>
  </channel>
  <item rdf:about="https://news.example/rdf/1">
    <title>RDF item</title><link>https://news.example/rdf/1</link>
    <description>An RSS 1.0 item.</description><dc:date>2024-10-30T12:00:00Z</dc:date>
  </item>
</rdf:RDF>"""


def test_rss2() -> None:
    first, second = parse_feed(RSS, FEED, base_url="https://news.example/feed.xml")
    assert first.feed_name == "test-feed"
    assert first.guid == "news-1"
    assert first.link == "https://news.example/articles/meta-q3"
    assert first.title == "Meta beats estimates"
    assert first.summary == "Short teaser."
    assert first.content_html == "<p>Meta reported EPS of $6.03 versus $5.25.</p>"
    assert first.has_full_content
    assert first.published == datetime(2024, 10, 30, 20, 5, tzinfo=UTC)
    assert first.language == "en"
    assert second.link == "https://news.example/articles/second"  # made absolute
    assert second.guid == second.link  # no guid: the link identifies it
    assert second.published == datetime(2024, 10, 30, 20, 0, tzinfo=UTC)  # -0400 to UTC


def test_atom() -> None:
    (entry,) = parse_feed(ATOM, FEED, base_url="https://news.example/atom")
    assert entry.guid == "tag:news.example,2024:meta-q3-ja"
    assert entry.link == "https://news.example/ja/meta-q3"
    assert entry.title == "メタ、予想を上回る"
    assert entry.summary == "要約"
    assert entry.content_html == "<p>売上高は405.9億ドル</p>"
    assert entry.published == datetime(2024, 10, 30, 20, 5, tzinfo=UTC)
    assert entry.language == "ja"  # the document's xml:lang beats the feeds-file hint


def test_rdf() -> None:
    (entry,) = parse_feed(RDF, FEED)
    assert entry.title == "RDF item"
    assert entry.link == "https://news.example/rdf/1"
    assert entry.summary == "An RSS 1.0 item."
    assert entry.published == datetime(2024, 10, 30, 12, 0, tzinfo=UTC)
    assert entry.language == "de"  # the feed's own language beats the hint


def test_content_only_entry_has_no_summary() -> None:
    """feedparser copies content:encoded into summary; that is not a teaser."""
    body = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
    <channel><title>x</title><item><title>Full</title><link>https://news.example/full</link>
    <content:encoded><![CDATA[<p>The whole article.</p>]]></content:encoded></item>
    </channel></rss>"""
    (entry,) = parse_feed(body, FEED)
    assert entry.summary is None
    assert entry.content_html == "<p>The whole article.</p>"
    assert entry.has_full_content


def test_language_falls_back_to_the_hint() -> None:
    body = b"""<rss version="2.0"><channel><title>x</title>
    <item><title>A</title><link>https://news.example/a</link></item></channel></rss>"""
    (entry,) = parse_feed(body, FeedConfig(name="jp", url="https://x.example/", language="ja"))
    assert entry.language == "ja"
    (entry,) = parse_feed(body, FeedConfig(name="none", url="https://x.example/"))
    assert entry.language is None


def test_entries_without_guid_link_or_date() -> None:
    body = b"""<rss version="2.0"><channel><title>x</title>
      <item><title>Only a title</title><pubDate>Wed, 30 Oct 2024 20:05:00 GMT</pubDate></item>
      <item><description>Only a description</description></item>
      <item></item>
    </channel></rss>"""
    entries = parse_feed(body, FEED)
    assert [e.title for e in entries] == ["Only a title", None]  # the empty item is skipped
    for entry in entries:
        assert entry.guid.startswith("urn:sha256:")
        assert entry.link is None
    assert entries[1].published is None
    # Stable across polls: the same document gives the same ids.
    assert [e.guid for e in parse_feed(body, FEED)] == [e.guid for e in entries]
    assert entries[0].guid != entries[1].guid


def test_hashed_guid_depends_on_title_and_date() -> None:
    def one(title: str, date: str) -> str:
        body = (
            f'<rss version="2.0"><channel><item><title>{title}</title>'
            f"<pubDate>{date}</pubDate></item></channel></rss>"
        ).encode()
        return parse_feed(body, FEED)[0].guid

    monday, tuesday = "Mon, 28 Oct 2024 10:00:00 GMT", "Tue, 29 Oct 2024 10:00:00 GMT"
    assert one("Markets wrap", monday) == one("Markets wrap", monday)
    assert one("Markets wrap", monday) != one("Markets wrap", tuesday)
    assert one("Markets wrap", monday) != one("Other", monday)


def test_relative_links_without_a_base_use_the_channel_link() -> None:
    body = b"""<rss version="2.0"><channel><title>x</title><link>https://news.example/</link>
      <item><title>A</title><link>/articles/a</link></item></channel></rss>"""
    (entry,) = parse_feed(body, FEED)
    assert entry.link == "https://news.example/articles/a"


def test_unusable_links_are_dropped() -> None:
    body = b"""<rss version="2.0"><channel><title>x</title>
      <item><title>A</title><link>javascript:alert(1)</link></item>
      <item><title>B</title><link>relative/only</link></item>
      <item><title>C</title><link>mailto:desk@news.example</link></item>
    </channel></rss>"""
    entries = parse_feed(body, FEED)
    assert [e.link for e in entries] == [None, None, None]
    assert all(e.guid for e in entries)


@pytest.mark.parametrize(
    "date",
    ["Someday soon", "", "Wed, 31 Feb 2024 25:61:00 GMT", "0000-00-00T00:00:00Z", "soon-ish"],
)
def test_unparseable_dates_are_none(date: str) -> None:
    body = (
        f'<rss version="2.0"><channel><item><title>A</title><link>https://news.example/a</link>'
        f"<pubDate>{date}</pubDate></item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(body, FEED)
    assert entry.published is None


def test_far_future_date_is_kept() -> None:
    body = b"""<rss version="2.0"><channel><item><title>A</title><link>https://news.example/a</link>
      <pubDate>Thu, 30 Oct 9999 20:05:00 GMT</pubDate></item></channel></rss>"""
    (entry,) = parse_feed(body, FEED)
    assert entry.published == datetime(9999, 10, 30, 20, 5, tzinfo=UTC)


def test_bozo_feed_with_entries_is_used_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    body = b"""<rss version="2.0"><channel><title>Profits & losses</title>
      <item><title>Q3 & outlook</title><link>https://news.example/q3</link></item>
    </channel></rss>"""
    with caplog.at_level(logging.WARNING, logger="market_news.feeds"):
        (entry,) = parse_feed(body, FEED)
    assert entry.title == "Q3 & outlook"
    assert "not well-formed" in caplog.text and "test-feed" in caplog.text


def test_well_formed_feed_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="market_news.feeds"):
        parse_feed(RSS, FEED)
    assert caplog.text == ""


def test_truncated_feed_keeps_what_was_recovered() -> None:
    entries = parse_feed(RSS[: RSS.index(b"<item>", RSS.index(b"</item>"))], FEED)
    assert [e.guid for e in entries] == ["news-1"]


def test_an_item_cut_off_before_its_link_is_left_for_the_next_poll() -> None:
    # The body ends inside the second item, after its title and before its link: the
    # partial item has no identity, and the next (whole) poll stores it once, by its link.
    cut = RSS[: RSS.index(b"<link>/articles/second")]
    assert [e.guid for e in parse_feed(cut, FEED)] == ["news-1"]
    whole = [e.guid for e in parse_feed(RSS, FEED)]
    assert whole == ["news-1", "https://news.example/articles/second"]


def test_an_item_cut_off_after_its_link_is_kept() -> None:
    cut = RSS[: RSS.index(b"<pubDate>Wed, 30 Oct 2024 16:00")]
    entries = parse_feed(cut, FEED)
    assert [e.guid for e in entries] == ["news-1", "https://news.example/articles/second"]


def test_a_well_formed_title_only_item_is_kept() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>Only a title</title></item></channel></rss>"""
    (entry,) = parse_feed(body, FEED)
    assert entry.title == "Only a title" and entry.guid.startswith("urn:sha256:")


def test_feed_without_entries_is_empty() -> None:
    assert parse_feed(b'<rss version="2.0"><channel><title>x</title></channel></rss>', FEED) == []


def test_encodings_are_respected() -> None:
    body = '<?xml version="1.0" encoding="shift_jis"?><rss version="2.0"><channel><item><title>決算</title><link>https://news.example/k</link></item></channel></rss>'
    (entry,) = parse_feed(body.encode("shift_jis"), FEED)
    assert entry.title == "決算"
    (entry,) = parse_feed(body.replace("shift_jis", "utf-16").encode("utf-16"), FEED)
    assert entry.title == "決算"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>", "HTML"),
        (b"<html><body><p>Not found</p></body></html>", "HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an RSS"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "not an RSS"),
        (b"just some words", "not an RSS"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not an RSS"),
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=reason) as caught:
        parse_feed(body, FEED)
    assert "\n" not in str(caught.value)


def test_a_body_naming_a_file_is_not_opened(tmp_path: object) -> None:
    """feedparser opens bytes as a file name when they name one; parse_feed never lets it."""
    with pytest.raises(FeedParseError):
        parse_feed(b"/etc/hostname", FEED)


def test_feedparser_is_never_asked_to_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("feedparser tried to fetch")

    monkeypatch.setattr(feedparser.http, "get", no_network)
    with pytest.raises(FeedParseError):
        parse_feed(b"https://news.example/feed", FEED)


# --- hostile XML ----------------------------------------------------------------------------


def _billion_laughs(levels: int = 9) -> bytes:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        f'<rss version="2.0"><channel><title>&lol{levels};</title>'
        f"<item><title>&lol{levels};</title><link>https://news.example/x</link></item>"
        "</channel></rss>"
    ).encode()


def _quadratic_blowup(size: int = 100_000, refs: int = 2_000) -> bytes:
    # One big "safe" entity referenced many times: feedparser keeps such entities.
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{"A" * size}">\n]>\n'
        f'<rss version="2.0"><channel><item><title>{"&a;" * refs}</title></item></channel></rss>'
    ).encode()


HOSTILE = {
    "billion laughs": _billion_laughs(),
    "billion laughs on one line": _billion_laughs().replace(b"\n", b""),
    "quadratic blowup": _quadratic_blowup(),
    "parameter entities": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p "<!ENTITY x \'boom\'>"> %p;]>'
        b'<rss version="2.0"><channel><title>&x;</title></channel></rss>'
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><item><title>&xxe;</title>'
        b"<link>https://news.example/x</link></item></channel></rss>"
    ),
    "lower-case declarations": _billion_laughs(5).replace(b"<!DOCTYPE", b"<!doctype"),
    "utf-16 billion laughs": _billion_laughs()
    .decode()
    .replace('version="1.0"', 'version="1.0" encoding="utf-16"', 1)
    .encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_entity_declarations_are_refused_in_bounded_memory(name: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(FeedParseError, match="entit"):
            parse_feed(HOSTILE[name], FEED)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_the_guard_is_needed() -> None:
    """Without the guard, feedparser spends hundreds of megabytes on a 200 KB document."""
    body = _quadratic_blowup(size=50_000, refs=1_000)
    tracemalloc.start()
    try:
        feedparser.parse(io.BytesIO(body))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak > 20 * 1024 * 1024


def test_doctype_without_entities_is_fine() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC'
        b' "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        b'<rss version="0.91"><channel><title>x</title><link>https://news.example/</link>'
        b"<item><title>Old &amp; fine</title><link>https://news.example/old</link></item>"
        b"</channel></rss>"
    )
    (entry,) = parse_feed(body, FEED)
    assert entry.title == "Old & fine"


def test_big_feed_parses() -> None:
    items = b"".join(
        b"<item><guid>g%d</guid><title>Story %d</title><link>https://news.example/%d</link>"
        b"<description>%s</description></item>" % (i, i, i, b"word " * 200)
        for i in range(2000)
    )
    body = b'<rss version="2.0"><channel><title>x</title>' + items + b"</channel></rss>"
    started = time.monotonic()
    entries = parse_feed(body, FEED)
    assert len(entries) == 2000 and entries[-1].guid == "g1999"
    assert time.monotonic() - started >= 0  # figures live in bench/, not here
