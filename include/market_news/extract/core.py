"""The extraction entry points: text, HTML page, or file in, `Extraction` out.

Each rule module does one job; this module only wires them together in the order the
rules depend on (normalise, split, find companies and periods, then earnings and AI
claims, which use both).
"""

from __future__ import annotations

from pathlib import Path

from market_news.extract.ai_claims import find_claims
from market_news.extract.earnings import Context, default_currency, find_earnings
from market_news.extract.language import detect_language
from market_news.extract.page import collapse_title, iso_datetime, parse_page
from market_news.extract.periods import article_year, find_periods
from market_news.extract.reader import decode_bytes, read_input
from market_news.extract.tables import find_table_items
from market_news.extract.text import normalise, split_sentences
from market_news.extract.tickers import find_companies
from market_news.models import EarningsItem, Extraction

#: Bump whenever a rule changes what is extracted; the store records it per article.
PARSER_VERSION = "1.7.0"


def extract_text(
    text: str,
    *,
    title: str | None = None,
    published: str | None = None,
    language_hint: str | None = None,
) -> Extraction:
    """Extract earnings items and AI claims from plain article text.

    The title, when given, is read as the first paragraph: headlines often carry the
    whole result ("Q3 Adj. EPS $6.03 Beats $5.25 Estimate"). It is returned as written
    (whitespace collapsed), not in the NFKC form the rules read.
    """
    body = normalise(text)
    title_clean = normalise(title).replace("\n", " ") if title else ""
    full = f"{title_clean}\n{body}" if title_clean else body
    published_iso = iso_datetime(published)
    sentences = split_sentences(full)
    companies = find_companies(full)
    periods = find_periods(full)
    year = article_year(full, periods)
    if year is None and published_iso:
        year = int(published_iso[:4])
    context = Context(
        text=full,
        sentences=sentences,
        companies=companies,
        periods=periods,
        year=year,
        currency=default_currency(sentences),
    )
    return Extraction(
        title=(collapse_title(title) or None) if title else None,
        published=published_iso,
        language=detect_language(full, language_hint),
        tickers=companies.symbols,
        earnings=tuple(_merge(find_earnings(context), find_table_items(text, context))),
        ai_claims=tuple(find_claims(sentences, full)),
        text=body,
    )


def _merge(prose: list[EarningsItem], table: list[EarningsItem]) -> list[EarningsItem]:
    """Prose items first; a table row adds an item only when the prose did not state it."""
    said = {(i.ticker, i.period, i.fiscal_year, i.metric) for i in prose}
    return prose + [i for i in table if (i.ticker, i.period, i.fiscal_year, i.metric) not in said]


def extract_html(
    html: str | bytes, *, url: str | None = None, language_hint: str | None = None
) -> Extraction:
    """Extract from a web page: only the isolated article body is read, never the chrome.

    `url` is accepted for the callers' logs and future per-site rules; it is not fetched.
    """
    del url  # not needed by the rules yet; kept in the signature for callers
    markup = decode_bytes(html, html=True) if isinstance(html, bytes) else html
    page = parse_page(markup)
    return extract_text(
        page.body, title=page.title, published=page.published, language_hint=language_hint
    )


def extract_file(path: Path | str) -> Extraction:
    """Extract from a file: `.html`/`.htm` is a page, anything else (and '-') is text.

    Raises `UnreadableInputError` (a `ValueError`) with a one-line message when the file
    is missing or unreadable.
    """
    content, is_html = read_input(path)
    if is_html:
        return extract_html(content)
    return extract_text(content)
