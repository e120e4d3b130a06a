"""Extraction throughput: HTML pages and plain-text articles per second on one core.

Measured: `market_news.extract.extract_html` on page bytes (decode, parse, isolate the
article, run the rules). Naive baseline: BeautifulSoup(lxml) over the whole page,
`get_text()`, then the same rules (`extract_text`) on everything, chrome included.
Both run in this process over the same pages, alternating round by round, so drift in
machine load hits both alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from bs4 import BeautifulSoup
from market_news.extract import extract_html, extract_text

from bench.common import Options, Section, fmt, percentile, progress, ratio, rounded
from bench.corpus import html_pages, text_articles

TARGET_PAGES_PER_S = 300


def _naive_html(html: bytes) -> object:
    return extract_text(BeautifulSoup(html, "lxml").get_text())


def _pass(items: Sequence[object], function: Callable[[object], object]) -> list[float]:
    durations: list[float] = []
    for item in items:
        start = time.perf_counter()
        function(item)
        durations.append(time.perf_counter() - start)
    return durations


def run(options: Options) -> Section:
    count, rounds = (24, 1) if options.quick else (160, 3)
    pages = html_pages(count)
    texts = text_articles(count)
    page_bytes = [page.html for page in pages]
    sizes = sorted(len(html) for html in page_bytes)
    progress(f"extraction: {count} pages x {rounds} rounds, measured and naive")

    for html in page_bytes[:3]:  # warm-up: imports, regex compilation, caches
        extract_html(html)
        _naive_html(html)
    fast: list[float] = []
    naive: list[float] = []
    text: list[float] = []
    for _ in range(rounds):
        fast += _pass(page_bytes, extract_html)  # type: ignore[arg-type]
        naive += _pass(page_bytes, _naive_html)  # type: ignore[arg-type]
        text += _pass(texts, extract_text)  # type: ignore[arg-type]

    fast_rate = len(fast) / sum(fast)
    naive_rate = len(naive) / sum(naive)
    text_rate = len(text) / sum(text)
    mb_per_s = sum(sizes) * rounds / sum(fast) / 1e6
    text_kb = sum(len(t.encode("utf-8")) for t in texts) / len(texts) / 1024

    section = Section("1. Extraction (one core)")
    speedup = ratio(sum(naive) / len(naive), sum(fast) / len(fast))
    section.add(
        "HTML pages/s (extract_html)",
        fmt(fast_rate),
        f"{fmt(naive_rate)} (bs4 get_text)",
        f"{speedup:.2f}x",
    )
    section.add(
        "  per page p50 / p95, ms",
        f"{fmt(percentile(fast, 50) * 1e3)} / {fmt(percentile(fast, 95) * 1e3)}",
        f"{fmt(percentile(naive, 50) * 1e3)} / {fmt(percentile(naive, 95) * 1e3)}",
    )
    section.add("  MB of HTML/s", fmt(mb_per_s))
    section.add(
        "Plain-text articles/s (extract_text)",
        fmt(text_rate),
        "",
        f"{text_rate / fast_rate:.2f}x HTML",
    )
    section.notes += [
        f"{count} generated pages, {sizes[0] / 1024:.1f}-{sizes[-1] / 1024:.1f} KB "
        f"(median {sizes[len(sizes) // 2] / 1024:.1f} KB), made from the 9 bundled sample "
        "pages and the HTML fixtures padded with story paragraphs, menus, sidebars, footer "
        f"links, scripts and styles (bench/corpus.py); {rounds} round(s), measured and naive "
        "alternating; wall time per call, single thread.",
        f"Plain text: {count} articles of 1-10 KB (mean {text_kb:.1f} KB) stitched from the "
        "text fixtures and story prose; there is no page to isolate, so no naive variant; "
        "the ratio column compares with the HTML rate.",
        f"Target >= {TARGET_PAGES_PER_S} HTML pages/s: "
        + ("met." if fast_rate >= TARGET_PAGES_PER_S else "MISSED (see bench/README.md)."),
    ]
    section.metrics = {
        "extract_html_per_s": rounded(fast_rate, 2),
        "extract_naive_html_per_s": rounded(naive_rate, 2),
        "extract_vs_naive": rounded(speedup, 3),
        "extract_text_per_s": rounded(text_rate, 2),
        "extract_html_mb_per_s": rounded(mb_per_s, 3),
        "extract_html_p95_ms": rounded(percentile(fast, 95) * 1e3, 2),
        "extract_pages": count,
        "extract_page_kb_median": rounded(sizes[len(sizes) // 2] / 1024, 1),
    }
    return section
