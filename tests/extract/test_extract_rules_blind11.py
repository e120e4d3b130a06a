"""Rules generalised after the blind11 batch (parser 1.7.0): each construction with sentences
of our own, written several ways, and a near miss that must not be read the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from market_news.extract import extract_text
from market_news.extract.numbers import find_amounts
from market_news.extract.periods import find_periods
from market_news.extract.tickers import find_companies

from tests.extract.claim_rows import claim_rows


def _items(text: str) -> list[tuple[object, ...]]:
    return [
        (i.ticker, i.period, i.fiscal_year, i.metric, i.actual, i.estimate, i.basis, i.verdict)
        for i in extract_text(text).earnings
    ]


# --- tickers: Nordic exchange tags, a listing written out, one-letter symbols ------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Volvo Cars (Nasdaq Stockholm: VOLCAR) said on Thursday it would cut jobs.", ("VOLCAR",)),
        ("Orkla ASA (Oslo Børs: ORK) raised its dividend.", ("ORK",)),
        ("Equinor (OSLO: EQNR) shares fell 2%.", ("EQNR",)),
        ("Nokia Oyj (Nasdaq Helsinki: NOKIA) beat estimates.", ("NOKIA",)),
        ("Carlsberg (Nasdaq Copenhagen: CARL) shares rose.", ("CARL",)),
        ("The company plans to trade under the ticker symbol 'QLTY' on the NYSE.", ("QLTY",)),
        ("Its shares will trade on Nasdaq under the symbol ZNTH.", ("ZNTH",)),
        ("Ford Motor Co. (F) shares rose 3% on Monday.", ("F",)),
        ("Citigroup Inc. (C) reported higher trading revenue.", ("C",)),
    ],
)
def test_tickers_written_several_ways(text: str, want: tuple[str, ...]) -> None:
    assert find_companies(text).symbols == want


@pytest.mark.parametrize(
    "text",
    [
        # near misses: a one-letter label that follows no company name, a city in parentheses
        # with no symbol after it, a symbol word written in lower case
        "The board chose option (B) over the plan discussed in March.",
        "Shares were weak in Stockholm (Sweden) trading on Friday.",
        "It has not yet chosen a symbol under which to trade.",
    ],
)
def test_ticker_near_misses(text: str) -> None:
    assert find_companies(text).symbols == ()


# --- a result that matched the estimate, written with one figure -------------------------

_DATED = "Acme Corp. (ACME) results\n\nNov. 4, 2025\n\n"


@pytest.mark.parametrize(
    ("sentence", "metric", "value"),
    [
        (
            "Acme said third-quarter revenue was $4.10 billion, in line with the consensus"
            " estimate compiled by LSEG.",
            "revenue",
            4_100_000_000.0,
        ),
        (
            "Acme earned an adjusted $1.12 per share in the third quarter, just as analysts"
            " surveyed by Zacks had forecast.",
            "eps",
            1.12,
        ),
        (
            "Acme's net sales for the quarter came in at $880 million, equal to the average"
            " analyst estimate.",
            "revenue",
            880_000_000.0,
        ),
    ],
)
def test_matched_estimate_with_one_figure(sentence: str, metric: str, value: float) -> None:
    items = extract_text(_DATED + sentence).earnings
    assert [(i.ticker, i.metric, i.actual, i.estimate, i.verdict) for i in items] == [
        ("ACME", metric, value, value, "inline")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # near misses: the company's own expectation, and an estimate figure written after
        # the phrase (read as a figure of its own, never doubled)
        "Acme said third-quarter revenue was $4.10 billion, in line with its own forecast.",
        "Acme said third-quarter revenue was $4.10 billion, matching the company's outlook.",
    ],
)
def test_matched_own_forecast_is_no_item(sentence: str) -> None:
    assert extract_text(_DATED + sentence).earnings == ()


def test_matched_estimate_with_its_figure_is_one_item() -> None:
    text = _DATED + "Third-quarter revenue was $4.10 billion, matching estimates of $4.10 billion."
    assert [(i.actual, i.estimate) for i in extract_text(text).earnings] == [
        (4_100_000_000.0, 4_100_000_000.0)
    ]


# --- Nordic crowns, pence before a full stop, the UK's "headline" EPS ----------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("sales of 12.4 billion Swedish kronor", [(Decimal("12400000000"), "SEK")]),
        (
            "revenue of NOK 2.1bn, or 2.1 billion Norwegian crowns",
            [(Decimal("2100000000"), "NOK"), (Decimal("2100000000"), "NOK")],
        ),
        ("a profit of 640 million Danish kroner", [(Decimal("640000000"), "DKK")]),
        ("earnings per share of 4.10 crowns", [(Decimal("4.10"), None)]),
        ("EPS was 31.2p.", [(Decimal("0.312"), "GBP")]),
        # near miss: a time of day is not pence
        ("the call starts at 3p.m. London time", []),
    ],
)
def test_crowns_and_pence(text: str, want: list[tuple[Decimal, str | None]]) -> None:
    assert [(a.value, a.currency) for a in find_amounts(text)] == want


def test_bare_crowns_take_the_country_named_once() -> None:
    text = (
        "Volvo Cars (Nasdaq Stockholm: VOLCAR) results\n\nOct. 23, 2025\n\n"
        "Third-quarter revenue was 91.6 billion Swedish crowns, against 90.2 billion crowns"
        " expected by analysts. Earnings per share came to 1.02 crowns,"
        " below the 1.10 crowns consensus."
    )
    assert {(i.metric, i.currency) for i in extract_text(text).earnings} == {
        ("revenue", "SEK"),
        ("eps", "SEK"),
    }


@pytest.mark.parametrize(
    ("sentence", "basis"),
    [
        ("Headline EPS of 48.2p beat the consensus of 46.0p.", "adjusted"),
        ("Normalised earnings per share rose to 48.2p against consensus of 46.0p.", "adjusted"),
        # near miss: "headline" naming the story's figure is no basis
        ("The headline figure aside, EPS of 48.2p beat the consensus of 46.0p.", None),
    ],
)
def test_uk_headline_eps_is_adjusted(sentence: str, basis: str | None) -> None:
    text = "Acme plc (LSE: ACM) results\n\n23 September 2025\n\nFull-year results. " + sentence
    assert [(i.actual, i.estimate, i.basis) for i in extract_text(text).earnings] == [
        (0.482, 0.46, basis)
    ]


# --- key-value box rows with the consensus on the same line -------------------------------

_BOX_HEAD = "Acme Corp. (ACME) -- third quarter ended Sept. 30, 2025\n\nNov. 4, 2025\n\n"


@pytest.mark.parametrize(
    ("row", "want"),
    [
        ("  Adj. EPS ......... $0.84    LSEG estimate: $0.80\n", [("eps", 0.84, 0.80)]),
        (
            "  Revenue:   $2.10B   Consensus: $2.25B\n",
            [("revenue", 2_100_000_000.0, 2_250_000_000.0)],
        ),
        ("  Adjusted EPS      $1.05   Analysts' forecast: $1.05\n", [("eps", 1.05, 1.05)]),
        # near misses: a row whose second cell is a year-ago figure, or the company's outlook
        ("  Adj. EPS ......... $0.84    Year-ago: $0.80\n", []),
        ("  Adj. EPS ......... $0.84    Company outlook: $0.80\n", []),
    ],
)
def test_box_row_with_consensus_cell(row: str, want: list[tuple[str, float, float]]) -> None:
    items = extract_text(_BOX_HEAD + row).earnings
    assert [(i.metric, i.actual, i.estimate) for i in items] == want


# --- racks and servers are not chips; bought generation is not a data center's power ------


@pytest.mark.parametrize(
    "text",
    [
        "CoreWeave said it had installed 250 GB300 NVL72 racks at its AI data center in Texas.",
        "The AI lab bought 1,200 H100 servers for its training cluster.",
        "Oracle will deploy 400 GB200 NVL72s in the new AI region.",
    ],
)
def test_rack_and_server_counts_are_not_gpu_counts(text: str) -> None:
    assert [r for r in claim_rows(text) if r[0] == "gpu_count"] == []


def test_chip_count_beside_a_rack_count_is_kept() -> None:
    text = "The 250 racks hold 18,000 B200 GPUs for the AI cluster."
    assert [r[:3] for r in claim_rows(text) if r[0] == "gpu_count"] == [
        ("gpu_count", 18000, "B200")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Meta signed a deal for a 650-megawatt Ohio wind farm to supply its AI data centers.",
        "Amazon's power purchase agreements now cover 1.5 gigawatts for its data centers.",
        "Google contracted 400 MW of solar capacity for its data center campus in Nevada.",
    ],
)
def test_generation_bought_is_not_datacenter_power(text: str) -> None:
    assert [r for r in claim_rows(text) if r[0] == "datacenter_power"] == []


def test_a_campus_power_beside_a_solar_word_is_kept() -> None:
    # near miss: the megawatts are the campus's, the solar word comes later
    text = "The 300-megawatt AI campus will draw part of its power from solar panels."
    assert [r[:3] for r in claim_rows(text)] == [("datacenter_power", 300, "MW")]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "Digital Realty expects the AI data center to cost about $2.4 billion to build.",
            [("capex", 2_400_000_000)],
        ),
        (
            "The company estimates the new GPU cluster to cost $900 million.",
            [("capex", 900_000_000)],
        ),
        # near miss: a cost that is not a build's, in a sentence with no AI or site word
        ("The company expects the tariffs to cost it $200 million this year.", []),
    ],
)
def test_expects_x_to_cost_is_capex(text: str, want: list[tuple[str, int]]) -> None:
    assert [r[:2] for r in claim_rows(text) if r[0] == "capex"] == want


# --- compute multiples as verbs; the one site named carried to 'the site', 'the build' ---


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("We plan to double our compute capacity by next summer.", [("compute_multiple", 2)]),
        ("The lab is quadrupling its AI compute this year.", [("compute_multiple", 4)]),
        ("Tripling the computing power took eight months.", [("compute_multiple", 3)]),
        # near misses: a verb multiple of something else, and no compute word at all
        ("The company doubled its compute team and tripled revenue.", []),
        ("Demand for AI chips doubles every year.", []),
    ],
)
def test_verb_multiples_of_compute(text: str, want: list[tuple[str, int]]) -> None:
    assert [r[:2] for r in claim_rows(text) if r[0] == "compute_multiple"] == want


def test_one_named_site_is_the_subject_of_later_definite_references() -> None:
    text = (
        "Lambda said it is building Vega, a new AI cluster in Ohio. "
        "The first phase is done. In total the racks will hold 20,000 GPUs. "
        "The company put the cost of the build at $1.5 billion."
    )
    rows = {(r[0], r[4]) for r in claim_rows(text)}
    assert rows == {("gpu_count", "Vega"), ("capex", "Vega")}


def test_two_named_sites_leave_a_definite_reference_unsaid() -> None:
    # near miss: with two sites named before, "the site" could be either
    text = (
        "Lambda is building Vega, a new AI cluster in Ohio, and Lyra, a training cluster in "
        "Utah. In all, the site will draw up to 90 megawatts."
    )
    assert [r[4] for r in claim_rows(text) if r[0] == "datacenter_power"] == [None]


# --- a fiscal year named only in the company's forecast is not the results' year ---------


@pytest.mark.parametrize(
    "guidance",
    [
        "For fiscal 2027 Acme forecast revenue of $11 billion to $12 billion.",
        "For fiscal 2027, Acme projected adjusted earnings of $4.10 to $4.30 a share.",
        "Acme guided revenue for fiscal 2027 to $11 billion to $12 billion.",
    ],
)
def test_forecast_fiscal_year_is_not_the_results_year(guidance: str) -> None:
    text = (
        "Acme Corp. (ACME) results\n\nAug. 20, 2026\n\n"
        "Acme reported fiscal fourth-quarter revenue of $2.50 billion, ahead of the $2.41"
        " billion analysts had expected. " + guidance
    )
    assert [(i.period, i.fiscal_year) for i in extract_text(text).earnings] == [("Q4", 2026)]


def test_fiscal_year_named_with_the_results_still_counts() -> None:
    # near miss: a fiscal year named outside any forecast is the results' year
    text = (
        "Acme Corp. (ACME) results\n\nJan. 20, 2026\n\n"
        "Acme reported fourth-quarter revenue of $2.50 billion, ahead of the $2.41 billion"
        " analysts had expected. The quarter closed Acme's fiscal 2025."
    )
    assert [(i.period, i.fiscal_year) for i in extract_text(text).earnings] == [("Q4", 2025)]


# --- a coordinated verb shares the subject the sentence opens with -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "Llama 5 was trained on licensed data, the company said, and has about 2 trillion"
        " parameters.",
        "Gemini 4 replaces Gemini 3, Google said, and will run on 100,000 TPUs.",
    ],
)
def test_coordinated_verb_takes_the_opening_subject(text: str) -> None:
    assert [r[4] for r in claim_rows(text)] == [text.split(" ", 2)[0] + " " + text.split()[1]]


def test_clause_with_its_own_subject_does_not_take_the_opening_one() -> None:
    # near miss: after ", and" the clause names its own subject ("the company")
    text = "Llama 5 was trained on licensed data, and the company will buy 100,000 GPUs for AI."
    assert [r[4] for r in claim_rows(text)] == [None]


# --- an April-start half takes the fiscal year's name when the article names it by its end


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("トヨタの2025年4~9月期決算。26年3月期通期の予想は据え置いた。", 2026),
        ("2025年4~9月期の売上高は増えた。2026年3月期の業績予想を上方修正した。", 2026),
        # near misses: no fiscal year named by its end; one named that is not this half's
        ("2025年4~9月期の売上高は増えた。", 2025),
        ("2025年4~9月期の売上高は増えた。25年3月期の同期は減収だった。", 2025),
    ],
)
def test_april_half_named_by_fiscal_year_end(text: str, year: int) -> None:
    halves = [m for m in find_periods(text) if m.period == "H1"]
    assert [m.year for m in halves] == [year]


# --- Japanese: 'を計N基' is a total; 総事業費 is a project's capex -----------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("新拠点はGPU「B200」を計2,048基導入した。", [("gpu_count", 2048, "B200", None)]),
        ("同社はH100を合計1万基確保した。", [("gpu_count", 10000, "H100", None)]),
        ("GPUを計約3,000基搭載するデータセンター。", [("gpu_count", 3000, "GPU", "about")]),
        # near miss: a rack count after the chip's name is not a chip count
        ("GB200を搭載したサーバーラック64台を導入した。", []),
    ],
)
def test_japanese_total_gpu_counts(text: str, want: list[tuple[object, ...]]) -> None:
    assert [r[:4] for r in claim_rows(text) if r[0] == "gpu_count"] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("AIデータセンターの総事業費は約1,800億円を見込む。", [("capex", 180_000_000_000)]),
        ("生成AI向け計算基盤の総投資額は2000億円となる。", [("capex", 200_000_000_000)]),
        # near miss: a project cost in a story with no AI or data-center word
        ("新工場の総事業費は約500億円を見込む。", []),
    ],
)
def test_japanese_total_project_cost_is_capex(text: str, want: list[tuple[str, int]]) -> None:
    assert [r[:2] for r in claim_rows(text) if r[0] == "capex"] == want
