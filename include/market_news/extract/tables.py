"""Key-figures tables with a consensus column, read row by row.

Wire and broker copy often sets the results out as a small text table instead of prose:

    Q3 FY25     Consensus     Q3 FY24
    Revenue (Rs crore)   41,764   41,383   38,821

The sentence rules cannot read it (the cells carry no currency and no verbs), so this
module does: a header whose cells are a period, a consensus label and (optionally) other
periods; rows whose label names the metric and, in brackets, the currency and scale. Only
the current period's column is paired with the consensus column; a year-earlier column is
ignored. A table without a consensus column, or whose columns cannot be told apart, is
left alone (precision first). It reads the text as written (NFKC only): `normalise`
collapses the runs of spaces that separate the columns.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from market_news.extract.earnings import Context, plausible, verdict
from market_news.extract.numbers import to_decimal
from market_news.extract.periods import PeriodMention, find_periods
from market_news.extract.text import MAX_TEXT_CHARS, evidence, finditer_in
from market_news.extract.tickers import find_companies
from market_news.models import Basis, EarningsItem, Metric

_CELL_GAP = re.compile(r"\s{2,}|\t")
_CONSENSUS_CELL = re.compile(
    r"^(?:consensus|cons\.?|estimates?|est\.?|street|LSEG|FactSet|Visible Alpha|市場予想|"
    r"予想平均|コンセンサス)\*?$",
    re.IGNORECASE,
)
# Cheap test on the whole text first: most articles have no consensus column at all.
_HEADER_HINT = re.compile(
    r"(?:consensus|cons\.?|estimates?|est\.?|street|LSEG|FactSet|Visible Alpha|市場予想|"
    r"予想平均|コンセンサス)\*?(?:[ ]{2,}|\t|[ ]*$)",
    re.IGNORECASE | re.MULTILINE,
)
# Where a `_HEADER_HINT` match can end: a cell gap or a line end (a literal-led pattern:
# the regex engine skips to them at C speed).
_CELL_END = re.compile(r"\n|\t|[ ]{2}")
# Longest hint before its cell end: "visible alpha" + "*" + one space.
_HINT_REACH = 20


def _has_header_hint(text: str) -> bool:
    """`_HEADER_HINT.search(text) is not None`, searched only just before cell ends.

    The hint has no anchor before its word, so any match inside a window is a match in
    the text, and every match ends at a gap, a tab or a line end that some window covers.
    A case-insensitive alternation with nothing literal to skip to costs a regex step at
    every character of the article; the windows are a few dozen short searches.
    """
    spans: list[tuple[int, int]] = []
    ends = [m.end() for m in _CELL_END.finditer(text)] + [len(text)]
    for end in ends:  # in text order: merge as they come
        lo = max(0, end - 2 - _HINT_REACH)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((lo, end))
    return next(finditer_in(_HEADER_HINT, text, spans), None) is not None


_NUMBER_CELL = re.compile(r"^\(?-?[\d,]{1,16}(?:\.\d{1,6})?\)?$")
_EPS_LABEL = re.compile(r"\bEPS\b|earnings per share|1株(?:当たり)?利益", re.IGNORECASE)
_REVENUE_LABEL = re.compile(
    r"^(?:total\s|net\s)?(?:revenues?|sales|turnover)\b|^売上(?:高|収益)", re.IGNORECASE
)
_ADJUSTED_LABEL = re.compile(r"\badjusted\b|\badj\b|non-GAAP|\bcore\b", re.IGNORECASE)
_GAAP_LABEL = re.compile(r"(?<!non-)\bGAAP\b", re.IGNORECASE)
_UNIT = re.compile(r"\((?P<unit>[^()]{1,24})\)\s*$")
_CURRENCIES = (
    (re.compile(r"\bRs\.?|₹|\bINR\b|rupees?", re.IGNORECASE), "INR"),
    (re.compile(r"US\$|\$|\bUSD\b|dollars?", re.IGNORECASE), "USD"),
    (re.compile(r"€|\bEUR\b|euros?", re.IGNORECASE), "EUR"),
    (re.compile(r"£|\bGBP\b|pounds?", re.IGNORECASE), "GBP"),
    (re.compile(r"¥|\bJPY\b|yen|円", re.IGNORECASE), "JPY"),
    (re.compile(r"\bSEK\b", re.IGNORECASE), "SEK"),
)
_SCALES = (
    (re.compile(r"\bcrores?\b", re.IGNORECASE), Decimal(10) ** 7),
    (re.compile(r"\blakhs?\b", re.IGNORECASE), Decimal(10) ** 5),
    (re.compile(r"\b(?:billions?|bn)\b", re.IGNORECASE), Decimal(10) ** 9),
    (re.compile(r"\b(?:millions?|mn|mln|m)\b", re.IGNORECASE), Decimal(10) ** 6),
    (re.compile(r"\b(?:thousands?|k)\b", re.IGNORECASE), Decimal(10) ** 3),
    (re.compile(r"億"), Decimal(10) ** 8),
)
_MAX_ROWS = 12


def _cells(line: str) -> list[str]:
    return [cell for cell in _CELL_GAP.split(line.strip()) if cell]


def _period_of(cell: str) -> PeriodMention | None:
    found = find_periods(cell)
    return found[0] if len(found) == 1 and found[0].year is not None else None


def _columns(header: list[str]) -> tuple[int, int, PeriodMention] | None:
    """(actual column, consensus column, period) when the header can be read safely."""
    consensus = [i for i, cell in enumerate(header) if _CONSENSUS_CELL.match(cell)]
    periods = [(i, p) for i, cell in enumerate(header) if (p := _period_of(cell)) is not None]
    if len(consensus) != 1 or not periods or len(consensus) + len(periods) != len(header):
        return None
    latest = max(p.year or 0 for _, p in periods)
    current = [(i, p) for i, p in periods if p.year == latest]
    if len(current) != 1:
        return None  # two columns of the same year: which one is reported is unclear
    return current[0][0], consensus[0], current[0][1]


def _unit(label: str) -> tuple[str, Decimal] | None:
    match = _UNIT.search(label)
    if match is None:
        return None
    unit = match.group("unit")
    currency = next((code for pattern, code in _CURRENCIES if pattern.search(unit)), None)
    if currency is None:
        return None
    scale = next((value for pattern, value in _SCALES if pattern.search(unit)), Decimal(1))
    return currency, scale


def _metric(label: str) -> Metric | None:
    if _EPS_LABEL.search(label):
        return "eps"
    if _REVENUE_LABEL.search(label):
        return "revenue"
    return None


def _basis(label: str) -> Basis | None:
    if _ADJUSTED_LABEL.search(label):
        return "adjusted"
    if _GAAP_LABEL.search(label):
        return "gaap"
    return None


def _value(cell: str, scale: Decimal) -> float | None:
    negative = cell.startswith(("(", "-"))
    number = to_decimal(cell.strip("()-"))
    if number is None:
        return None
    value = float(number * scale)
    return -value if negative else value


def _owner(ctx: Context, above: str) -> str | None:
    """The company named last before the table, else the article's first."""
    mentions = find_companies(above).mentions if above else ()
    return mentions[-1].symbol if mentions else ctx.companies.primary()


def find_table_items(raw: str, ctx: Context) -> list[EarningsItem]:
    """Items from every key-figures table of `raw` (the article as written) that has a
    consensus column; `ctx` gives the companies of the normalised text."""
    items: list[EarningsItem] = []
    if not _has_header_hint(raw[:MAX_TEXT_CHARS]):
        return items  # no consensus column, no table to read
    lines = unicodedata.normalize("NFKC", raw[:MAX_TEXT_CHARS]).split("\n")
    for index, line in enumerate(lines):
        header = _cells(line)
        if len(header) < 2 or not any(_CONSENSUS_CELL.match(cell) for cell in header):
            continue
        columns = _columns(header)
        if columns is None:
            continue
        actual_col, consensus_col, period = columns
        for row_line in lines[index + 1 : index + 1 + _MAX_ROWS]:
            row = _cells(row_line)
            if not row:
                break
            label, values = row[0], row[1:]
            if len(values) != len(header) or not all(_NUMBER_CELL.match(v) for v in values):
                continue
            metric = _metric(label)
            unit = _unit(label)
            if metric is None or unit is None:
                continue
            currency, scale = unit
            actual = _value(values[actual_col], scale)
            estimate = _value(values[consensus_col], scale)
            if actual is None or not estimate or not plausible(metric, actual, estimate):
                continue
            surprise = round((actual - estimate) / abs(estimate) * 100, 2)
            items.append(
                EarningsItem(
                    ticker=_owner(ctx, "\n".join(lines[:index])),
                    period=period.period,
                    fiscal_year=period.year,
                    metric=metric,
                    basis=_basis(label),
                    actual=round(actual, 6),
                    estimate=round(estimate, 6),
                    currency=currency,
                    surprise_pct=surprise,
                    verdict=verdict(actual, estimate, surprise, ""),
                    evidence=evidence(f"{line.strip()} | {row_line.strip()}"),
                )
            )
    return items
