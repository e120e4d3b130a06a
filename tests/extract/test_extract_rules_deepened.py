"""Rules added for wire, table and Japanese copy: each named after the phrasing it reads."""

from __future__ import annotations

from market_news.extract import extract_html, extract_text
from market_news.extract.numbers import find_amounts
from market_news.extract.page import parse_page
from market_news.extract.tickers import find_companies


def _pairs(text: str) -> list[tuple[str, float, float]]:
    return [(i.metric, i.actual, i.estimate) for i in extract_text(text).earnings]


def test_estimate_in_the_next_sentence() -> None:
    text = (
        "Acme Corp (NYSE:ACME) reported second-quarter profit of 78 cents per share. "
        "Analysts on average had expected 63 cents per share."
    )
    assert _pairs(text) == [("eps", 0.78, 0.63)]


def test_next_sentence_with_its_own_actual_keeps_its_estimate() -> None:
    text = (
        "Acme (NYSE:ACME) reported profit of 78 cents per share. "
        "Revenue of $2.1 billion beat estimates of $2.0 billion."
    )
    assert _pairs(text) == [("revenue", 2.1e9, 2.0e9)]


def test_change_to_a_figure_from_a_year_earlier_is_this_years() -> None:
    text = (
        "Acme (NYSE:ACME) said revenue fell 8% to $12.35 billion from a year earlier. "
        "Wall Street had estimated $12.13 billion."
    )
    assert _pairs(text) == [("revenue", 12.35e9, 12.13e9)]


def test_beat_by_cents_implies_the_estimate() -> None:
    text = "Acme (NYSE:ACME) posted adjusted EPS of $1.39, beating the consensus by 6 cents."
    assert _pairs(text) == [("eps", 1.39, 1.33)]


def test_missed_by_an_amount_implies_a_higher_estimate() -> None:
    text = "Acme (NYSE:ACME) revenue of $13.31 billion missed the Street's view by $20 million."
    assert _pairs(text) == [("revenue", 13.31e9, 13.33e9)]


def test_pence_are_pounds() -> None:
    (amount,) = find_amounts("EPS of 13.2p")
    assert (float(amount.value), amount.currency) == (0.132, "GBP")
    assert find_amounts("at 5pm") == []


def test_average_estimate_after_the_figure() -> None:
    text = "Acme (TSX:ACM) earned C$1.72 a share, missing the C$1.82 average estimate."
    assert _pairs(text) == [("eps", 1.72, 1.82)]


def test_japanese_securities_code() -> None:
    assert find_companies("トヨタ自動車(7203)の決算").symbols == ("7203",)


def test_results_table_rows_name_their_columns() -> None:
    html = (
        "<article><p>Acme Inc. (NASDAQ:ACME) results for the fourth quarter.</p><table>"
        "<tr><th>Metric</th><th>Reported</th><th>Consensus estimate</th></tr>"
        "<tr><td>Adjusted EPS</td><td>$1.42</td><td>$1.39</td></tr></table></article>"
    )
    assert "Adjusted EPS: Reported $1.42; Consensus estimate $1.39." in parse_page(html).body
    (item,) = extract_html(html).earnings
    assert (item.basis, item.actual, item.estimate) == ("adjusted", 1.42, 1.39)


def test_family_name_before_models_is_not_a_subject() -> None:
    (claim,) = extract_text("Meta will build a 2-gigawatt campus to train Llama models.").ai_claims
    assert (claim.value, claim.subject) == (2000, None)


def test_baseline_after_than_is_not_the_subject() -> None:
    (claim,) = extract_text("The next model uses nearly 10x the compute of Llama 3.").ai_claims
    assert (claim.kind, claim.qualifier, claim.subject) == ("compute_multiple", "almost", None)


def test_model_named_before_the_word_model() -> None:
    (claim,) = extract_text("Microsoft's Phi-4 model has 14 billion parameters.").ai_claims
    assert claim.subject == "Phi-4"


def test_japanese_chip_before_count() -> None:
    (claim,) = extract_text("同社はAI向けにGPU「B200」を約4000基導入する。").ai_claims
    assert (claim.value, claim.unit, claim.qualifier) == (4000, "B200", "about")


def test_prose_without_figures_costs_no_rule() -> None:
    assert extract_text("Investors weighed the outlook. " * 2000).earnings == ()
