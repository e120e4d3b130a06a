"""Reporting periods ("Q3", "second-quarter", "上期", "通期") and years in a text.

An earnings item's period is the one written nearest to its figure; its fiscal year is
the year attached to that period, else the year the article itself is about (a year
seen next to "early"/"by"/"next" is a forecast horizon, not the reported year).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from market_news.extract.text import anchor_spans, finditer_in

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4,
}  # fmt: skip

_YEAR_TAIL = (
    r"(?:\s?(?:of\s)?(?:fiscal\s(?:year\s)?|FY\s?)?'?(?P<year2>20\d\d|\d\d(?![\d%]))(?![\d,.]\d))?"
)
_YEAR_HEAD = r"(?:(?:fiscal\s(?:year\s)?|FY\s?)?(?P<year1>20\d\d)\s)?"
_FISCAL = r"(?P<fiscal>fiscal[\s-](?:year[\s-])?)?"
# A Japanese fiscal year is named by the month it ends: "25年3月期" is the year to March
# 2025, so its third quarter ("25年3月期の第3四半期") belongs to fiscal 2025.
_JA_FY_END = r"(?:(?P<fyend>(?:20)?\d\d)年\s?\d{1,2}月期\s?の?\s?|\d{1,2}月期\s?の?\s?)?"
# Each pattern comes with the words one of its matches must contain ("anchors", lower
# case): the pattern only runs in a window around them, so a long article without
# "quarter" costs one substring search instead of a regex pass per character.
_PATTERNS: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    (
        "Q",
        re.compile(
            r"(?<![A-Za-z0-9_-])(?:F?Q(?P<q>[1-4])|(?P<q2>[1-4])Q)"
            r"(?:\s?(?:FY|fiscal\s)?\s?'?(?P<year2>20\d\d|\d\d))?(?![A-Za-z0-9_%-])",
            re.IGNORECASE | re.ASCII,
        ),
        ("q",),
    ),
    (
        "Q",
        re.compile(
            _YEAR_HEAD + _FISCAL + r"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
            r"[\s-](?:fiscal[\s-])?quarter\b(?:\s(?:of\s)?(?:(?:its|the|their)\s)?(?:fiscal\s)?"
            r"(?:year\s)?"
            r"'?(?P<year2>20\d\d|FY\s?'?\d{2,4})(?!\d))?",
            re.IGNORECASE | re.ASCII,
        ),
        ("quarter",),
    ),
    (
        "H",
        re.compile(
            _YEAR_HEAD
            + r"\b(?:(?P<ord>first|second)[\s-]half|(?P<half>half[\s-]year|interim))\b"
            + _YEAR_TAIL,
            re.IGNORECASE | re.ASCII,
        ),
        ("half", "interim"),
    ),
    (
        "H",
        re.compile(
            r"(?<![A-Za-z0-9_-])(?:H(?P<q>[12])|(?P<q2>[12])H)(?![A-Za-z0-9_-])" + _YEAR_TAIL,
        ),
        ("h1", "h2", "1h", "2h"),
    ),
    # A year named by its closing date, as UK and European reports do: "its financial year
    # to 30 September 2024", "the fiscal year ended September 30, 2024" (before the plain
    # "fiscal year" below, which would otherwise take the words and leave the year).
    (
        "FY",
        re.compile(
            r"\b(?:(?:financial|fiscal)\s)?year\s(?:to|ended|ending)\s(?:\d{1,2}\s)?"
            r"(?:January|February|March|April|May|June|July|August|September|October|"
            r"November|December)(?:\s\d{1,2})?,?\s(?P<year2>20\d\d)(?!\d)",
            re.IGNORECASE | re.ASCII,
        ),
        ("year to", "year ended", "year ending"),
    ),
    (
        "FY",
        re.compile(
            _YEAR_HEAD + r"\b(?:full[\s-]year|fiscal[\s-]year|annual)\b" + _YEAR_TAIL,
            re.IGNORECASE | re.ASCII,
        ),
        ("full", "fiscal", "annual"),
    ),
    ("FY", re.compile(r"(?<![A-Za-z0-9_-])FY\s?'?(?P<year2>20\d\d|\d\d)(?![\d%])"), ("fy",)),
    (
        "Q",
        re.compile(
            r"(?:(?P<year1>20\d\d)年(?:度)?\s?)?"
            + _JA_FY_END
            + r"第\s?(?P<ord>[1-4一二三四])\s?四半期"
        ),
        ("四半期",),
    ),
    # Six-month spans: "4~9月期" (April fiscal year) or "1~6月期" (calendar) are first halves.
    (
        "H1",
        re.compile(r"(?:(?P<year1>20\d\d)年\s?)?(?:4\s?[~-]\s?9|1\s?[~-]\s?6)月期"),
        ("月期",),
    ),
    (
        "H2",
        re.compile(r"(?:(?P<year1>20\d\d)年\s?)?(?:10\s?[~-]\s?3|7\s?[~-]\s?12)月期"),
        ("月期",),
    ),
    (
        "H1",
        # "2025年3月期上期" is the first half of the fiscal year ending March 2025
        re.compile(r"(?:(?P<year1>20\d\d)年(?:度)?\s?)?" + _JA_FY_END + r"(?:上期|上半期|中間期)"),
        ("上期", "上半期", "中間期"),
    ),
    (
        "H2",
        re.compile(r"(?:(?P<year1>20\d\d)年(?:度)?\s?)?" + _JA_FY_END + r"(?:下期|下半期)"),
        ("下期", "下半期"),
    ),
    (
        "FY",
        re.compile(r"(?:(?P<year1>20\d\d)年(?:度)?\s?)?" + _JA_FY_END + r"(?:通期|通年)"),
        ("通期", "通年"),
    ),
    ("FY", re.compile(r"(?P<year1>20\d\d)年度(?!\s?(?:第|上|下|通))"), ("年度",)),
]
#: How far a match may reach before and after its anchor word.
_REACH_BEFORE = 48
_REACH_AFTER = 40

# "20" first, then the look-behind: a literal start lets the regex engine skip ahead.
# "4兆2050億円": digits inside a Japanese amount are not a year.
_YEAR = re.compile(r"(?P<year>20(?<![\d,.$€£¥#兆億万]20)\d\d)(?!\d|%|[,.]\d|[兆億万円])")
_FUTURE_BEFORE = re.compile(
    r"(?:\b(?:early|late|mid|by|until|through|next|target|goal|end of|beginning of)\s?-?"
    r"|までに|以降)\s?$",
    re.IGNORECASE | re.ASCII,
)
# A fiscal year described rather than reported on: "its fiscal year ends in May".
_CALENDAR_AFTER = re.compile(
    r"\s?(?:ends|ending|runs|begins|starts|closes)\b", re.IGNORECASE | re.ASCII
)
_FUTURE_AFTER = re.compile(r"^(?:年初頭|年末|年までに|年以降|\s?(?:and beyond|onward))")


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period written in the text, with the year written with it (if any)."""

    period: str
    year: int | None
    start: int
    end: int


def _year_of(raw: str | None) -> int | None:
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 2:
        return 2000 + int(digits)
    if len(digits) == 4 and digits.startswith("20"):
        return int(digits)
    return None


# A half of a fiscal year that starts in April, written by its calendar months and year:
# "2025年4~9月期", "2025年10~3月期".
_APRIL_HALF = re.compile(r"年\s?(?:4\s?[~-]\s?9|10\s?[~-]\s?3)月期")
_MARCH_YEAR_END = re.compile(r"(?<!\d)(?:20)?(?P<yy>\d\d)年\s?3月期")


def _named_by_its_end(text: str, year: int) -> int:
    """The fiscal year of an April-start half: the year it was written with, unless the
    article names that fiscal year by its end ("26年3月期通期" beside "2025年4~9月期"): the
    article's own name for the year is then the half's too."""
    if "3月期" not in text:
        return year
    for match in _MARCH_YEAR_END.finditer(text):
        if 2000 + int(match.group("yy")) == year + 1:
            return year + 1
    return year


def find_periods(text: str) -> list[PeriodMention]:
    """Every period mention in order; earlier patterns win on overlap ("Q4 FY25" is Q4)."""
    found: list[PeriodMention] = []
    taken = bytearray(len(text))  # linear overlap test, whatever the number of mentions
    lower = text.lower()
    if len(lower) != len(text):  # a few characters change length in lower case
        lower = text
    for kind, pattern, anchors in _PATTERNS:
        for match in _windowed(pattern, text, lower, anchors):
            if any(taken[match.start() : match.end()]):
                continue
            groups = match.groupdict()
            if kind in ("Q", "H"):
                number = groups.get("q") or groups.get("q2") or groups.get("ord") or ""
                if groups.get("half"):
                    number = "1"  # "half-year results" are the first half's
                ordinal = _ORDINALS.get(number.lower())
                if ordinal is None:
                    continue
                period = f"{kind}{ordinal}"
            else:
                period = kind
            year = (
                _year_of(groups.get("year1"))
                or _year_of(groups.get("fyend"))
                or _year_of(groups.get("year2"))
            )
            if year is not None and _APRIL_HALF.search(match.group(0)):
                year = _named_by_its_end(text, year)
            if period == "FY" and year is None and _CALENDAR_AFTER.match(text, match.end()):
                continue  # "whose fiscal year ends in May" describes a calendar, not figures
            found.append(PeriodMention(period, year, match.start(), match.end()))
            taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    found.sort(key=lambda m: m.start)
    return found


def _windowed(
    pattern: re.Pattern[str], text: str, lower: str, anchors: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    """Matches of `pattern` within reach of its anchor words, in text order."""
    if not anchors:
        return pattern.finditer(text)
    return finditer_in(pattern, text, anchor_spans(lower, anchors, _REACH_BEFORE, _REACH_AFTER))


def article_year(text: str, periods: list[PeriodMention]) -> int | None:
    """The year an article reports on: a year attached to a period, else the most common
    year not written as a forecast horizon (ties go to the earlier year: results are past).
    """
    attached = Counter(m.year for m in periods if m.year is not None)
    if attached:
        return min(attached, key=lambda y: (-attached[y], y))
    counts: Counter[int] = Counter()
    for match in _YEAR.finditer(text):
        before = text[max(0, match.start() - 16) : match.start()]
        after = text[match.end() : match.end() + 8]
        if _FUTURE_BEFORE.search(before) or _FUTURE_AFTER.match(after):
            continue
        counts[int(match.group("year"))] += 1
    if not counts:
        return None
    return min(counts, key=lambda y: (-counts[y], y))


# --- the story's own date and the dates periods closed on ---------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?)"
_DATELINE = re.compile(
    _MONTH + r"\s(?P<day>\d{1,2}),?\s(?P<year>20\d\d)(?!\d)"
    r"|(?P<day2>\d{1,2})\s" + _MONTH.replace("month", "month2") + r"\s(?P<year2>20\d\d)(?!\d)"
    r"|(?P<year3>20\d\d)年\s?(?P<month3>\d{1,2})月\s?\d{1,2}日",
    re.ASCII,
)
#: How far into the article (title, byline, lede) a date is taken as the story's own.
_DATELINE_REACH = 400


@functools.lru_cache(maxsize=4)  # asked once per item of the same article
def dateline_month(text: str) -> int | None:
    """The story's date as a month count (year * 12 + month), from a full date written in
    its opening lines ("NEW YORK, July 15, 2025 -", "By Desk | 18 March 2026")."""
    for match in _DATELINE.finditer(text, 0, _DATELINE_REACH):
        if match.group("year3"):
            month = int(match.group("month3"))
            if 1 <= month <= 12:
                return int(match.group("year3")) * 12 + month
            continue
        name = (match.group("month") or match.group("month2")).lower()[:3]
        if name in _MONTHS:
            year = match.group("year") or match.group("year2")
            return int(year) * 12 + _MONTHS.index(name) + 1
    return None


# "QUARTER ENDED OCT 31, 2024", "the three months ended 31 October 2024", "for the
# fourth quarter ending Oct. 27, 2024": the calendar date a period closed on.
_ENDED = re.compile(
    r"\b(?:quarter|three months|period|half|six months|fiscal year|year)\s(?:that\s)?"
    r"end(?:ed|ing)\s(?:on\s)?"
    r"(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?\s\d{1,2},?"
    r"|\d{1,2}\s(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?,?)"
    r"\s(?P<year>20\d\d)(?!\d)",
    re.IGNORECASE | re.ASCII,
)


@functools.lru_cache(maxsize=4)  # asked once per item of the same article
def period_ends(text: str) -> tuple[tuple[int, int, int], ...]:
    """(offset, month, year) of each "period ended <date>" of the article."""
    if not ("nded" in text or "NDED" in text or "nding" in text or "NDING" in text):
        return ()  # cheap pre-test: most articles give no closing date
    ends: list[tuple[int, int, int]] = []
    for match in _ENDED.finditer(text):
        name = (match.group("mon") or match.group("mon2")).lower()
        ends.append((match.start(), _MONTHS.index(name) + 1, int(match.group("year"))))
    return tuple(ends)
