"""Periods, fiscal years, ticker symbols and language detection."""

from __future__ import annotations

import pytest
from market_news.extract.language import detect_language
from market_news.extract.periods import article_year, dateline_month, find_periods, period_ends
from market_news.extract.tickers import find_companies


@pytest.mark.parametrize(
    ("text", "period", "year"),
    [
        ("third quarter 2024", "Q3", 2024),
        ("Q3 Adj. EPS", "Q3", None),
        ("second-quarter revenue", "Q2", None),
        ("Q4 FY25 results", "Q4", 2025),
        ("fiscal second quarter", "Q2", None),
        ("fourth quarter of fiscal 2024", "Q4", 2024),
        ("fiscal 2025 first-quarter revenue", "Q1", 2025),
        ("3Q24 sales", "Q3", 2024),
        ("first-half turnover", "H1", None),
        ("H2 2023 margin", "H2", 2023),
        ("half-year results", "H1", None),
        ("full-year revenue", "FY", None),
        ("FY2024 revenue", "FY", 2024),
        ("2024年第三四半期", "Q3", 2024),
        ("第3四半期", "Q3", None),
        ("2024年度上期", "H1", 2024),
        ("下期", "H2", None),
        ("2025年3月期通期", "FY", 2025),
    ],
)
def test_periods(text: str, period: str, year: int | None) -> None:
    mentions = find_periods(text)
    assert [(m.period, m.year) for m in mentions] == [(period, year)]


def test_no_period_in_plain_text() -> None:
    assert find_periods("Shares rose 25% on Tuesday, up 3 points.") == []


def test_article_year_skips_forecast_horizons() -> None:
    text = "The model is expected in early 2025. Results for 2024 were strong; 2024 ended well."
    assert article_year(text, find_periods(text)) == 2024


def test_article_year_prefers_year_written_with_a_period() -> None:
    text = "In 2023 it grew. Third quarter 2024 revenue rose. In 2023 again."
    assert article_year(text, find_periods(text)) == 2024


def test_article_year_none_without_years() -> None:
    assert article_year("Revenue rose.", []) is None


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("Meta Platforms Inc (NASDAQ:META) CEO", ("META",)),
        ("Block Inc (NYSE: XYZ) said", ("XYZ",)),
        ("Meta Platforms, Inc. META CEO Mark Zuckerberg", ("META",)),
        ("$TSLA and $NVDA rallied, $5 was nothing", ("TSLA", "NVDA")),
        ("Alphabet Inc. (NASDAQ:GOOGL, GOOG) rose", ("GOOGL", "GOOG")),
        ("Apple Inc. CEO Tim Cook", ()),
        ("A (NASDAQ:AAPL) then (NASDAQ:AAPL) again", ("AAPL",)),
        ("トヨタ自動車(東証:7203)は", ("7203",)),
    ],
)
def test_ticker_symbols(text: str, symbols: tuple[str, ...]) -> None:
    assert find_companies(text).symbols == symbols


def test_company_name_becomes_an_alias() -> None:
    text = "Meta Platforms Inc (NASDAQ:META) said so. Later, Meta reported more."
    companies = find_companies(text)
    later = text.index("Later")
    assert any(m.symbol == "META" and m.start > later for m in companies.mentions)


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("Meta reported revenue of $40 billion, and the shares rose in the session.", None, "en"),
        ("メタは第三四半期の売上高が405.9億ドルだったと発表しました。", None, "ja"),
        ("メタは第三四半期の売上高が405.9億ドルだったと発表しました。", "en", "ja"),
        ("Meta reported revenue of $40 billion, and the shares rose.", "ja", "en"),
        ("", "de", "de"),
        ("12345 67890", None, "en"),
    ],
)
def test_language(text: str, hint: str | None, language: str) -> None:
    assert detect_language(text, hint) == language


def test_the_story_date_is_read_from_its_opening_lines_only() -> None:
    assert dateline_month("NEW YORK, July 15, 2025 - Acme said ...") == 2025 * 12 + 7
    assert dateline_month("By Desk | 18 March 2026\nAcme said ...") == 2026 * 12 + 3
    assert dateline_month("東京、2025年10月30日 - 決算を発表した。") == 2025 * 12 + 10
    # a date deep in the story is not the story's own
    assert dateline_month("Acme said. " * 60 + "On July 15, 2025 it paid.") is None


def test_closing_dates_of_periods() -> None:
    text = "RESULTS FOR QUARTER ENDED OCT 31, 2024 and the three months ended 31 July 2024"
    assert [(month, year) for _, month, year in period_ends(text)] == [(10, 2024), (7, 2024)]
    assert period_ends("The quarter was strong in October 2024.") == ()
