"""Fault: 10,000 generated malformed feeds and pages; no crash, each in bounded time.

Inputs are mutations of the real fixtures (the bundled sample feeds and pages, the
labelled article fixtures) plus hypothesis-generated documents. The parsers run
in-process; a per-item alarm turns a hang into a failure naming the input. Totals:
2,500 mutated feeds + 1,000 generated feeds, 1,500 mutated pages + 4,000 mutated
texts + 1,000 generated page/text documents = 10,000.
"""

from __future__ import annotations

import logging
import random
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fault_support import HTML_TYPE, RSS_TYPE, Story, rss, settings_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from market_news.extract import extract_html, extract_text
from market_news.feeds import FeedParseError, parse_feed
from market_news.models import FeedConfig
from market_news.pipeline import run_pass

from tests.support.http_server import LocalHTTPServer

pytestmark = [pytest.mark.fault, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FEEDS = [p.read_bytes() for p in sorted((ROOT / "include/sample_feeds/feeds").glob("*.xml"))]
PAGES = [
    p.read_bytes()
    for p in sorted((ROOT / "include/sample_feeds/articles").rglob("*.html"))
    + sorted((ROOT / "tests/fixtures/articles").glob("*.html"))
]
TEXTS = [p.read_text("utf-8") for p in sorted((ROOT / "tests/fixtures/articles").glob("*.txt"))]
FEED = FeedConfig(name="fuzz", url="http://127.0.0.1/feed.xml")
#: A hang detector, not a speed target: the slowest item takes well under a second.
ITEM_LIMIT_S = 5.0
SNIPPETS = [
    b"<![CDATA[",
    b"]]>",
    b"&#0;",
    b"&bogus;",
    b"&#x110000;",
    b"<item>",
    b"</channel>",
    b"</rss>",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<?xml version='1.0' encoding='x-nonsense'?>",
    b"<!DOCTYPE rss>",
    b"<a>" * 400,
    b'<img src="javascript:alert(1)">',
    b"<script>while(1){}</script>",
    b"<<<>>>",
    b"<p " + b"a" * 5000 + b">",
    b"$1.10 per share vs $1.00 estimate",
    b"\r\n" * 50,
    "１２３億ドル".encode(),
    b"<entry xmlns='http://www.w3.org/2005/Atom'>",
]


class ItemTooSlowError(BaseException):
    """A BaseException, so no `except Exception` in the code under test swallows it."""


@contextmanager
def _bounded(label: str) -> Iterator[None]:
    def fire(_signum: int, _frame: object) -> None:
        raise ItemTooSlowError(f"{label} took longer than {ITEM_LIMIT_S} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, ITEM_LIMIT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: flips, cuts, deletions, duplications, hostile snippets."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(out) + 1)
        operation = rng.randrange(6)
        if operation == 0:
            for _ in range(rng.randint(1, 20)):
                if out:
                    out[rng.randrange(len(out))] = rng.randrange(256)
        elif operation == 1:
            del out[where:]
        elif operation == 2:
            del out[where : where + rng.randint(1, 400)]
        elif operation == 3:
            out[where:where] = out[where : where + rng.randint(1, 2000)] * rng.randint(2, 5)
        else:
            out[where:where] = rng.choice(SNIPPETS)
    return bytes(out)


@dataclass
class Outcomes:
    """What a batch of inputs did: parsed, refused (the documented error) or crashed."""

    counts: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, bytes] = field(default_factory=dict)  # class -> first input
    slowest_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def run_batch(inputs: Iterable[bytes], parse: Callable[[bytes], object], kind: str) -> Outcomes:
    """Each input under the per-item alarm; a hang fails at once, crashes are counted."""
    outcomes = Outcomes()
    logging.disable(logging.WARNING)  # every malformed feed logs a warning
    try:
        for number, data in enumerate(inputs):
            started = time.perf_counter()
            with _bounded(f"{kind} #{number} ({data[:80]!r})"):
                try:
                    parse(data)
                    outcomes.counts["parsed"] += 1
                except FeedParseError:
                    outcomes.counts["refused"] += 1
                except Exception as exc:
                    name = f"{type(exc).__name__} in {_where(exc)}"
                    outcomes.counts["crashed"] += 1
                    outcomes.crashes.setdefault(name, data[:300])
            outcomes.slowest_s = max(outcomes.slowest_s, time.perf_counter() - started)
    finally:
        logging.disable(logging.NOTSET)
    print(
        f"{kind}: {dict(outcomes.counts)}, slowest {outcomes.slowest_s * 1000:.0f} ms, "
        f"crashes: {sorted(outcomes.crashes)}"
    )
    return outcomes


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return Path(frames[-1].filename).parent.name + "/" + frames[-1].name if frames else "?"


@pytest.fixture(scope="module")
def feeds() -> Outcomes:
    rng = random.Random(8)
    return run_batch(
        (mutate(rng.choice(FEEDS), rng) for _ in range(2500)),
        lambda data: parse_feed(data, FEED, base_url=FEED.url),
        "feed",
    )


@pytest.fixture(scope="module")
def pages() -> Outcomes:
    rng = random.Random(9)
    return run_batch(
        (mutate(rng.choice(PAGES), rng) for _ in range(1500)),
        lambda data: extract_html(data, url="http://127.0.0.1/a"),
        "page",
    )


@pytest.fixture(scope="module")
def texts() -> Outcomes:
    rng = random.Random(10)
    return run_batch(
        (mutate(rng.choice(TEXTS).encode(), rng) for _ in range(4000)),
        lambda data: extract_text(data.decode("utf-8", "replace"), title="t"),
        "text",
    )


def test_mutated_inputs_all_finish_in_bounded_time(
    feeds: Outcomes, pages: Outcomes, texts: Outcomes
) -> None:
    # A hang would have raised ItemTooSlowError in the fixture; here the counts add up.
    assert (feeds.total, pages.total, texts.total) == (2500, 1500, 4000)
    assert texts.counts["parsed"] == 4000


def test_mutated_feeds_never_crash_the_parser(feeds: Outcomes) -> None:
    assert feeds.crashes == {}


def test_mutated_pages_never_crash_the_extractor(pages: Outcomes) -> None:
    assert pages.crashes == {}


@settings(max_examples=1000, deadline=None, database=None, derandomize=True)
@given(st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode))
def test_generated_feeds_finish_in_bounded_time(data: bytes) -> None:
    # A hang fails here; anything but FeedParseError is a crash.
    with _bounded(f"generated feed {data[:80]!r}"), suppress(FeedParseError):
        parse_feed(data, FEED, base_url=FEED.url)


_MARKUP = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<article>",
        "<script>",
        "<div class=sidebar>",
        "&amp;",
        "<table><tr><td>",
        "$1.10 per share",
        " beat ",
        "Q3 ",
        "(NYSE:ABC)",
    ]
)


@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(_MARKUP | st.text(max_size=40), max_size=60).map("".join))
def test_generated_pages_and_texts_finish_in_bounded_time(markup: str) -> None:
    with _bounded(f"generated page {markup[:80]!r}"):
        extract_html(markup)
        extract_text(markup)


def test_a_feed_that_breaks_feedparser_costs_one_error_not_the_pass(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    story = Story("QFZZ")
    base = server.url("")
    server.route(
        "/bad-encoding.xml",
        body=b'<?xml version="1.0" encoding="utf\xe58"?><rss/>',
        headers={"Content-Type": RSS_TYPE},
    )
    server.route("/good.xml", body=rss(base, [story]), headers={"Content-Type": RSS_TYPE})
    server.route(
        f"/articles/{story.slug}.html", body=story.page(), headers={"Content-Type": HTML_TYPE}
    )
    settings_ = settings_for(
        tmp_path, {"bad": server.url("/bad-encoding.xml"), "good": server.url("/good.xml")}
    )
    summary = run_pass(settings_)
    assert summary.feeds == 2
    assert summary.errors == 1
    assert summary.new_articles == 1


def test_a_control_character_page_is_read_not_crashed(
    tmp_path: Path, server: LocalHTTPServer
) -> None:
    good, odd = Story("QPGA"), Story("QPGB")
    base = server.url("")
    server.route("/wire.xml", body=rss(base, [odd, good]), headers={"Content-Type": RSS_TYPE})
    server.route(
        f"/articles/{good.slug}.html", body=good.page(), headers={"Content-Type": HTML_TYPE}
    )
    server.route(f"/articles/{odd.slug}.html", body=b"<p>\x1f", headers={"Content-Type": HTML_TYPE})
    summary = run_pass(settings_for(tmp_path, {"wire": server.url("/wire.xml")}))
    assert summary.errors == 0
    assert summary.new_articles == 2
    assert summary.alerts_sent == 1


def test_a_page_that_breaks_the_extractor_costs_one_error_not_the_pass(
    tmp_path: Path, server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from market_news.pipeline import process

    real_extract_html = process.extract_html

    def extractor_that_breaks_on_a_marker(html: str | bytes, **kwargs: Any) -> Any:
        if b"\x1f" in (html if isinstance(html, bytes) else html.encode()):
            raise ValueError("All strings must be XML compatible")
        return real_extract_html(html, **kwargs)

    monkeypatch.setattr(process, "extract_html", extractor_that_breaks_on_a_marker)
    good, bad = Story("QPGA"), Story("QPGB")
    base = server.url("")
    server.route("/wire.xml", body=rss(base, [bad, good]), headers={"Content-Type": RSS_TYPE})
    server.route(
        f"/articles/{good.slug}.html", body=good.page(), headers={"Content-Type": HTML_TYPE}
    )
    server.route(f"/articles/{bad.slug}.html", body=b"<p>\x1f", headers={"Content-Type": HTML_TYPE})
    summary = run_pass(settings_for(tmp_path, {"wire": server.url("/wire.xml")}))
    assert summary.errors == 1
    assert summary.new_articles == 1
