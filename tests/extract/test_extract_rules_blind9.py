"""Rules generalised after the blind9 batch (parser 1.5.0): each construction with sentences
of our own, written three ways, and a near miss that must not be read the same way."""

from __future__ import annotations

import pytest
from market_news.extract import extract_text

from tests.extract.claim_rows import claim_rows


def _items(text: str) -> list[tuple[object, ...]]:
    return [
        (i.ticker, i.period, i.fiscal_year, i.metric, i.actual, i.estimate, i.basis)
        for i in extract_text(text).earnings
    ]


# --- a spread of forecasts, then its consensus ------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        "Estimates from 12 analysts ranged from $2.05 billion to $2.20 billion, and the"
        " consensus was $2.12 billion.",
        "Analysts' forecasts ran between $2.05 billion and $2.20 billion; the average was"
        " $2.12 billion.",
        "Wall Street estimates spanned $2.05 billion to $2.20 billion, with a consensus of"
        " $2.12 billion.",
        "The analysts polled by LSEG were split, from $2.05 billion to $2.20 billion, with a"
        " median of $2.12 billion.",
    ],
)
def test_consensus_after_a_range_of_forecasts_is_the_estimate(second: str) -> None:
    text = f"Acme Corp (NYSE: ACME) reported third-quarter 2025 revenue of $2.18 billion. {second}"
    assert _items(text) == [("ACME", "Q3", 2025, "revenue", 2.18e9, 2.12e9, None)]


def test_a_guidance_range_still_ends_the_carry() -> None:
    # near miss: the company's own range is guidance, and the consensus after it is its
    text = (
        "Acme Corp (NYSE: ACME) reported third-quarter 2025 revenue of $2.18 billion. It sees"
        " next-quarter revenue of $2.05 billion to $2.20 billion, and the consensus is"
        " $2.12 billion."
    )
    assert _items(text) == []


# --- the basis word of a subject the verb is far from -----------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Acme (NYSE: ACME) said adjusted earnings for its fiscal fourth quarter, the three"
        " months to Sept. 30 that close its fiscal 2025, were $2.71 per share, beating the"
        " $2.58 consensus.",
        "Adjusted profit for the fourth quarter of fiscal 2025, which ended in September, came"
        " to $2.71 a share, above the $2.58 analysts expected at Acme (NYSE: ACME).",
        "At Acme (NYSE: ACME), non-GAAP income in the fourth quarter of fiscal 2025, a period"
        " hit by storms, totaled $2.71 per share against estimates of $2.58.",
    ],
)
def test_basis_of_a_far_subject_reaches_its_per_share_figure(sentence: str) -> None:
    assert _items(sentence) == [("ACME", "Q4", 2025, "eps", 2.71, 2.58, "adjusted")]


def test_far_basis_word_needs_a_linking_verb() -> None:
    # near miss: "adjusted" belongs to the operating margin, not to the per-share figure
    text = (
        "Acme (NYSE: ACME) kept its adjusted operating margin for the fourth quarter of fiscal"
        " 2025 steady and earned $2.71 per share, beating the $2.58 consensus."
    )
    assert _items(text) == [("ACME", "Q4", 2025, "eps", 2.71, 2.58, None)]


# --- a period's results are out months after it ends: the dateline dates the story -----


@pytest.mark.parametrize(
    "text",
    [
        # a prior-year comparison carries the only written year
        "FRANKFURT, Oct 29, 2025 - Acme (XETRA: ACM) earned 2.58 euros per share in the third"
        " quarter, against 2.41 euros expected, and 2.10 euros in the third quarter of 2024.",
        # a stray earlier year outnumbers the dateline's
        "NEW YORK, July 15, 2025 - Acme (NYSE: ACME) beat second-quarter forecasts.\nIt"
        " posted EPS of $1.60, above the $1.41 analysts expected. It expects full-year"
        " income to be in line with 2024's $47.7 billion.",
        # day-month-year dateline, and the comparison written as "Q2 2024"
        "By Staff | 15 July 2025\nAcme (NYSE: ACME) posted EPS of $1.60 in Q2, above the $1.41"
        " expected and up from $1.20 in Q2 2024.",
        # a Japanese date
        "2025年7月15日\nAcme (NYSE: ACME) beat second-quarter forecasts.\nIt posted EPS of"
        " $1.60, above the $1.41 expected. Costs were above 2024 levels, as in 2024's second half.",
    ],
)
def test_period_long_reported_before_the_dateline_is_not_the_reported_year(text: str) -> None:
    years = {item[2] for item in _items(text)}
    assert years == {2025}


def test_a_recent_period_keeps_its_written_year() -> None:
    # near miss: fourth-quarter 2024 results reported in February 2025 are 2024's
    text = (
        "NEW YORK, Feb 5, 2025 - Acme (NYSE: ACME) posted fourth-quarter 2024 EPS of $1.60,"
        " above the $1.41 analysts expected."
    )
    assert _items(text) == [("ACME", "Q4", 2024, "eps", 1.6, 1.41, None)]
    # and a fiscal year named ahead of the calendar (fiscal 2026 in 2025) is not stale
    text = (
        "Aug 27, 2025 - Acme (NASDAQ: ACME) posted second-quarter fiscal 2026 EPS of $1.05,"
        " above the $1.01 analysts expected."
    )
    assert _items(text) == [("ACME", "Q2", 2026, "eps", 1.05, 1.01, None)]


# --- a revised capex plan: the new figure is the claim, not the one it replaced ---------


@pytest.mark.parametrize(
    "text",
    [
        "Acme raised its 2026 capital spending forecast to about $85 billion from $75 billion"
        " to build more AI data centers.",
        "Acme lifted its AI capex plan from $75 billion to about $85 billion.",
        "Acme now expects capital expenditures of about $85 billion on AI infrastructure, up"
        " from its earlier forecast of $75 billion.",
        "Acme expects AI data center capex of about $85 billion, versus its prior guidance of"
        " $75 billion.",
        "Acme put AI infrastructure capex at about $85 billion ($75 billion previously).",
    ],
)
def test_superseded_capex_figure_is_not_a_claim(text: str) -> None:
    assert claim_rows(text) == [("capex", 85e9, "USD", "about", None)]


def test_a_second_capex_figure_that_replaced_nothing_stays() -> None:
    # near miss: two plans side by side, neither replacing the other
    text = "Acme will spend $85 billion on AI data centers this year and $95 billion in 2027."
    assert [row[1] for row in claim_rows(text)] == [85e9, 95e9]


# --- money raised to build an AI site is its capex ---------------------------------------


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        (
            "Crusoe and its partners have raised $15 billion in debt and equity for the"
            " Stargate project so far.",
            "Stargate",
        ),
        ("Acme secured a $2.3 billion construction loan for its Ohio AI campus.", None),
        ("The developer lined up $7 billion of financing to build the data center.", None),
        (
            "Blue Owl has arranged about $15 billion in debt to fund construction of the"
            " Colossus 2 site.",
            "Colossus 2",
        ),
    ],
)
def test_financing_raised_for_an_ai_build_is_capex(text: str, subject: str | None) -> None:
    rows = claim_rows(text)
    assert [(r[0], r[2], r[4]) for r in rows] == [("capex", "USD", subject)]


def test_funding_round_without_a_build_is_not_capex() -> None:
    # near miss: a company's equity round says nothing about what is being built
    assert claim_rows("OpenAI raised $40 billion in equity funding from SoftBank.") == []
    assert claim_rows("Acme raised $2 billion in debt for general corporate purposes.") == []


# --- a model's versioned name introduced by an appositive --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Acme released Orca-4, a mixture-of-experts language model with 400 billion"
        " parameters.\nThe company said Orca-4 was trained on 8,192 H100 GPUs.",
        "Acme's newest model, Orca 4, was released on Monday. It has 400 billion parameters."
        "\nAcme said Orca 4 was trained on 8,192 H100 GPUs.",
        "Acme put out a new open-weight model. The flagship version, Orca-4, has 400 billion"
        " parameters, and Orca-4 was trained on 8,192 H100 GPUs.",
    ],
)
def test_model_name_given_in_apposition_is_the_subject(text: str) -> None:
    subjects = {row[4] for row in claim_rows(text)}
    assert len(subjects) == 1
    assert subjects.pop() in {"Orca-4", "Orca 4"}


def test_smaller_sibling_keeps_its_own_longer_name() -> None:
    text = (
        "Acme released Orca-4, a dense model with 400 billion parameters. A small sibling,"
        " Orca-4 Mini, has 8 billion parameters."
    )
    assert [(row[1], row[4]) for row in claim_rows(text)] == [
        (400e9, "Orca-4"),
        (8e9, "Orca-4 Mini"),
    ]


def test_company_in_apposition_is_not_a_model_name() -> None:
    # near miss: no version digit, and the appositive is about a company
    text = "Acme, a chipmaker whose model is licensing, said it shipped 20,000 H100 GPUs."
    assert [row[4] for row in claim_rows(text)] == [None]


# --- Japanese: a dropped subject continues the one named before ------------------------


_JA_LEAD = "アクメ(1234)は、AI向けデータセンター「石狩AIデータセンター」を建設すると発表した。"


@pytest.mark.parametrize(
    ("sentence", "row"),
    [
        ("総投資額は約3,000億円を見込む。", ("capex", 3e11, "JPY", "about")),
        (
            "同データセンターの受電容量は200MWを超える計画だ。",
            ("datacenter_power", 200.0, "MW", "more than"),
        ),
        (
            "計算基盤にはGPU「B200」を約2万5,000基導入する。",
            ("gpu_count", 25000.0, "B200", "about"),
        ),
        ("約1万2000基のH200を導入する予定だ。", ("gpu_count", 12000.0, "H200", "about")),
    ],
)
def test_japanese_sentence_without_a_subject_continues_the_named_site(
    sentence: str, row: tuple[object, ...]
) -> None:
    rows = claim_rows(_JA_LEAD + "\n" + sentence)
    assert rows == [(*row, "石狩AIデータセンター")]


def test_japanese_organisation_topic_takes_its_own_subject() -> None:
    # near misses: the group as a whole, and another listed company, are their own topics
    rows = claim_rows(_JA_LEAD + "\nアクメグループ全体では、AIインフラに約2兆円を投じる。")
    assert rows == [("capex", 2e12, "JPY", "about", None)]
    rows = claim_rows(_JA_LEAD + "\nベータ(5678)も、データセンターにGPUを約1万基整備する。")
    assert rows == [("gpu_count", 10000.0, "GPU", "about", None)]


# --- Japanese per-share profit lines, and the forecast list under its header ------------


@pytest.mark.parametrize(
    "line",
    [
        "・1株当たり四半期純利益 280.35円(前年同期 255.60円) 市場予想 262.10円",
        "・1株当たり当期純利益は280.35円で、市場予想の262.10円を上回った。",
        "・1株あたり中間純利益 280.35円(市場予想 262.10円)",
    ],
)
def test_japanese_per_share_profit_line_is_eps(line: str) -> None:
    text = f"アクメ(1234)の2026年3月期第1四半期決算。\n{line}"
    assert [(i[3], i[4], i[5]) for i in _items(text)] == [("eps", 280.35, 262.1)]


@pytest.mark.parametrize(
    "header",
    ["(2)通期の連結業績予想(2026年3月期)", "2026年3月期の業績見通し", "Outlook for fiscal 2026:"],
)
def test_lines_under_a_forecast_header_are_guidance(header: str) -> None:
    text = (
        "アクメ(1234)の2026年3月期第1四半期決算。\n"
        "・売上高 6,172億円 市場予想 5,980億円\n"
        f"{header}\n"
        "・売上高 2兆5,000億円(市場予想 2兆4,000億円)\n"
        "・1株当たり当期純利益 1,150円(市場予想 1,182円)"
    )
    assert [(i[1], i[3], i[4], i[5]) for i in _items(text)] == [("Q1", "revenue", 617.2e9, 598e9)]


def test_bullets_after_a_results_header_are_still_results() -> None:
    # near miss: a header that is not the company's forecast opens no guidance list
    text = (
        "アクメ(1234)の2026年3月期第1四半期決算。\n(1)連結経営成績\n"
        "・1株当たり四半期純利益 280.35円(市場予想 262.10円)"
    )
    assert [(i[3], i[4], i[5]) for i in _items(text)] == [("eps", 280.35, 262.1)]


# --- a preview updated with the results on top -------------------------------------------


@pytest.mark.parametrize(
    ("update", "preview"),
    [
        (
            "UPDATE: Acme reported adjusted earnings of $3.15 a share on revenue of $2.37 billion."
            " Our original preview follows.",
            "Analysts polled by FactSet expect it to earn $2.94 a share on sales of $2.41 billion.",
        ),
        (
            "Editor's note (4:41 pm ET): Acme has since posted adjusted earnings of $3.15 a share"
            " and revenue of $2.37 billion. The original story follows.",
            "Wall Street expects adjusted EPS of $2.94; the consensus for revenue is"
            " $2.41 billion.",
        ),
        (
            "Updated with results: Acme reported adjusted EPS of $3.15 after the close; revenue"
            " came to $2.37 billion. Below, our preview.",
            "The consensus calls for $2.94 a share in adjusted earnings. Analysts see revenue at"
            " $2.41 billion, according to FactSet.",
        ),
    ],
)
def test_updated_preview_pairs_its_results_with_the_preview_consensus(
    update: str, preview: str
) -> None:
    text = (
        f"{update}\n\nAcme Corp (NYSE: ACME) reports results for the second quarter of its"
        f" fiscal 2024, which ended July 28, on Thursday afternoon. {preview} A year earlier"
        " it earned $2.68 a share."
    )
    assert sorted(_items(text), key=repr) == [
        ("ACME", "Q2", 2024, "eps", 3.15, 2.94, "adjusted"),
        ("ACME", "Q2", 2024, "revenue", 2.37e9, 2.41e9, None),
    ]


def test_a_plain_preview_has_no_items() -> None:
    # near miss: the preview alone reports nothing, and an update line needs a preview
    text = (
        "Acme Corp (NYSE: ACME) reports second-quarter results on Thursday. Analysts expect"
        " it to earn $2.94 a share on sales of $2.41 billion."
    )
    assert _items(text) == []
    text = (
        "UPDATE: Acme Corp (NYSE: ACME) reported second-quarter EPS of $3.15.\n\nThe stock"
        " rose after the bell. Shares have lagged the market this year.\n\nAnalysts expect"
        " its rival Beta to earn $2.94 a share in the second quarter."
    )
    assert _items(text) == []


def test_a_mixture_of_experts_model_has_one_size_its_total() -> None:
    for text in (
        "DeepSeek-V3 has 671 billion total parameters, with 37 billion activated per token.",
        "Mixtral uses 39 billion active parameters out of 141 billion parameters.",
        "Meridian-3 has 1.2 trillion parameters in total, of which 48 billion are active.",
    ):
        values = [row[1] for row in claim_rows(text) if row[0] == "model_parameters"]
        assert len(values) == 1 and values[0] >= 141_000_000_000, text
    # a dense model's count written with "total" is still its size
    assert [row[1] for row in claim_rows("Qwen2.5 has 72 billion total parameters.")] == [
        72_000_000_000
    ]
