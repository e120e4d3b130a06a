"""Rules generalised after the blind10 batch (parser 1.6.0): each construction with sentences
of our own, written several ways, and a near miss that must not be read the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from market_news.extract import extract_text
from market_news.extract.numbers import find_amounts

from tests.extract.claim_rows import claim_rows


def _items(text: str) -> list[tuple[object, ...]]:
    return [
        (i.ticker, i.period, i.fiscal_year, i.metric, i.actual, i.estimate, i.basis)
        for i in extract_text(text).earnings
    ]


def _money(text: str) -> list[tuple[Decimal, str | None]]:
    return [(a.value, a.currency) for a in find_amounts(text)]


# --- rupees in crore and lakh, reais ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("revenue of Rs 64,259 crore", [(Decimal("642590000000"), "INR")]),
        ("profit of Rs. 1,205.6 crores", [(Decimal("12056000000"), "INR")]),
        ("sales of ₹2.4 lakh crore", [(Decimal("2400000000000"), "INR")]),
        ("a bonus of Rs 3.5 lakh", [(Decimal("350000"), "INR")]),
        ("orders of Rs 450 cr", [(Decimal("4500000000"), "INR")]),
        ("EPS of 32.92 rupees", [(Decimal("32.92"), "INR")]),
        ("net revenue of 10.6 billion reais", [(Decimal("10600000000"), "BRL")]),
        ("earnings of R$ 0.38 a share", [(Decimal("0.38"), "BRL")]),
    ],
)
def test_indian_and_brazilian_amounts(text: str, want: list[tuple[Decimal, str]]) -> None:
    assert _money(text) == want


def test_reais_with_a_dollar_conversion_is_one_positive_figure() -> None:
    got = find_amounts("revenue rose to 10.6 billion reais ($1.87 billion), above forecasts")
    assert [(a.value, a.currency, a.negative) for a in got] == [
        (Decimal("10600000000"), "BRL", False)
    ]


@pytest.mark.parametrize("text", ["Mrs 5 said so", "the RS 232 port", "cross 400 crore"])
def test_rs_and_crore_need_their_own_shape(text: str) -> None:
    # near misses: "rs" inside a word, upper-case RS (a model code), crore without a currency
    assert _money(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Infosys (NSE: INFY) reported second-quarter fiscal 2025 revenue of Rs 40,986 crore."
        " Analysts had pencilled in Rs 40,500 crore.",
        "Infosys (NSE: INFY) posted second-quarter fiscal 2025 revenue of Rs 40,986 crore,"
        " above Street estimates of Rs 40,500 crore.",
        "Second-quarter fiscal 2025 revenue at Infosys (NSE: INFY) stood at Rs 40,986 crore"
        " against a consensus of Rs 40,500 crore.",
    ],
)
def test_crore_results_against_street_estimates(text: str) -> None:
    assert _items(text) == [("INFY", "Q2", 2025, "revenue", 409.86e9, 405e9, None)]


# --- estimates written before the results, paragraphs apart -----------------------------


@pytest.mark.parametrize(
    "opening",
    [
        "Going into the report, analysts had expected Acme Corp (NYSE: ACME) to earn $1.10 a"
        " share for the third quarter of 2025, on revenue of $5.20 billion, according to LSEG.",
        "Wall Street had forecast third-quarter 2025 earnings of $1.10 per share and revenue"
        " of $5.20 billion at Acme Corp (NYSE: ACME), according to LSEG.",
        "Before the release, the consensus estimate for Acme Corp (NYSE: ACME) called for"
        " third-quarter 2025 revenue of $5.20 billion and EPS of $1.10.",
    ],
)
def test_estimates_first_pair_with_results_written_later(opening: str) -> None:
    text = (
        f"{opening}\n\nDemand for its machines has slowed all year as dealers cut stock.\n\n"
        "The company posted net income of $0.9 billion, or $1.25 per share, compared with"
        " $1.40 a share a year earlier. Revenue fell 12% to $5.31 billion."
    )
    assert sorted(_items(text), key=repr) == sorted(
        [
            ("ACME", "Q3", 2025, "eps", 1.25, 1.10, None),
            ("ACME", "Q3", 2025, "revenue", 5.31e9, 5.2e9, None),
        ],
        key=repr,
    )


def test_estimates_of_a_preview_do_not_pair_with_later_figures() -> None:
    # near miss: a forecast still ahead ("analysts expect") is a preview's, not a result's
    text = (
        "Analysts expect Acme Corp (NYSE: ACME) to earn $1.10 a share in the third quarter"
        " of 2025.\n\nLast year it earned $1.25 per share in the fourth quarter."
    )
    assert _items(text) == []


def test_estimates_first_stay_with_their_company() -> None:
    # near miss: the later result is another company's
    text = (
        "Analysts had expected Acme Corp (NYSE: ACME) to earn $1.10 a share for the third"
        " quarter of 2025.\n\nRival Globex Inc (NYSE: GBX) reported $1.18 per share."
    )
    assert _items(text) == []


def test_estimates_first_keep_their_basis() -> None:
    # near miss: a non-GAAP consensus is not paired with the GAAP figure written first
    text = (
        "Wall Street had expected non-GAAP earnings of 79 cents a share at Acme Corp (NYSE:"
        " ACME) for the third quarter of 2025.\n\nAcme reported GAAP EPS of $0.41. Non-GAAP"
        " EPS was $0.83."
    )
    assert _items(text) == [("ACME", "Q3", 2025, "eps", 0.83, 0.79, "adjusted")]


def test_estimates_first_need_a_result_of_the_same_size() -> None:
    # near miss: net income is no EPS, and a figure four times the forecast is not its result
    text = (
        "Analysts had expected Acme Corp (NYSE: ACME) to earn $1.10 a share for the third"
        " quarter of 2025.\n\nIts per-share profit from the sale of a unit was $4.60."
    )
    assert _items(text) == []


def test_a_ticker_bracket_does_not_break_the_clause() -> None:
    text = (
        "Analysts had expected Acme Corp (NYSE: ACME) to earn $1.10 a share for the third"
        " quarter of 2025. The company earned $1.25 a share."
    )
    assert _items(text) == [("ACME", "Q3", 2025, "eps", 1.25, 1.10, None)]


def test_claim_rows_helper_still_reads_nothing_here() -> None:
    assert claim_rows("Analysts had expected Acme to earn $1.10 a share.") == []


def test_a_listed_metric_with_its_own_verb_is_not_the_estimate() -> None:
    # near miss of the "and revenue of" list: a verb of its own makes it the company's
    text = (
        "Analysts had expected Acme Corp (NYSE: ACME) to earn $1.10 a share for the third"
        " quarter of 2025, and the company reported revenue of $5.31 billion."
    )
    assert _items(text) == []


# --- "excluding items" after the figure; "$X per share and $Y" as one list -------------


@pytest.mark.parametrize(
    "first",
    [
        "Acme Corp (NYSE: ACME) earned $2.89 per share, excluding items, on revenue of"
        " $20.17 billion in the third quarter of 2025.",
        "Acme Corp (NYSE: ACME) made $2.89 a share, before one-time items, on sales of"
        " $20.17 billion in the third quarter of 2025.",
        "In the third quarter of 2025 Acme Corp (NYSE: ACME) earned $2.89 per share,"
        " excluding special charges, on revenue of $20.17 billion.",
    ],
)
def test_excluding_items_after_the_figure_is_adjusted(first: str) -> None:
    text = f"{first} Analysts polled by LSEG were looking for $2.82 per share and $19.92 billion."
    assert sorted(_items(text), key=repr) == sorted(
        [
            ("ACME", "Q3", 2025, "eps", 2.89, 2.82, "adjusted"),
            ("ACME", "Q3", 2025, "revenue", 20.17e9, 19.92e9, None),
        ],
        key=repr,
    )


def test_excluding_a_business_is_not_a_basis() -> None:
    # near miss: excluding a unit's sales says nothing about the EPS basis
    text = (
        "Acme Corp (NYSE: ACME) earned $2.89 per share, excluding its China unit's growth,"
        " in the third quarter of 2025, above the $2.82 analysts had expected."
    )
    assert _items(text) == [("ACME", "Q3", 2025, "eps", 2.89, 2.82, None)]


# --- the fiscal year of "quarter ended <date>" ------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "* ACME CORP REPORTS FOURTH QUARTER RESULTS FOR QUARTER ENDED OCT 31, 2024",
        "* Acme Corp reports fourth-quarter results for the three months ended 31 October 2024",
        "* Acme Corp posts results for its fourth quarter, the period ending Oct. 31, 2024",
    ],
)
def test_quarter_ended_date_gives_the_fiscal_year_over_guidance(header: str) -> None:
    text = (
        "Nov 26 (Reuters) - Acme Corp <ACME.N>:\n\n"
        f"{header}\n"
        "* Q4 REVENUE $8.46 BILLION VERSUS IBES VIEW $8.24 BILLION\n"
        "* SEES Q1 2025 REVENUE $8.0 BILLION TO $8.4 BILLION\n"
        "* SEES FY 2025 REVENUE $34 BILLION TO $35 BILLION\n"
    )
    assert _items(text) == [("ACME", "Q4", 2024, "revenue", 8.46e9, 8.24e9, None)]


def test_a_quarter_ended_in_one_year_may_close_the_next_fiscal_year() -> None:
    # a year ending in June: the quarter ended Sept. 30, 2024 is the first of fiscal 2025
    text = (
        "Acme Corp (NYSE: ACME) reported first-quarter revenue of $65.6 billion for the"
        " quarter ended Sept. 30, 2024, above estimates of $64.5 billion. It sees revenue of"
        " $70 billion in 2025."
    )
    assert _items(text) == [("ACME", "Q1", 2025, "revenue", 65.6e9, 64.5e9, None)]


def test_a_year_closing_in_january_is_not_named_from_the_date() -> None:
    # near miss: retailers name a year closing on Feb. 1, 2025 "fiscal 2024", others
    # "fiscal 2025"; the date decides nothing and the article's own year stands
    text = (
        "Acme Stores (NYSE: ACME) reported fourth-quarter revenue of $6.5 billion for the"
        " quarter ended Feb. 1, 2025, above estimates of $6.4 billion. Its fiscal 2024 ended"
        " with record sales."
    )
    assert _items(text) == [("ACME", "Q4", 2024, "revenue", 6.5e9, 6.4e9, None)]


# --- a period that heads a forecast is not the results' period --------------------------


@pytest.mark.parametrize(
    "headline",
    [
        "Acme beats estimates, raises annual forecast",
        "Acme tops estimates and lifts full-year outlook",
        "Acme beats; cuts annual sales guidance",
    ],
)
def test_a_forecast_period_in_the_headline_is_not_the_results_period(headline: str) -> None:
    text = (
        f"{headline}\n\nAcme Corp (NYSE: ACME) beat estimates for third-quarter profit on"
        " Thursday.\n\nThe retailer earned $5.14 per share in its fiscal 2024 third quarter."
        "\n\nNet sales rose 1.7% to $2.53 billion, above estimates of $2.49 billion."
    )
    assert _items(text) == [("ACME", "Q3", 2024, "revenue", 2.53e9, 2.49e9, None)]


def test_an_annual_results_headline_still_sets_the_period() -> None:
    # near miss: "annual profit" heads results, not a forecast
    text = (
        "Acme beats estimates for annual profit in 2024\n\nAcme Corp (NYSE: ACME) said net"
        " sales rose to $9.53 billion, above estimates of $9.49 billion."
    )
    assert _items(text) == [("ACME", "FY", 2024, "revenue", 9.53e9, 9.49e9, None)]


# --- a site named by apposition is the subject of later claims --------------------------


@pytest.mark.parametrize(
    "first",
    [
        "Nimbus Compute has ordered 24,000 MI325X accelerators for Halcyon, a training"
        " cluster it is building in Texas.",
        "Nimbus Compute will fill Halcyon, an AI supercomputer near Amarillo, with 24,000"
        " MI325X accelerators.",
        "Halcyon, a GPU cluster in Texas, will get 24,000 MI325X accelerators, Nimbus"
        " Compute said.",
    ],
)
def test_a_site_named_by_apposition_is_the_subject(first: str) -> None:
    text = f"{first} The site will draw up to 45 megawatts."
    assert claim_rows(text) == [
        ("gpu_count", 24000.0, "MI325X", None, "Halcyon"),
        ("datacenter_power", 45.0, "MW", "up to", "Halcyon"),
    ]


def test_a_unicode_multiword_campus_name_is_learned() -> None:
    text = (
        "Aurore Data said it would build the Rhône AI Campus, a 1.4-gigawatt complex for"
        " training models. It expects to invest up to €10 billion in the Rhône AI Campus."
    )
    assert claim_rows(text) == [
        ("datacenter_power", 1400.0, "MW", None, "Rhône AI Campus"),
        ("capex", 10e9, "EUR", "up to", "Rhône AI Campus"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a company described by what it builds, not a site
        "Aurore Data, a French data-centre developer, said it will draw up to 45 megawatts.",
        # a general kind word with nothing AI about it
        "Dunmore, a logistics facility near Lyon, will draw up to 45 megawatts of power.",
    ],
)
def test_appositions_that_name_no_ai_site(text: str) -> None:
    assert [row[4] for row in claim_rows(text)] == [None]


# --- "put the cost of X at" as capex ----------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        "Nimbus put the cost of Halcyon at about $1.1 billion, including networking.",
        "The company estimated the total cost of Halcyon at about $1.1 billion.",
        "Analysts pegged the price tag for Halcyon at about $1.1 billion.",
        "Halcyon will cost about $1.1 billion, the company said.",
    ],
)
def test_the_cost_of_a_named_site_is_capex(second: str) -> None:
    text = f"Nimbus is building Halcyon, a training cluster in Texas. {second}"
    assert claim_rows(text) == [("capex", 1.1e9, "USD", "about", "Halcyon")]


def test_the_cost_of_something_else_is_not_capex() -> None:
    # near miss: a cost with no AI site or infrastructure named is not an AI build-out
    text = "The city put the cost of the new bridge at about $1.1 billion."
    assert claim_rows(text) == []


# --- Japanese: a bracketed name after its kind; 投じ as capex -----------------------------


@pytest.mark.parametrize(
    "first",
    [
        "東邦クラウドは、H200を2,048基搭載したスーパーコンピュータ「ASUKA-1」を構築する。",
        "東邦クラウドは、H200を2,048基搭載したスパコン「ASUKA-1」を構築する。",
        "東邦クラウドは、H200を2,048基搭載した「ASUKA-1」というクラスターを構築する。",
    ],
)
def test_ja_bracketed_system_name_takes_its_cost(first: str) -> None:
    text = f"{first}ASUKA-1の整備には約450億円を投じ、一部は助成を活用します。"
    rows = claim_rows(text)
    assert ("capex", 45e9, "JPY", "about", "ASUKA-1") in rows


def test_ja_spending_without_a_system_is_not_capex() -> None:
    # near miss: 投じ about a bracketed name that is no system (a programme)
    text = "同社は「Kaizen-2」計画を発表した。Kaizen-2の整備には約450億円を投じる。"
    assert claim_rows(text) == []
