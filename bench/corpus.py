"""Benchmark inputs made from the project's own sample pages and fixtures.

Real news pages weigh 5-50 KB of markup around a few KB of story. The bundled pages are
3-7 KB and the HTML fixtures under 2 KB, so each generated page takes one of them and
pads it, deterministically, up to a target size: more story paragraphs inside the
article, and the chrome real pages carry (navigation menus, "Trending"/"Related"
sidebars of other headlines, footer link lists, analytics scripts, style sheets).
Plain-text articles are stitched from the `.txt` fixtures plus the same paragraphs.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

from market_news.extract.reader import decode_bytes

from bench.common import PROJECT_ROOT

SAMPLE_ARTICLES = PROJECT_ROOT / "include" / "sample_feeds" / "articles"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "articles"
PLACEHOLDER = "{{BASE_URL}}"
DEFAULT_BASE = "https://news.example"
MIN_PAGE = 5 * 1024
MAX_PAGE = 50 * 1024

#: Story prose without figures (written for this benchmark): padding must make the page
#: longer, not change what it reports.
_PROSE = (
    "Investors had been bracing for a softer quarter after a run of cautious commentary "
    "from suppliers, and the stock had lagged its peers since the summer.",
    "Management spent much of the call on margins, saying cost cuts made last year were "
    "now showing up in the results and would continue into next year.",
    "Analysts pressed the company on its outlook for the holiday season, but executives "
    "declined to be drawn on specifics beyond the guidance already published.",
    "The company said demand from large enterprise customers remained steady, while "
    "smaller customers were taking longer to sign new contracts.",
    "Shares have been volatile this year as traders weighed the pace of interest-rate "
    "cuts against signs that consumer spending was beginning to cool.",
    "Several brokers reiterated their ratings after the release, pointing to the "
    "strength of the balance sheet and the steady pace of buybacks.",
    "The chief financial officer said the company would keep investing in its "
    "platform even if that weighed on profitability in the near term.",
    "Competition in the segment has intensified as rivals cut prices, and the company "
    "said it would rather protect market share than chase short-term gains.",
    "Executives also addressed the regulatory review in Europe, saying they expected "
    "the process to conclude without material changes to the business.",
    "Supply constraints that hampered deliveries earlier in the year have largely "
    "eased, according to the company, although some components remain tight.",
    "The board approved the regular dividend and said it would review capital "
    "returns again once the current investment cycle has run its course.",
    "Trading volumes were well above average in the session after the report, with "
    "options activity suggesting traders expected a large move either way.",
)
_HEADLINE_WORDS = (
    "Markets", "Earnings", "Tech", "Energy", "Retail", "Banks", "Autos", "Chips", "Cloud",
    "Crypto", "Commodities", "Bonds", "Currencies", "Economy", "Politics", "Opinion",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    html: bytes


@cache
def _headlines() -> tuple[str, ...]:
    """First lines of the text fixtures: real-looking headlines for sidebars."""
    lines: list[str] = []
    for path in sorted(FIXTURES.glob("*.txt")):
        first = path.read_text(encoding="utf-8").strip().splitlines()[0]
        if 20 <= len(first) <= 200:
            lines.append(first.strip())
    return tuple(lines)


@cache
def _text_fixtures() -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.txt")))


@cache
def base_pages(base_url: str = DEFAULT_BASE) -> tuple[tuple[str, str], ...]:
    """(name, markup) of every bundled sample page and HTML fixture, as text."""
    paths = sorted(SAMPLE_ARTICLES.rglob("*.html")) + sorted(FIXTURES.glob("*.html"))
    pages: list[tuple[str, str]] = []
    for path in paths:
        text = decode_bytes(path.read_bytes(), html=True).replace(PLACEHOLDER, base_url)
        # Re-encoded as UTF-8 below, so the page must no longer claim another charset.
        text = re.sub(r"charset\s*=\s*[\"']?[\w-]+", "charset=utf-8", text, flags=re.I)
        pages.append((path.stem, text))
    return tuple(pages)


def _paragraphs(rng: random.Random, size: int) -> str:
    out: list[str] = []
    total = 0
    while total < size:
        sentences = rng.sample(_PROSE, k=rng.randint(2, 4))
        para = "<p>" + " ".join(sentences) + "</p>\n"
        out.append(para)
        total += len(para)
    return "".join(out)


def _link_list(rng: random.Random, size: int, base_url: str) -> str:
    out: list[str] = []
    total = 0
    headlines = _headlines()
    while total < size:
        headline = rng.choice(headlines).replace("<", " ").replace(">", " ")
        slug = re.sub(r"[^a-z0-9]+", "-", headline.lower())[:60].strip("-")
        item = f'<li><a href="{base_url}/news/{slug}-{rng.randrange(10**6)}">{headline}</a></li>\n'
        out.append(item)
        total += len(item)
    return "".join(out)


def _sidebar(rng: random.Random, size: int, base_url: str) -> str:
    title = rng.choice(("Trending", "Related stories", "Most read", "More from Markets"))
    kind = rng.choice(("sidebar", "related-stories", "trending-box", "most-read"))
    return (
        f'<aside class="{kind}"><h3>{title}</h3><ul>\n'
        f"{_link_list(rng, size, base_url)}</ul></aside>\n"
    )


def _nav(rng: random.Random, size: int, base_url: str) -> str:
    links: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(_HEADLINE_WORDS)
        link = f'<a class="nav-link" href="{base_url}/{word.lower()}/">{word}</a> '
        links.append(link)
        total += len(link)
    return f'<nav class="mega-menu" aria-label="Sections">{"".join(links)}</nav>\n'


def _script(rng: random.Random, size: int) -> str:
    lines: list[str] = []
    total = 0
    while total < size:
        key = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8))
        value = rng.randrange(10**9)
        line = f"  window.__analytics.push({{event: '{key}', value: {value}, ts: Date.now()}});\n"
        lines.append(line)
        total += len(line)
    return (
        "<script>\n  window.__analytics = window.__analytics || [];\n"
        + "".join(lines)
        + "</script>\n"
    )


def _style(rng: random.Random, size: int) -> str:
    rules: list[str] = []
    total = 0
    while total < size:
        name = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6))
        color = rng.randrange(16**6)
        rule = f".c-{name} {{ margin: {rng.randint(0, 24)}px; color: #{color:06x}; }}\n"
        rules.append(rule)
        total += len(rule)
    return "<style>\n" + "".join(rules) + "</style>\n"


def _insert_before(markup: str, marker: str, addition: str) -> str:
    """`addition` inserted before the last `marker` (case-insensitive), else appended."""
    index = markup.lower().rfind(marker)
    if index < 0:
        return markup + addition
    return markup[:index] + addition + markup[index:]


def pad_page(markup: str, target: int, rng: random.Random, base_url: str = DEFAULT_BASE) -> str:
    """`markup` grown to about `target` bytes: ~30% story paragraphs, ~70% page chrome."""
    missing = target - len(markup.encode("utf-8"))
    if missing <= 0:
        return markup
    story = int(missing * 0.3)
    chrome = missing - story
    head = int(chrome * 0.35)
    sidebars = int(chrome * 0.35)
    navigation = chrome - head - sidebars
    page = _insert_before(
        markup, "</head>", _style(rng, head // 3) + _script(rng, head - head // 3)
    )
    body_marker = "</article>" if "</article>" in page.lower() else "</body>"
    page = _insert_before(page, body_marker, _paragraphs(rng, story))
    match = re.search(r"<body[^>]*>", page, flags=re.I)
    nav = _nav(rng, navigation // 2, base_url)
    cut = match.end() if match else 0
    page = page[:cut] + "\n" + nav + page[cut:]
    asides = _sidebar(rng, sidebars // 2, base_url) + _sidebar(rng, sidebars // 2, base_url)
    links = _link_list(rng, navigation // 2, base_url)
    footer = f'<footer class="site-footer"><ul>{links}</ul></footer>\n'
    return _insert_before(page, "</body>", asides + footer)


def _sized(markup: str, target: int, seed: int, base_url: str) -> bytes:
    """`markup` padded to about `target` bytes, never outside MIN_PAGE-MAX_PAGE.

    Padding comes in whole paragraphs and list items, so the first aim misses: the aim
    is corrected until the page is within 256 bytes, keeping the closest in-range try.
    """
    best: bytes | None = None
    aim = target
    for _ in range(8):
        page = pad_page(markup, aim, random.Random(seed), base_url).encode("utf-8")
        in_range = MIN_PAGE <= len(page) <= MAX_PAGE
        if in_range and (best is None or abs(len(page) - target) < abs(len(best) - target)):
            best = page
        if in_range and abs(len(page) - target) <= 256:
            break
        aim += target - len(page)
    if best is None:
        raise ValueError(f"could not pad a page to {target} bytes within 5-50 KB")
    return best


def html_pages(count: int, *, seed: int = 9, base_url: str = DEFAULT_BASE) -> list[Page]:
    """`count` pages cycling through the base pages, sizes spread evenly over 5-50 KB."""
    bases = base_pages(base_url)
    pages: list[Page] = []
    for index in range(count):
        name, markup = bases[index % len(bases)]
        fraction = index / max(count - 1, 1)
        # Aimed half a KB inside the bounds: padding lands within a few hundred bytes.
        target = int(MIN_PAGE + 512 + (MAX_PAGE - MIN_PAGE - 1024) * fraction)
        html = _sized(markup, target, seed * 100_003 + index, base_url)
        pages.append(Page(f"{name}#{index}", html))
    random.Random(seed).shuffle(pages)
    return pages


def text_articles(count: int, *, seed: int = 11) -> list[str]:
    """Plain-text articles of 1-10 KB: text fixtures between paragraphs of story prose."""
    rng = random.Random(seed)
    fixtures = _text_fixtures()
    articles: list[str] = []
    for index in range(count):
        target = 1024 + (9 * 1024 * index) // max(count - 1, 1)
        parts = [fixtures[index % len(fixtures)]]
        size = len(parts[0])
        while size < target:
            block = (
                rng.choice(fixtures)
                if rng.random() < 0.3
                else " ".join(rng.sample(_PROSE, k=rng.randint(2, 4)))
            )
            parts.append(block)
            size += len(block) + 2
        articles.append("\n\n".join(parts))
    rng.shuffle(articles)
    return articles
