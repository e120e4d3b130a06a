"""Stories for the soak: distinct generated articles, some carrying a known event.

Every story is built from its number alone (a seeded generator), so the loopback server
can render a page when it is asked for it instead of holding 20,000 pages in memory,
and the benchmark knows, without running the extractor, which stories report an
earnings figure or an AI-infrastructure claim and under which key Slack should see it.

The body text is made of sentences whose every second or third word is drawn from
word lists: two stories share almost no 3-word shingles, so the store's near-duplicate
detector (MinHash, threshold 0.5) sees them as different, as it would real stories.
The filler carries no digits, currency or AI vocabulary, so the only figures on a page
are the ones put there on purpose. Page chrome (navigation, sidebars, scripts, styles)
comes from `bench.corpus` and pads pages to 5-30 KB.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bench.corpus import _nav, _script, _sidebar, _style

EventKind = Literal["earnings", "ai"]
FISCAL_YEAR = 2025
MIN_PAGE = 5 * 1024
MAX_PAGE = 30 * 1024
PARAGRAPHS = 7

_ORDINALS = ("first", "second", "third", "fourth")
_SYLLABLES = (
    "val", "mor", "tex", "ari", "lon", "dra", "ven", "qui", "sal", "bor", "nel", "cas",
    "tor", "mir", "ela", "gan", "fen", "lus", "ody", "pra", "zel", "hal", "rin", "sto",
)  # fmt: skip
_COMPANY_WORDS = (
    "Systems", "Networks", "Foods", "Logistics", "Materials", "Robotics", "Energy", "Health",
    "Brands", "Semiconductor", "Software", "Motors", "Retail", "Pharma", "Airlines", "Media",
)  # fmt: skip
_SUBJECTS = (
    "Managers", "Suppliers", "Traders", "Regulators", "Executives", "Distributors", "Unions",
    "Landlords", "Shoppers", "Planners", "Lenders", "Engineers", "Farmers", "Directors",
    "Auditors", "Partners", "Rivals", "Customers", "Dealers", "Brokers", "Critics", "Founders",
)  # fmt: skip
_VERBS = (
    "revisited", "questioned", "defended", "reshaped", "delayed", "welcomed", "trimmed",
    "extended", "scrutinised", "praised", "reorganised", "doubted", "approved", "mapped",
    "tested", "softened", "tightened", "renamed", "bundled", "outsourced", "paused", "merged",
)  # fmt: skip
_ADJECTIVES = (
    "regional", "seasonal", "overdue", "modest", "crowded", "fragile", "ambitious", "costly",
    "familiar", "uneven", "patient", "narrow", "sprawling", "quiet", "rival", "stubborn",
    "coastal", "rural", "urban", "informal", "cautious", "bold", "lengthy", "brisk",
)  # fmt: skip
_NOUNS = (
    "warehouses", "contracts", "pipelines", "storefronts", "routes", "franchises", "brands",
    "campuses", "fleets", "catalogues", "workshops", "kiosks", "depots", "venues", "labels",
    "clinics", "orchards", "studios", "terminals", "mills", "marinas", "showrooms", "farms",
)  # fmt: skip
_PLACES = (
    "Lisbon", "Osaka", "Denver", "Rotterdam", "Nairobi", "Calgary", "Porto", "Leeds", "Austin",
    "Krakow", "Valencia", "Tampa", "Bergen", "Monterrey", "Adelaide", "Turin", "Quebec",
    "Dublin", "Seville", "Tucson", "Gdansk", "Bilbao", "Malmo", "Cork",
)  # fmt: skip
_ADVERBS = (
    "quietly", "slowly", "abruptly", "eagerly", "reluctantly", "openly", "steadily",
    "briefly", "firmly", "loosely", "gradually", "sharply", "warily", "readily", "boldly",
)  # fmt: skip
_LINKS = ("while", "after", "because", "although", "as", "before", "since", "though")


@dataclass(frozen=True, slots=True)
class Event:
    """What a story reports, as the pipeline should key it."""

    kind: EventKind
    ticker: str
    quarter: int  # earnings: 1-4
    actual: float  # earnings: EPS; ai: GPUs to deploy
    estimate: float

    @property
    def earnings_key(self) -> str:
        """The event key an earnings alert carries (interface: `earnings:T:year:Q`)."""
        return f"earnings:{self.ticker}:{FISCAL_YEAR}:Q{self.quarter}"


@dataclass(frozen=True, slots=True)
class Story:
    number: int
    company: str
    title: str
    teaser: str
    event: Event | None
    size: int  # target page size in bytes


def _company(rng: random.Random) -> str:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{stem} {rng.choice(_COMPANY_WORDS)}"


def ticker(number: int) -> str:
    """A five-letter symbol of its own per story number (`Z` then base 26)."""
    letters = []
    for _ in range(4):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("A") + digit))
    return "Z" + "".join(reversed(letters))


def make_story(number: int, event: EventKind | None, seed: int) -> Story:
    """Story `number`; `event` says whether it reports earnings, an AI claim or nothing."""
    rng = random.Random(seed * 1_000_003 + number)
    company = _company(rng)
    found: Event | None = None
    if event == "earnings":
        estimate = rng.randint(20, 300) / 100
        actual = round(estimate + rng.choice((-1, 1)) * rng.randint(3, 40) / 100, 2)
        found = Event("earnings", ticker(number), rng.randint(1, 4), max(actual, 0.01), estimate)
        verb = "beats" if found.actual > estimate else "misses"
        title = f"{company} {verb} {_ORDINALS[found.quarter - 1]}-quarter forecasts"
    elif event == "ai":
        gpus = 10_000 + 7 * number
        found = Event("ai", ticker(number), 0, float(gpus), 0.0)
        title = f"{company} plans a large new computing cluster"
    else:
        title = f"{company} {rng.choice(_VERBS)} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    teaser = _sentence(rng, company)
    size = rng.randint(MIN_PAGE, MAX_PAGE)
    return Story(number, company, title, teaser, found, size)


def _sentence(rng: random.Random, subject: str | None = None) -> str:
    who = subject or rng.choice(_SUBJECTS)
    return (
        f"{who} {rng.choice(_VERBS)} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} in "
        f"{rng.choice(_PLACES)} {rng.choice(_LINKS)} {rng.choice(_SUBJECTS).lower()} "
        f"{rng.choice(_ADVERBS)} {rng.choice(_VERBS)} {rng.choice(_ADJECTIVES)} "
        f"{rng.choice(_NOUNS)}."
    )


def event_sentence(story: Story) -> str:
    """The one sentence that carries the story's figures (empty for a plain story)."""
    event = story.event
    if event is None:
        return ""
    name = f"{story.company} Inc. (NASDAQ:{event.ticker})"
    if event.kind == "ai":
        return (
            f"{name} said it plans to deploy {int(event.actual):,} GPUs across new data "
            "centers next year."
        )
    outcome = "beating" if event.actual > event.estimate else "missing"
    return (
        f"{name} reported adjusted earnings of ${event.actual:.2f} per share for the "
        f"{_ORDINALS[event.quarter - 1]} quarter of fiscal {FISCAL_YEAR}, {outcome} the "
        f"${event.estimate:.2f} analysts had expected."
    )


def paragraphs(story: Story, seed: int, *, reworded: bool = False) -> list[str]:
    """The story's body paragraphs; `reworded` changes one sentence (a near-copy)."""
    rng = random.Random(seed * 7_000_003 + story.number)
    body = [" ".join(_sentence(rng) for _ in range(3)) for _ in range(PARAGRAPHS)]
    lead = event_sentence(story)
    if lead:
        body[0] = f"{lead} {body[0]}"
    if reworded:
        other = random.Random(seed * 9_000_011 + story.number)
        body[3] = _sentence(other, story.company) + body[3][body[3].index(".") + 1 :]
    return body


def page(
    story: Story,
    seed: int,
    *,
    base_url: str,
    published: datetime,
    reworded: bool = False,
    with_article: bool = True,
) -> bytes:
    """The story's HTML page, padded with chrome to about `story.size` bytes.

    `with_article=False` gives the same page with its article element left empty (a
    page that arrives without its story, as a broken CMS template serves it).
    """
    rng = random.Random(seed * 3_000_017 + story.number)
    title = html.escape(story.title + (": what changed" if reworded else ""))
    when = published.isoformat()
    body = "".join(
        f"<p>{html.escape(text)}</p>\n" for text in paragraphs(story, seed, reworded=reworded)
    )
    article = (
        f'<article>\n<h1>{title}</h1>\n<p class="byline">By Bench Desk, '
        f'<time datetime="{when}">{when}</time></p>\n{body}</article>\n'
        if with_article
        else "<article></article>\n"
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} | Bench Wire</title>\n"
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="article:published_time" content="{when}">\n'
    )
    core = len(head) + len(article) + 200
    chrome = max(story.size - core, 0)
    fill_head = chrome // 4
    fill_side = chrome // 3
    fill_nav = chrome - fill_head - fill_side
    markup = (
        head
        + _style(rng, fill_head // 3)
        + _script(rng, fill_head - fill_head // 3)
        + "</head>\n<body>\n"
        + _nav(rng, fill_nav // 2, base_url)
        + '<div class="layout">\n'
        + article
        + _sidebar(rng, fill_side, base_url)
        + "</div>\n"
        + f'<footer class="site-footer">{_nav(rng, fill_nav // 2, base_url)}</footer>\n'
        + "</body>\n</html>\n"
    )
    return markup.encode("utf-8")


__all__ = [
    "FISCAL_YEAR",
    "Event",
    "EventKind",
    "Story",
    "event_sentence",
    "make_story",
    "page",
    "paragraphs",
    "ticker",
]
