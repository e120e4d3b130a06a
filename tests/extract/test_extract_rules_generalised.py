"""Rules generalised after the blind6 batch: each construction with a sentence of our own
and a near miss that must not be read the same way."""

from __future__ import annotations

from market_news.extract import extract_html, extract_text
from market_news.extract.numbers import find_amounts
from market_news.extract.periods import find_periods
from market_news.extract.text import normalise
from market_news.extract.tickers import find_companies

from tests.extract.claim_rows import claim_rows as _claims


def _items(text: str) -> list[tuple[object, ...]]:
    return [
        (i.metric, i.actual, i.estimate, i.currency, i.basis, i.verdict)
        for i in extract_text(text).earnings
    ]


# --- tickers -------------------------------------------------------------------------


def test_any_exchange_code_or_the_word_ticker_before_the_symbol() -> None:
    assert find_companies("Heineken NV (AMS: HEIA) said volumes fell.").symbols == ("HEIA",)
    assert find_companies("Nokia Oyj (HEL: NOKIA) cut jobs.").symbols == ("NOKIA",)
    assert find_companies("Peloton (ticker: PTON) said sales slowed.").symbols == ("PTON",)
    assert find_companies("Etsy (symbol: ETSY) gained.").symbols == ("ETSY",)


def test_note_in_brackets_is_not_an_exchange_tag() -> None:
    assert find_companies("The chipmaker (Update: revised) was quiet.").symbols == ()


def test_japanese_code_in_angle_brackets() -> None:
    text = normalise("　任天堂 <7974> [東証Ｐ] が決算を発表した。")
    assert find_companies(text).symbols == ("7974",)
    assert find_companies("価格は <1000> 円だった。").symbols == ()  # no name before it


def test_wire_dateline_credit_is_not_a_ticker() -> None:
    text = "SEOUL, South Korea (AP) - Samsung Electronics said profit rose."
    assert find_companies(text).symbols == ()
    assert find_companies("LONDON (AFP) - Shell (SHEL) said.").symbols == ("SHEL",)
    # the same letters after a company's name, mid-sentence, stay a symbol
    assert find_companies("Shares of Palantir (PLTR) - up 4% - led.").symbols == ("PLTR",)


# --- amounts --------------------------------------------------------------------------


def test_taiwan_dollars_in_every_spelling() -> None:
    found = find_amounts("sales of NT$236.0 billion, or 12.5 billion new Taiwan dollars")
    assert [(a.value, a.currency) for a in found] == [(236.0e9, "TWD"), (12.5e9, "TWD")]


def test_bracketed_conversion_is_not_a_second_figure() -> None:
    found = find_amounts("profit of 9.1 billion yuan ($1.26 billion) in the period")
    assert [(a.value, a.currency, a.negative) for a in found] == [(9.1e9, "CNY", False)]


def test_bracketed_same_currency_figure_is_kept() -> None:
    found = find_amounts("a loss of $4 million ($0.03) in the period")
    assert [(float(a.value), a.negative) for a in found] == [(4e6, False), (0.03, True)]


# --- earnings -------------------------------------------------------------------------


def test_non_usd_currency_word_with_average_estimate() -> None:
    text = (
        "Lenovo (HKEX: 0992) said revenue for the quarter rose to 98.7 billion yuan, "
        "beating the 96.1 billion yuan average estimate of analysts."
    )
    assert _items(text) == [("revenue", 98.7e9, 96.1e9, "CNY", None, "beat")]


def test_per_ads_earnings_against_consensus() -> None:
    text = (
        "JD.com (NASDAQ: JD) said adjusted earnings per American depositary share were "
        "7.40 yuan ($1.02), topping the consensus of 6.95 yuan."
    )
    assert _items(text) == [("eps", 7.40, 6.95, "CNY", "adjusted", "beat")]


def test_average_of_analyst_estimates_after_the_figure() -> None:
    text = (
        "Philips (AMS: PHIA) said sales reached €4.55 billion in the quarter, short of the "
        "€4.61 billion average of analyst estimates."
    )
    assert _items(text) == [("revenue", 4.55e9, 4.61e9, "EUR", None, "miss")]


def test_figure_analysts_had_been_looking_for() -> None:
    text = (
        "Zillow (ticker: Z) said that, excluding items, it earned 39 cents a share, above "
        "the 33 cents analysts had been looking for."
    )
    assert _items(text) == [("eps", 0.39, 0.33, "USD", "adjusted", "beat")]


def test_excluding_items_needs_the_word_items() -> None:
    text = "Zillow (ticker: Z) said that, excluding Canada, it earned 39 cents a share."
    assert _items(text) == []


def test_basis_written_after_the_figure() -> None:
    text = (
        "Workday (NASDAQ: WDAY) earned $1.89 a share on an adjusted basis, above the "
        "$1.76 analysts had expected."
    )
    assert _items(text) == [("eps", 1.89, 1.76, "USD", "adjusted", "beat")]
    gaap = "Workday (NASDAQ: WDAY) earned $0.75 a share on a GAAP basis, above the $0.70 expected."
    assert _items(gaap) == [("eps", 0.75, 0.70, "USD", "gaap", "beat")]


def test_japanese_loss_written_after_the_amount() -> None:
    text = (
        "マツダ(7261)の1株当たり損益は5円20銭の赤字となり、アナリスト予想の平均"
        "(3円の赤字)より赤字幅が大きかった。"
    )
    assert _items(text) == [("eps", -5.2, -3.0, "JPY", None, "miss")]
    profit = "マツダ(7261)の1株当たり利益は5円20銭の黒字で、市場予想の3円を上回った。"
    assert _items(profit) == [("eps", 5.2, 3.0, "JPY", None, "beat")]


def test_company_forecast_revision_is_not_an_item() -> None:
    text = (
        "ソニー(6758)は通期の業績予想で売上高を13兆円(従来予想は12兆円)に上方修正した。"
        "市場予想は12兆8000億円だった。"
    )
    assert _items(text) == []


def test_segment_named_after_the_revenue_word() -> None:
    text = (
        "Oracle (NYSE: ORCL) said revenue in its cloud infrastructure unit rose to $2.7 "
        "billion, above the $2.6 billion analysts expected."
    )
    assert _items(text) == []
    group = (
        "Siemens (ETR: SIE) said revenue in the Digital Industries Group fell to €4.4 "
        "billion, below the €4.6 billion consensus."
    )
    assert _items(group) == []


def test_revenue_at_the_group_is_the_company() -> None:
    text = (
        "Unilever (LSE: ULVR) said revenue at the group rose to €15.1 billion, ahead of "
        "the €14.9 billion consensus."
    )
    assert _items(text) == [("revenue", 15.1e9, 14.9e9, "EUR", None, "beat")]


def test_non_revenue_metric_with_revenue_in_an_appositive() -> None:
    text = (
        "ServiceNow (NYSE: NOW) said billings, a proxy for future revenue, rose to $3.3 "
        "billion, ahead of the $3.2 billion analysts expected."
    )
    assert _items(text) == []
    revenue = (
        "ServiceNow (NYSE: NOW) said revenue, a record for the company, rose to $3.0 "
        "billion, ahead of the $2.9 billion analysts expected."
    )
    assert _items(revenue) == [("revenue", 3.0e9, 2.9e9, "USD", None, "beat")]


def test_estimate_after_a_plan_revision_is_the_plans() -> None:
    text = (
        "Revenue for the nine months rose to $7.9 billion.\n"
        "The company raised its full-year plan from $10.1 billion to $10.4 billion, above "
        "the $10.2 billion analysts expected."
    )
    assert _items("Acme (NYSE: ACME) said so.\n" + text) == []


def test_no_period_written_leaves_the_fiscal_year_unknown() -> None:
    text = (
        "March 3, 2025\nAcme (NYSE: ACME) reported quarterly earnings of $0.51 per share "
        "which beat the analyst consensus estimate of $0.48."
    )
    (item,) = extract_text(text).earnings
    assert (item.period, item.fiscal_year) == (None, None)
    dated = text.replace("quarterly earnings", "second-quarter earnings")
    (item,) = extract_text(dated).earnings
    assert (item.period, item.fiscal_year) == ("Q2", 2025)


# --- periods --------------------------------------------------------------------------


def test_quarter_of_its_fiscal_year() -> None:
    (found,) = find_periods("the second quarter of its fiscal 2026, which ended")
    assert (found.period, found.year) == ("Q2", 2026)


def test_japanese_fiscal_year_named_by_its_end() -> None:
    assert [(m.period, m.year) for m in find_periods("26年3月期の第1四半期は")] == [("Q1", 2026)]
    assert [(m.period, m.year) for m in find_periods("2025年2月期通期の")] == [("FY", 2025)]
    # a calendar year before months is the year itself
    assert [(m.period, m.year) for m in find_periods("2024年度第2四半期")] == [("Q2", 2024)]


# --- title ----------------------------------------------------------------------------


def test_title_kept_as_written_apart_from_whitespace() -> None:
    html = (
        '<html><head><meta property="og:title" content="任天堂、4～6月期は増益　新作好調">'
        "</head>"
        "<body><article><p>本文です。</p></article></body></html>"
    )
    assert extract_html(html).title == "任天堂、4～6月期は増益　新作好調"
    spaced = html.replace("増益　新作", "増益 \n  新作")
    assert extract_html(spaced).title == "任天堂、4～6月期は増益 新作好調"


# --- AI claims ------------------------------------------------------------------------


def test_in_house_chip_model_as_written() -> None:
    text = "The AI lab switched on 20,000 Ascend 910B chips and 8,000 Maxwell X90 accelerators."
    assert ("gpu_count", 8000.0, "Maxwell X90", None, None) in _claims(text)
    near = "The AI lab switched on 20,000 Nvidia H200 GPUs."
    assert _claims(near) == [("gpu_count", 20000.0, "H200", None, None)]


def test_japanese_gpu_total_counts_the_chip_named_before() -> None:
    text = "楽天は最新GPU「H200」を導入し、GPUの総数は5000基を超える見込みだ。"
    assert _claims(text) == [("gpu_count", 5000.0, "H200", "more than", None)]
    two = "楽天は「H100」と「H200」を導入し、GPUの総数は5000基を超える見込みだ。"
    assert _claims(two) == [("gpu_count", 5000.0, "GPU", "more than", None)]


def test_different_bounds_on_the_same_count_are_two_claims() -> None:
    text = (
        "KDDI plans more than 8,000 B200 GPUs for its AI cluster. "
        "A rival AI data center will install about 8,000 GPUs."
    )
    assert len(_claims(text)) == 2


def test_power_capacity_in_japanese_keeps_its_qualifier() -> None:
    assert _claims("当初の受電容量は約80MWとなる。") == [
        ("datacenter_power", 80.0, "MW", "about", None)
    ]


def test_bracketed_latin_name_is_a_subject_but_a_chip_is_not() -> None:
    text = "理研のAIスーパーコンピューター「Tsubame Next」はH100を2400基搭載する。"
    assert _claims(text) == [("gpu_count", 2400.0, "H100", None, "Tsubame Next")]
    chip = "同社は「H100」を2400基搭載する。"
    assert _claims(chip) == [("gpu_count", 2400.0, "H100", None, None)]


def test_model_versions_written_without_a_space_and_with_a_tier() -> None:
    text = "The lab said Gemma3-27B has 27 billion parameters."
    assert _claims(text)[0][4] == "Gemma3-27B"
    tier = "Cohere compared it with Mistral Small 3, a 24-billion-parameter model."
    assert _claims(tier)[0][4] == "Mistral Small 3"


def test_figure_as_an_adjective_of_the_name_after_it() -> None:
    text = "Acme Lab released Falcon 3, which it says beats a 70-billion-parameter Llama 3.3."
    assert ("model_parameters", 70e9, "parameters", None, "Llama 3.3") in _claims(text)


def test_back_reference_to_a_model_named_earlier_in_the_sentence() -> None:
    text = (
        "The lab is training Grok 3, its next model, and said the biggest version has "
        "about 300 billion parameters."
    )
    assert _claims(text) == [("model_parameters", 300e9, "parameters", "about", "Grok 3")]
    plain = "The lab is training Grok 3, and said a rival has about 300 billion parameters."
    assert _claims(plain)[0][4] is None


def test_proper_site_name_ending_with_its_kind() -> None:
    text = "Its Lakeside Supercluster will offer up to 65,536 B200 GPUs."
    assert _claims(text) == [("gpu_count", 65536.0, "B200", "up to", "Lakeside Supercluster")]


def test_money_to_be_deployed_in_ai_infrastructure() -> None:
    text = (
        "The partners said they would build AI data centers through Project Aurora, "
        "starting with $20 billion to be deployed this year."
    )
    assert _claims(text) == [("capex", 20e9, "USD", None, "Project Aurora")]
