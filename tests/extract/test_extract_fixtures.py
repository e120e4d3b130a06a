"""Every labelled fixture in tests/fixtures/articles comes out exactly as its gold file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from market_news.extract import extract_file
from market_news.extract.evaluate import (
    FIXTURES_DIR,
    claim_key,
    earnings_key,
    fixture_pairs,
)

PAIRS = fixture_pairs(FIXTURES_DIR)
#: Fixtures whose gold the rules do not reach yet, with the reason; strict, so a fix
#: that makes one pass must move it out of this list.
KNOWN_GAPS = {
    "blind5_ai_campus_and_model": "elliptical count: 'the smaller Llama 3.3 has 70 billion'",
}
#: blind6_* fixtures the rules got wrong on their first run (written without reading the
#: rules); strict like KNOWN_GAPS, so each fix must move its fixture out of this list.
BLIND6_FIRST_RUN_MISSES = {
    "blind6_ai_capex_power_roundup": (
        "subject of 'its zettascale OCI Supercluster will offer up to 131,072 ... B200 GPUs';"
        " 'starting with $100 billion'; 'grow it to at least 1 million'"
    ),
    "blind6_ai_h100_equivalents": "subject 'Llama 3' of 'the largest version has more than 400B'",
    "blind6_ai_model_params_multiple": (
        "subjects cut short: 'Mistral' for Mistral Large 2, 'Qwen' for Qwen2.5-72B,"
        " 'Mistral' for \"Meta's 405-billion-parameter Llama 3.1\""
    ),
    "blind6_benzinga_auto_short": "fiscal_year 2024 guessed for 'quarterly' (no year in text)",
    "blind6_eur_sales_beat_bookings": "'(AMS: ASML)' ticker; 'net sales ... ahead of the €7.12B'",
    "blind6_html_dell_fiscal_q3": (
        "'third quarter of its fiscal 2025' read as 2024; ISG segment revenue vs StreetAccount"
        " taken as revenue"
    ),
    "blind6_html_ja_quarter_beat": (
        "title NFKC-normalised (～ -> ~, U+3000 -> space); interface does not say which is right"
    ),
    "blind6_ja_ai_datacenter_gpu": (
        "'約150MW' qualifier; '1万基を超える' B200; subjects 「ABCI 3.0」, 「Sarashina2」"
    ),
    "blind6_ja_kabutan_quarter": (
        "'<8035> [東証Ｐ]' ticker; '25年3月期' fiscal year; cumulative 4-12月 revenue paired"
        " with the full-year consensus"
    ),
    "blind6_ja_nikkei_loss_per_share": (
        "'12円50銭の赤字' sign; '25年3月期の第3四半期' year; full-year plan revision as FY item"
    ),
    "blind6_millions_vs_billions": "'(ticker: ROKU)'; 'earned 21 cents a share, better than 17'",
    "blind6_mixed_fiscal_q2_ai_capex": "Intelligent Cloud segment vs StreetAccount read as revenue",
    "blind6_per_ads_yuan": "yuan revenue/per-ADS EPS missed; 'Kunlun P800 chips' unit read as GPU",
    "blind6_press_release_table": "estimates in an editor's note above a results table",
    "blind6_twd_per_adr": "'(AP)' dateline read as a ticker; 'NT$14.45, compared with NT$14.20'",
    "blind6_wire_fiscal_q3_profit_miss": (
        "'on an adjusted basis' basis missed; cRPO vs Visible Alpha taken as revenue"
    ),
}


def _param(article: Path, gold: Path) -> object:
    reason = KNOWN_GAPS.get(article.stem) or BLIND6_FIRST_RUN_MISSES.get(article.stem)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(article, gold, id=article.stem, marks=marks)


def test_there_are_enough_fixtures() -> None:
    assert len(PAIRS) >= 40
    negatives = [
        gold
        for _, gold in PAIRS
        if not (data := json.loads(gold.read_text(encoding="utf-8")))["earnings"]
        and not data["ai_claims"]
    ]
    assert len(negatives) >= 8
    assert sum(1 for article, _ in PAIRS if article.suffix == ".html") >= 5


@pytest.mark.parametrize(("article", "gold_path"), [_param(a, g) for a, g in PAIRS])
def test_fixture_matches_gold(article: Path, gold_path: Path) -> None:
    gold: dict[str, Any] = json.loads(gold_path.read_text(encoding="utf-8"))
    got = extract_file(article).to_dict()
    assert got["language"] == gold["language"]
    assert got["tickers"] == gold["tickers"]
    for key in ("title", "published"):
        if key in gold:
            assert got[key] == gold[key]
    assert sorted(map(earnings_key, got["earnings"]), key=repr) == sorted(
        map(earnings_key, gold["earnings"]), key=repr
    )
    assert sorted(map(claim_key, got["ai_claims"]), key=repr) == sorted(
        map(claim_key, gold["ai_claims"]), key=repr
    )
    for item in [*got["earnings"], *got["ai_claims"]]:
        assert 0 < len(item["evidence"]) <= 400
