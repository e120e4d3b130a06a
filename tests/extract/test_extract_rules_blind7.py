"""Rules generalised after the blind7 batch: each construction with a sentence of our own
and a near miss that must not be read the same way."""

from __future__ import annotations

from market_news.extract import extract_text
from market_news.extract.periods import find_periods
from market_news.extract.text import normalise
from market_news.extract.tickers import find_companies

from tests.extract.claim_rows import claim_rows as _claims


def _items(text: str) -> list[tuple[object, ...]]:
    return [
        (i.ticker, i.period, i.fiscal_year, i.metric, i.actual, i.estimate, i.basis)
        for i in extract_text(text).earnings
    ]


# --- tickers -------------------------------------------------------------------------


def test_reuters_code_in_angle_brackets_ascii_and_full_width() -> None:
    assert find_companies("Oct 2 (Reuters) - Nike Inc <NKE.N> cut its outlook.").symbols == ("NKE",)
    text = normalise("トヨタ自動車＜7203.T＞は８日、決算を発表した。")
    assert find_companies(text).symbols == ("7203",)


def test_angle_brackets_without_an_exchange_suffix_are_not_a_code() -> None:
    assert find_companies("The reply <NOTE> was sent; see <ABC.XYZ> too.").symbols == ()


def test_exchange_tag_keeps_a_symbol_that_is_also_a_word() -> None:
    assert find_companies("SoundThinking press release (NASDAQ:AI) was out.").symbols == ("AI",)
    # without the exchange the word stays a word
    assert find_companies("Generative (AI) tools were praised.").symbols == ()


def test_dual_listing_repeats_the_exchange_in_one_tag() -> None:
    text = "Wipro Ltd (NSE: WIPRO, NYSE: WIT) reported on Friday."
    assert find_companies(text).symbols == ("WIPRO", "WIT")
    assert find_companies("Tata Motors (NSE: TMCV; NYSE: TTM) rose.").symbols == (
        "TMCV",
        "TTM",
    )


def test_japanese_code_after_a_latin_company_name() -> None:
    assert find_companies(normalise("NTTデータ、そしてTDK（6762）が発表した。")).symbols == (
        "6762",
    )
    assert find_companies("SCSK(9719)は増益だった。").symbols == ("9719",)


def test_period_and_year_in_parentheses_are_not_a_code() -> None:
    assert find_companies("FY(2024)は増収だった。").symbols == ()
    assert find_companies("See Note (2025) in English text.").symbols == ()


def test_initials_of_a_company_name_are_its_ticker() -> None:
    text = "Sept 3 (AP) - United Parcel Lines Inc (UPL) said volumes fell."
    assert find_companies(text).symbols == ("UPL",)
    assert find_companies("Shares of Texas Instruments (TI) fell.").symbols == ("TI",)


def test_initials_of_an_agency_or_a_technology_stay_an_acronym() -> None:
    assert find_companies("Google Cloud Platform (GCP) grew.").symbols == ()
    assert find_companies("the Federal Trade Commission (FTC) said").symbols == ()
    assert find_companies("Power Usage Effectiveness (PUE) was 1.1.").symbols == ()


def test_broker_list_puts_the_symbol_first() -> None:
    text = (
        "* ADBE (Adobe) - FQ4 25: revenue $6.1bn vs cons. $6.0bn.\n"
        "* ORCL - Q2 26: revenue $16.1bn vs $16.2bn cons.\n"
    )
    assert find_companies(text).symbols == ("ADBE", "ORCL")


def test_bullet_with_capitals_but_no_results_line_is_no_ticker() -> None:
    text = "* APAC - Q4 demand stayed soft.\n* NOTE - markets closed Monday.\n"
    assert find_companies(text).symbols == ()


# --- earnings ------------------------------------------------------------------------


def test_vs_cons_and_bare_vs_under_a_reported_vs_consensus_heading() -> None:
    text = (
        "RESULTS (reported vs. consensus)\n\n"
        "* ADBE (Adobe) - FQ4 25: revenue $6.19bn vs cons. $6.11bn; adj. EPS $5.50 vs $5.40.\n"
    )
    assert sorted(_items(text), key=repr) == sorted(
        [
            ("ADBE", "Q4", 2025, "revenue", 6_190_000_000, 6_110_000_000, None),
            ("ADBE", "Q4", 2025, "eps", 5.5, 5.4, "adjusted"),
        ],
        key=repr,
    )


def test_bare_vs_without_the_heading_is_no_estimate() -> None:
    text = "* ADBE (Adobe) - FQ4 25: revenue $6.19bn vs $5.61bn; adj. EPS $5.50 vs $4.81.\n"
    assert _items(text) == []


def test_midpoint_and_spread_are_guidance_not_a_result() -> None:
    text = (
        "RESULTS (reported vs. consensus)\n\n"
        "* KLAC (KLA) - FQ2 26 guide: revenue $3.2bn +/- $150m vs cons. $3.1bn, "
        "EPS $8.70 +/- $0.78 vs cons. $8.50.\n"
    )
    assert _items(text) == []
    text = (
        "Kla Corp (KLAC) forecast adjusted earnings of $8.70 a share, give or take 78 cents."
        " Analysts had expected $8.50."
    )
    assert _items(text) == []


def test_second_company_keeps_its_own_period() -> None:
    text = (
        "Alpha Widgets Inc. (AWX) said that for its fiscal 2026 second quarter it did well.\n\n"
        "On an adjusted basis, Alpha earned $2.10 a share, above the consensus of $2.00.\n\n"
        "Beta Gears Inc. (BGR), whose fiscal year ends in June, posted results for its fiscal"
        " 2026 first quarter.\n\n"
        "Excluding items, Beta earned 90 cents a share, above the FactSet consensus of 80"
        " cents.\n"
    )
    got = {(t, p, y, m) for t, p, y, m, *_ in _items(text)}
    assert got == {("AWX", "Q2", 2026, "eps"), ("BGR", "Q1", 2026, "eps")}


def test_one_company_story_still_takes_the_opening_period() -> None:
    text = (
        "Alpha Widgets Inc. (AWX) reported its fiscal 2026 second quarter on Tuesday.\n\n"
        "Alpha expects its third quarter to be slower.\n\n"
        "On an adjusted basis, Alpha earned $2.10 a share, above the consensus of $2.00.\n"
    )
    assert [(p, y) for _, p, y, *_ in _items(text)] == [("Q2", 2026)]


# --- periods -------------------------------------------------------------------------


def test_broker_fiscal_quarter_shorthand() -> None:
    assert [(m.period, m.year) for m in find_periods("FQ3 26 (Jan-qtr): revenue")] == [("Q3", 2026)]
    assert find_periods("the FQX line") == []


def test_japanese_half_of_a_fiscal_year_ending_in_march() -> None:
    text = normalise("2026年3月期上期（4─9月）の売上高は")
    assert [(m.period, m.year) for m in find_periods(text)] == [("H1", 2026)]
    text = normalise("26年3月期下期は")
    assert [(m.period, m.year) for m in find_periods(text)] == [("H2", 2026)]


def test_digits_inside_a_japanese_amount_are_not_a_year() -> None:
    text = normalise("上期の売上高は３兆２０２０億円で、市場予想の３兆３０００億円を下回った。")
    items = extract_text(text).earnings
    assert [i.fiscal_year for i in items] == [None]


def test_japanese_plan_closed_by_mikomu_is_not_a_result() -> None:
    text = (
        "通期の業績予想は変えなかった。売上高は2兆1000億円、純利益は900億円を見込む。"
        "市場予想の平均は売上高が2兆1500億円となっている。"
    )
    assert extract_text(text).earnings == ()


def test_japanese_result_against_consensus_still_counts() -> None:
    text = "上期の売上高は1兆2000億円で、市場予想の1兆1500億円を上回った。来期は増収を見込む。"
    assert [(i.metric, i.actual, i.estimate) for i in extract_text(text).earnings] == [
        ("revenue", 1_200_000_000_000, 1_150_000_000_000)
    ]


def test_estimate_that_analysts_surveyed_by_a_provider_had_forecast() -> None:
    text = (
        "Acme Corp. (ACME) reported third-quarter revenue of $5.2 billion, above the $5.0"
        " billion that analysts surveyed by Visible Alpha had forecast."
    )
    assert [(m, a, e) for _, _, _, m, a, e, _ in _items(text)] == [
        ("revenue", 5_200_000_000, 5_000_000_000)
    ]


def test_surveyed_without_analysts_is_no_estimate() -> None:
    text = "Acme Corp. (ACME) reported revenue of $5.2 billion, up from $5.0 billion surveyed."
    assert _items(text) == []


def test_hyphenated_cent_loss_is_the_estimate() -> None:
    text = (
        "Acme Corp. (ACME) posted a net loss of 40 cents per share, narrower than the 55-cent"
        " loss analysts expected."
    )
    assert [(m, a, e) for _, _, _, m, a, e, _ in _items(text)] == [("eps", -0.4, -0.55)]


def test_hyphenated_cent_without_an_estimate_word_is_not_one() -> None:
    text = "Acme Corp. (ACME) posted a net loss of 40 cents per share, after a 55-cent loss."
    assert _items(text) == []


def test_consensus_figure_inside_brackets_after_the_analyst_word() -> None:
    text = (
        "ニトリ（9843）の3～5月期の売上収益は2400億円だった。"
        "市場予想の平均（QUICKコンセンサス、2350億円）を上回った。"
    )
    assert [(i.metric, i.actual, i.estimate) for i in extract_text(text).earnings] == [
        ("revenue", 240_000_000_000, 235_000_000_000)
    ]


def test_figure_in_brackets_without_an_analyst_word_is_no_estimate() -> None:
    text = "ニトリ（9843）の売上収益は2400億円だった。前年同期（2350億円）を上回った。"
    assert extract_text(text).earnings == ()


# --- AI claims -----------------------------------------------------------------------


def test_total_investment_in_an_ai_infrastructure_story() -> None:
    text = (
        "Northwind plans an AI data center campus in Nevada.\n\n"
        "Northwind puts the overall investment at $9bn through 2030."
    )
    assert _claims(text) == [("capex", 9_000_000_000, "USD", None, None)]


def test_total_investment_outside_an_ai_story_is_no_capex() -> None:
    text = "The city puts the total investment in the new stadium at $2bn."
    assert _claims(text) == []


def test_backlog_next_to_capex_plans_is_not_capex() -> None:
    text = (
        "The AI cloud reported a backlog of $14.2 billion and capex plans of up to $9 billion"
        " for its data centers."
    )
    assert _claims(text) == [("capex", 9_000_000_000, "USD", "up to", None)]


def test_initial_phase_of_a_build_out_is_power_capacity() -> None:
    text = "An initial phase of 60MW is due to open in the spring."
    assert _claims(text) == [("datacenter_power", 60, "MW", None, None)]


def test_phase_trial_without_power_is_nothing() -> None:
    assert _claims("The initial phase of the trial enrolled 60 patients.") == []


def test_named_ai_system_is_context_for_power_and_spending() -> None:
    text = (
        "Stargate 2, planned for Ohio, is being designed for more than 2 GW.\n\n"
        "The partners will spend about $30 billion on the first phase of Stargate 2."
    )
    assert _claims(text) == [
        ("datacenter_power", 2000, "MW", "more than", "Stargate 2"),
        ("capex", 30_000_000_000, "USD", "about", "Stargate 2"),
    ]


def test_spending_without_any_ai_context_is_no_capex() -> None:
    assert _claims("The retailer will spend about $3 billion on new stores.") == []


def test_named_site_followed_by_its_location_is_the_subject() -> None:
    text = "Our Lakeshore site in Ohio will deliver 8 times the AI compute of our largest cluster."
    assert _claims(text) == [("compute_multiple", 8, "x", None, "Lakeshore")]


def test_town_before_a_bare_site_is_not_a_subject() -> None:
    text = "The company's Reno site delivers 5 times the AI compute it had last year."
    assert _claims(text) == [("compute_multiple", 5, "x", None, None)]


# --- key-figures tables --------------------------------------------------------------

_TABLE = (
    "Wipro Ltd (NYSE: WIT) beat estimates.\n\n"
    "                         Q2 FY26      Estimate      Q2 FY25\n"
    "Revenue (Rs crore)        22,697        22,400       22,302\n"
    "Net profit (Rs crore)      3,246         3,100        3,209\n"
    "Adjusted EPS (Rs)           3.10          2.95         3.05\n"
)


def test_key_figures_table_with_a_consensus_column() -> None:
    got = sorted(_items(_TABLE), key=repr)
    assert got == sorted(
        [
            ("WIT", "Q2", 2026, "revenue", 226_970_000_000, 224_000_000_000, None),
            ("WIT", "Q2", 2026, "eps", 3.1, 2.95, "adjusted"),
        ],
        key=repr,
    )


def test_table_without_a_consensus_column_is_not_read() -> None:
    text = _TABLE.replace("Estimate ", "Q1 FY26  ")
    assert _items(text) == []


def test_table_whose_current_column_is_unclear_is_not_read() -> None:
    text = _TABLE.replace("Q2 FY25", "Q1 FY26")
    assert _items(text) == []


def test_table_row_without_a_currency_is_not_read() -> None:
    text = _TABLE.replace("(Rs crore)", "(units)   ").replace("(Rs)", "    ")
    assert _items(text) == []
