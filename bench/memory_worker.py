"""A worker process for the memory benchmark: N articles through extract + store.

Run by `bench.memory` as `python -m bench.memory_worker --mode stream|batch ...`, so that
its peak RSS is its own. Prints one JSON line with its figures.

- stream (the pipeline's way): one article at a time, page -> `extract_html` ->
  `Store.add_article` + `record_earnings` + `record_ai_claims` (one transaction, as
  `process_pending` writes an entry), then the next.
- batch (naive): read every page first, extract them all into a list, then store them all.

Pages are the bundled sample pages and HTML fixtures as they are (0.5-7 KB), each made a
distinct article: its own URL and one sentence of its own, so none is a duplicate.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from market_news.extract import PARSER_VERSION, extract_html
from market_news.models import Extraction
from market_news.store import Store

from bench.common import quiet_logging
from bench.corpus import base_pages


def _vm(field: str) -> float:
    """A VmXXX line of /proc/self/status, in MB (0 when unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pages(count: int) -> Iterator[tuple[str, bytes]]:
    bases = base_pages()
    for number in range(count):
        name, markup = bases[number % len(bases)]
        unique = f"<p>Desk note {number}: this copy was filed for reader {number * 7919}.</p>"
        lowered = markup.lower()
        cut = lowered.rfind("</article>")
        if cut < 0:
            cut = lowered.rfind("</body>")
        page = markup[:cut] + unique + markup[cut:] if cut >= 0 else markup + unique
        yield f"https://news.example/{name}/{number}", page.encode("utf-8")


def _store(store: Store, url: str, extraction: Extraction, body: bytes) -> None:
    """One article's writes in one transaction, as `process_pending` does."""
    with store.atomic():
        _write(store, url, extraction, body)


def _write(store: Store, url: str, extraction: Extraction, body: bytes) -> None:
    added = store.add_article(
        None,
        url=url,
        extraction=extraction,
        raw_body=body,
        parser_version=PARSER_VERSION,
        feed_name="bench",
    )
    if added.article_id is None:
        return
    context = {
        "article_url": url,
        "article_title": extraction.title,
        "published": extraction.published,
        "language": extraction.language,
    }
    store.record_earnings(added.article_id, extraction.earnings, company=None, **context)
    store.record_ai_claims(
        added.article_id, extraction.ai_claims, tickers=list(extraction.tickers), **context
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_worker")
    parser.add_argument("--mode", choices=("stream", "batch"), required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a fresh store")
    args = parser.parse_args(argv)
    quiet_logging()

    store = Store.open(args.db)
    base_rss = _vm("VmRSS")
    start = time.perf_counter()
    stored = 0
    if args.mode == "stream":
        for url, body in _pages(args.articles):
            _store(store, url, extract_html(body, url=url), body)
            stored += 1
    else:
        pages = list(_pages(args.articles))
        extracted = [(url, extract_html(body, url=url), body) for url, body in pages]
        for url, extraction, body in extracted:
            _store(store, url, extraction, body)
            stored += 1
    elapsed = time.perf_counter() - start
    store.close()
    # VmHWM belongs to this process image. ru_maxrss survives exec on Linux, so in a child
    # started by fork+exec it may still hold the parent's peak: only a fallback here.
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    hwm_mb = _vm("VmHWM")
    print(
        json.dumps(
            {
                "mode": args.mode,
                "articles": stored,
                "seconds": round(elapsed, 2),
                "rss_before_mb": round(base_rss, 1),
                "peak_rss_mb": round(hwm_mb or maxrss_mb, 1),
                "peak_source": "VmHWM" if hwm_mb else "ru_maxrss",
                "ru_maxrss_mb": round(maxrss_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
