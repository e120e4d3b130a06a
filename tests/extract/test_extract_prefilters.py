"""The cheap pre-tests that spare a regex pass over the whole article say what the regex
would say (they are speed-ups only: extraction results must not move)."""

from __future__ import annotations

import random

import pytest
from market_news.extract import earnings, page, tables

# Pieces that make the patterns match, nearly match, or fold case in odd ways
# (long s, Kelvin sign, dotted and dotless i), with every kind of cell end.
PIECES = (
    "consensus", "CONS", "cons.", "Estimates", "est", "e\u017ft", "EST.", "street", "lseg",
    "FactSet", "Visible Alpha", "visible  alpha", "市場予想", "予想平均", "コンセンサス", "*",
    " ", "  ", "\t", "\n", "\r", ".", "x", "Revenue", "41,764", "interest", "\u212a",
    "\u0131", "\u0130", "é", "reported vs. consensus", "results vs estimates", "VS", "vS",
    "\xa0", "\u3000", "\x01", "\x1f",
)  # fmt: skip


def _samples(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_table_header_hint_is_the_regex_search(seed: int) -> None:
    texts = _samples(20_000, seed)
    expected = [tables._HEADER_HINT.search(text) is not None for text in texts]
    assert [tables._has_header_hint(text) for text in texts] == expected
    assert any(expected) and not all(expected)


def test_table_header_hint_on_a_real_key_figures_table() -> None:
    table = "Q3 FY25     Consensus     Q3 FY24\nRevenue (Rs crore)   41,764   41,383   38,821\n"
    prose = "Revenue rose to $4.1 billion, ahead of estimates of $4.0 billion.\n" * 30
    for text in (prose + table, table + prose, prose, prose + "Street\n" + prose):
        assert tables._has_header_hint(text) == (tables._HEADER_HINT.search(text) is not None)


@pytest.mark.parametrize("seed", [4, 5])
def test_vs_pretest_never_hides_a_vs_consensus_phrase(seed: int) -> None:
    for text in _samples(20_000, seed):
        if earnings._VS_CONSENSUS.search(text) is not None:
            assert earnings._mentions_vs(text), repr(text)


@pytest.mark.parametrize("seed", [6, 7])
def test_blank_page_test_is_str_strip_after_removing_controls(seed: int) -> None:
    for text in _samples(20_000, seed):
        cleaned = text.translate(dict.fromkeys(page._CONTROL_BYTES))
        data = text.encode("utf-8", errors="replace").translate(None, page._CONTROL_BYTES)
        assert page._blank(data) == (not cleaned.strip()), repr(text)
