"""One test per earnings phrasing and trap, and per AI-claim kind (design.md habit)."""

from __future__ import annotations

import pytest
from market_news.extract import extract_text
from market_news.models import AIClaim, EarningsItem


def _items(text: str) -> list[EarningsItem]:
    return list(extract_text(text).earnings)


def _claims(text: str) -> list[AIClaim]:
    return list(extract_text(text).ai_claims)


@pytest.mark.parametrize(
    ("sentence", "metric", "actual", "estimate", "verdict"),
    [
        ("Acme Inc. (NYSE:ACME) Q3 Adj. EPS $6.03 Beats $5.25 Estimate", "eps", 6.03, 5.25, "beat"),
        (
            "Acme Inc. (NYSE:ACME) reported EPS of 81 cents per share, which beat the analyst "
            "consensus estimate of 76 cents.",
            "eps",
            0.81,
            0.76,
            "beat",
        ),
        (
            "Acme Inc. (NYSE:ACME) reported revenue of $2.1 billion, surpassing analyst "
            "predictions of $2 billion.",
            "revenue",
            2.1e9,
            2e9,
            "beat",
        ),
        (
            "Acme Inc. (NYSE:ACME) said sales came in at $500 million, in line with "
            "expectations of $500 million.",
            "revenue",
            5e8,
            5e8,
            "inline",
        ),
        (
            "Acme Inc. (NYSE:ACME) said revenue of $480 million fell short of the $500 million "
            "analysts had expected.",
            "revenue",
            4.8e8,
            5e8,
            "miss",
        ),
        (
            "Acme Inc. (NYSE:ACME) reported EPS of $1.10, versus the Street's view of $1.15.",
            "eps",
            1.10,
            1.15,
            "miss",
        ),
        (
            "Acme Inc. (NYSE:ACME) reported turnover of €3.2 billion, compared to estimates of "
            "€3.1 billion.",
            "revenue",
            3.2e9,
            3.1e9,
            "beat",
        ),
        (
            "Acme Inc. (NYSE:ACME) posted EPS of $2.00, topping expectations of $1.90.",
            "eps",
            2.0,
            1.9,
            "beat",
        ),
        (
            "Acme Inc. (NYSE:ACME) missed, with EPS of $0.50 against estimates of $0.60.",
            "eps",
            0.5,
            0.6,
            "miss",
        ),
        (
            "Acme Inc. (NYSE:ACME) posted a loss of 12 cents per share, narrower than the "
            "expected loss of 15 cents.",
            "eps",
            -0.12,
            -0.15,
            "beat",
        ),
    ],
)
def test_earnings_phrasings(
    sentence: str, metric: str, actual: float, estimate: float, verdict: str
) -> None:
    (item,) = _items(sentence)
    assert (item.ticker, item.metric, item.verdict) == ("ACME", metric, verdict)
    assert item.actual == pytest.approx(actual)
    assert item.estimate == pytest.approx(estimate)
    assert item.surprise_pct == round((actual - estimate) / abs(estimate) * 100, 2)


@pytest.mark.parametrize(
    "text",
    [
        "Acme (NYSE:ACME) earned $4.88 a share a year earlier, compared with $4.10 before.",
        "Analysts expect EPS of $1.20 when it reports next week.",
        "Acme expects revenue of $5 billion to $5.2 billion, versus estimates of $5.3 billion.",
        "Acme sees full-year revenue of $20 billion, above the consensus of $19.5 billion.",
        "Analysts raised the price target to $150 from $120; the stock closed at $131.20.",
        "Acme raised its dividend to $0.50 per share, above the $0.45 analysts expected.",
        "Acme agreed to acquire Beta for $2 billion, below the $2.5 billion analysts had valued.",
        "Shares rose 5% to $591.80, beating the 3% gain of the index.",
    ],
)
def test_traps_are_not_items(text: str) -> None:
    assert _items(text) == []


def test_basis_gaap_and_adjusted() -> None:
    items = _items(
        "Acme Inc. (NYSE:ACME) reported adjusted EPS of $1.50, beating the $1.40 consensus, "
        "while GAAP EPS came in at $1.10 versus estimates of $1.00."
    )
    assert [(i.basis, i.actual) for i in items] == [("adjusted", 1.5), ("gaap", 1.1)]


def test_roundup_assigns_each_item_its_own_company() -> None:
    items = _items(
        "Alpha Corp (NYSE:ALP) reported EPS of $1.10 vs. the $1.00 consensus, while Beta Inc. "
        "(NASDAQ:BET) posted EPS of $2.20 against estimates of $2.30."
    )
    assert [(i.ticker, i.verdict) for i in items] == [("ALP", "beat"), ("BET", "miss")]


def test_supplier_mentioned_first_is_not_the_reporter() -> None:
    text = (
        "Meta Platforms Inc (NASDAQ:META) trains on NVIDIA Corp (NASDAQ:NVDA) chips.\n"
        "Meta Platforms reported revenue of $40.59 billion, beating estimates of $40.29 billion."
    )
    (item,) = _items(text)
    assert item.ticker == "META"


def test_same_fact_twice_is_one_item() -> None:
    sentence = "Acme Inc. (NYSE:ACME) reported Q3 EPS of $1.10, beating estimates of $1.00. "
    assert len(_items(sentence * 3)) == 1


def test_fiscal_year_from_article_context() -> None:
    text = (
        "Acme Inc. (NYSE:ACME) reported second-quarter EPS of $1.10, beating estimates of $1.00."
        "\nThe company was founded in 1999. © 2024 Example News."
    )
    (item,) = _items(text)
    assert (item.period, item.fiscal_year) == ("Q2", 2024)


def test_fiscal_year_null_without_any_year() -> None:
    (item,) = _items("Acme Inc. (NYSE:ACME) reported EPS of $1.10, beating estimates of $1.00.")
    assert item.fiscal_year is None
    assert item.period is None


def test_japanese_earnings() -> None:
    (item,) = _items(
        "エーシーエム社(NYSE:ACME)の第2四半期の売上高は20億ドルで、市場予想の21億ドルを下回った。"
    )
    assert (item.ticker, item.period, item.metric, item.verdict) == (
        "ACME",
        "Q2",
        "revenue",
        "miss",
    )
    assert item.actual == 2e9


@pytest.mark.parametrize(
    ("sentence", "kind", "value", "unit", "qualifier"),
    [
        (
            "We train on a cluster of more than 100,000 H100s.",
            "gpu_count",
            100000,
            "H100",
            "more than",
        ),
        ("The cluster of 24,576 GPUs trains Llama 3.", "gpu_count", 24576, "GPU", None),
        ("It will own 350,000 H100-equivalents.", "gpu_count", 350000, "H100", None),
        (
            "They deployed at least 50,000 MI300X accelerators.",
            "gpu_count",
            50000,
            "MI300X",
            "at least",
        ),
        ("Google runs 8,960 TPU v5p chips in a pod.", "gpu_count", 8960, "TPU v5p", None),
        ("同社は100,000台以上のH100を使う。", "gpu_count", 100000, "H100", "more than"),
        ("Training needs almost 10 times more compute.", "compute_multiple", 10, "x", "almost"),
        ("It needs about ten times the compute of today.", "compute_multiple", 10, "x", "about"),
        (
            "Meta expects capital expenditures of $37 billion to $40 billion for AI.",
            "capex",
            40e9,
            "USD",
            "up to",
        ),
        ("It will invest $10 billion in data centers in Ohio.", "capex", 10e9, "USD", None),
        (
            "The company is building a 1-gigawatt data center campus.",
            "datacenter_power",
            1000,
            "MW",
            None,
        ),
        (
            "The data center will draw up to 300 MW of power.",
            "datacenter_power",
            300,
            "MW",
            "up to",
        ),
        ("Llama 3.1 has 405 billion parameters.", "model_parameters", 405e9, "parameters", None),
        (
            "A 70B-parameter model was trained on GPUs.",
            "model_parameters",
            70e9,
            "parameters",
            None,
        ),
    ],
)
def test_ai_claim_kinds(
    sentence: str, kind: str, value: float, unit: str, qualifier: str | None
) -> None:
    claims = [c for c in _claims(sentence) if c.kind == kind]
    assert len(claims) == 1
    claim = claims[0]
    assert (claim.value, claim.unit, claim.qualifier) == (pytest.approx(value), unit, qualifier)


@pytest.mark.parametrize(
    "text",
    [
        "Meta's $405 billion model, Llama 3.1, beats closed models.",
        "One employee earning $400,000 per year was fired.",
        "The company agreed to pay $1.2 billion for an AI startup.",
        "Revenue grew 10 times faster than costs.",
        "The plant produced 500 MWh of energy.",
        "It sold 30 GPUs to a university.",
    ],
)
def test_ai_traps_are_not_claims(text: str) -> None:
    assert _claims(text) == []


def test_claim_subject_from_sentence() -> None:
    (claim,) = _claims(
        "The amount of compute needed to train Llama 4 will likely be almost 10 times more "
        "than what we used to train Llama 3."
    )
    assert claim.subject == "Llama 4"


def test_duplicate_claims_merge() -> None:
    text = "Llama 4 trains on more than 100,000 H100s. 同社は100,000台以上のH100を使う。"
    assert len(_claims(text)) == 1
