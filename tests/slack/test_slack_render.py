"""Alert payloads to Block Kit messages: content, metadata, limits, escaping."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from market_news.slack import (
    EVENT_TYPE,
    SlackMessage,
    render,
    render_ai_claims,
    render_correction,
    render_earnings,
)
from market_news.slack.humanize import money, new_york_time, session_tag
from market_news.slack.message import MAX_BLOCKS, MAX_HEADER_TEXT, MAX_SECTION_TEXT
from market_news.slack.render import claim_amount


def texts(message: SlackMessage) -> Iterator[str]:
    """Every text Slack would display or parse: fallback, blocks, context elements."""
    yield message.text
    for block in message.blocks:
        if "text" in block:
            yield block["text"]["text"]
        for element in block.get("elements", []):
            yield element["text"]


def all_text(message: SlackMessage) -> str:
    return "\n".join(texts(message))


def assert_within_limits(message: SlackMessage) -> None:
    assert 0 < len(message.blocks) <= MAX_BLOCKS
    for block in message.blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
            assert block["text"]["type"] == "plain_text"
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
    json.dumps(message.blocks)  # plain data, postable as is
    json.dumps(message.metadata)


# -- earnings ----------------------------------------------------------------------------


def test_earnings_shows_company_period_and_each_metric(earnings_payload: dict[str, Any]) -> None:
    message = render_earnings(earnings_payload)
    header = message.blocks[0]
    assert header["type"] == "header"
    assert "Meta Platforms (META)" in header["text"]["text"]
    assert "Q3 FY2024" in header["text"]["text"]
    body = all_text(message)
    assert "🟢 *EPS (Adj.)* beat: *$6.03* vs est. $5.25 (+14.86%)" in body
    assert "🟢 *Revenue* beat: *$40.59B* vs est. $40.29B (+0.74%)" in body
    assert "> Meta earned $6.03 per share" in body
    assert_within_limits(message)


def test_earnings_verdict_emoji_and_gaap_basis(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["metrics"][0].update(
        basis="gaap", actual=-0.12, estimate=-0.10, surprise_pct=-20.0, verdict="miss"
    )
    earnings_payload["metrics"][1].update(verdict="inline")
    body = all_text(render_earnings(earnings_payload))
    assert "🔴 *EPS (GAAP)* miss: *-$0.12* vs est. -$0.10 (-20.00%)" in body
    assert "⚪ *Revenue* in line" in body


def test_earnings_source_link_and_time(earnings_payload: dict[str, Any]) -> None:
    context = render_earnings(earnings_payload).blocks[-1]
    assert context["type"] == "context"
    joined = " ".join(element["text"] for element in context["elements"])
    assert "Oct 30, 2024 4:05 PM ET · after hours" in joined
    assert "<https://news.example.com/meta-q3?utm=x&amp;id=7|Meta tops estimates>" in joined


def test_earnings_without_company_or_time(earnings_payload: dict[str, Any]) -> None:
    earnings_payload.update(company=None, published=None, period="FY")
    message = render_earnings(earnings_payload)
    assert message.blocks[0]["text"]["text"] == "📊 META — FY2024 earnings"
    assert " ET " not in all_text(message)
    assert_within_limits(message)


def test_earnings_metadata_and_fallback(earnings_payload: dict[str, Any]) -> None:
    message = render_earnings(earnings_payload)
    assert message.metadata == {
        "event_type": EVENT_TYPE,
        "event_payload": {
            "event_key": "earnings:META:Q3:2024",
            "article_url": "https://news.example.com/meta-q3?utm=x&id=7",
            "kind": "earnings",
            "ticker": "META",
            "period": "Q3",
            "fiscal_year": 2024,
        },
    }
    assert message.text.startswith("Meta Platforms (META) — Q3 FY2024 earnings: ")
    assert "EPS (Adj.) beat: $6.03 vs est. $5.25 (+14.86%)" in message.text
    assert message.event_key == "earnings:META:Q3:2024"


def test_non_english_article_says_so(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["language"] = "ja"
    assert "language: ja" in all_text(render_earnings(earnings_payload))


# -- money and time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (6.03, "USD", "$6.03"),
        (40590000000, "USD", "$40.59B"),
        (1_200_000_000_000, "JPY", "¥1.20T"),
        (152.5, "JPY", "¥152.50"),
        (2.1, "EUR", "€2.10"),
        (5_300_000, "GBP", "£5.30M"),
        (-0.12, "USD", "-$0.12"),
        (7.5, "SEK", "7.50 SEK"),
        (12_345.678, None, "12,345.68"),
    ],
)
def test_money(value: float, currency: str | None, expected: str) -> None:
    assert money(value, currency) == expected


@pytest.mark.parametrize(
    ("iso", "tag"),
    [
        ("2024-10-30T11:00:00+00:00", "pre-market"),  # 07:00 EDT
        ("2024-10-30T13:29:59+00:00", "pre-market"),  # 09:29:59 EDT
        ("2024-10-30T13:30:00+00:00", "during market hours"),  # 09:30 EDT
        ("2024-10-30T19:59:00+00:00", "during market hours"),  # 15:59 EDT
        ("2024-10-30T20:00:00+00:00", "after hours"),  # 16:00 EDT
        ("2024-12-02T14:00:00+00:00", "pre-market"),  # 09:00 EST: winter offset is -5
        ("2024-12-02T14:30:00+00:00", "during market hours"),
        ("2024-10-31T05:30:00+09:00", "after hours"),  # Tokyo time, 16:30 EDT the day before
    ],
)
def test_session_tag_uses_new_york_time(iso: str, tag: str) -> None:
    assert session_tag(datetime.fromisoformat(iso)) == tag


def test_new_york_time_formatting() -> None:
    moment = datetime(2024, 12, 2, 14, 5, tzinfo=UTC)
    assert new_york_time(moment) == "Dec 2, 2024 9:05 AM ET"


def test_naive_published_time_is_taken_as_utc(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["published"] = "2024-10-30T14:00:00"
    assert "10:00 AM ET · during market hours" in all_text(render_earnings(earnings_payload))


def test_unparseable_published_time_is_left_out(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["published"] = "yesterday"
    assert "ET ·" not in all_text(render_earnings(earnings_payload))


# -- AI claims ---------------------------------------------------------------------------


def test_ai_claims_in_normalised_units(ai_payload: dict[str, Any]) -> None:
    message = render_ai_claims(ai_payload)
    body = all_text(message)
    assert "AI infrastructure — META, NVDA" in message.blocks[0]["text"]["text"]
    assert "• *more than 100,000 H100* — Llama 4" in body
    assert "• *~10x compute* — Llama 4" in body
    assert "• *up to $40B capex*" in body
    assert "• *1,000 MW*" in body
    assert "• *405B parameters* — Llama 3.1" in body
    assert message.metadata["event_payload"] == {
        "event_key": "ai:https://news.example.com/llama4",
        "article_url": "https://news.example.com/llama4",
        "kind": "ai_claims",
        "tickers": ["META", "NVDA"],
        "claim_count": 5,
    }
    assert "more than 100,000 H100" in message.text
    assert_within_limits(message)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ({"kind": "gpu_count", "value": 16000, "unit": "GPU"}, "16,000 GPUs"),
        ({"kind": "gpu_count", "value": 1, "unit": "GPU"}, "1 GPU"),
        ({"kind": "gpu_count", "value": 50000, "unit": "TPU v5p"}, "50,000 TPU v5p"),
        ({"kind": "compute_multiple", "value": 2.5, "unit": "x"}, "2.5x compute"),
        ({"kind": "capex", "value": 37.5e9, "unit": "USD"}, "$37.5B capex"),
        ({"kind": "capex", "value": 1e12, "unit": "JPY"}, "¥1T capex"),
        ({"kind": "model_parameters", "value": 1.8e12, "unit": "parameters"}, "1.8T parameters"),
        ({"kind": "model_parameters", "value": 7e9, "unit": "parameters"}, "7B parameters"),
        ({"kind": "datacenter_power", "value": 1500, "unit": "MW", "qualifier": "almost"},
         "almost 1,500 MW"),
        ({"kind": "gpu_count", "value": 2000, "unit": "B200", "qualifier": "at least"},
         "at least 2,000 B200"),
    ],
)  # fmt: skip
def test_claim_amount(claim: dict[str, Any], expected: str) -> None:
    assert claim_amount(claim) == expected


def test_ai_claims_without_tickers(ai_payload: dict[str, Any]) -> None:
    ai_payload["tickers"] = []
    message = render_ai_claims(ai_payload)
    assert message.blocks[0]["text"]["text"] == "🖥️ AI infrastructure"
    assert "tickers" not in message.metadata["event_payload"]


# -- corrections -------------------------------------------------------------------------


def test_correction_lists_old_and_new(correction_payload: dict[str, Any]) -> None:
    message = render_correction(correction_payload)
    body = all_text(message)
    assert "*Correction to META Q3 FY2024*" in body
    assert "• EPS actual: $6.03 → $6.10" in body
    assert "• EPS verdict: ⚪ in line → 🟢 beat" in body
    assert "<https://news.example.com/meta-q3-correction|source>" in body
    assert not any(block["type"] == "header" for block in message.blocks)  # a thread reply
    assert message.text == (
        "Correction to META Q3 FY2024: EPS actual: $6.03 → $6.10; EPS verdict: ⚪ in line → 🟢 beat"
    )
    assert message.metadata["event_payload"]["kind"] == "correction"
    assert message.metadata["event_payload"]["change_count"] == 2
    assert_within_limits(message)


def test_correction_of_revenue_without_currency(correction_payload: dict[str, Any]) -> None:
    correction_payload["changes"] = [
        {"metric": "revenue", "field": "estimate", "old": 40290000000, "new": 40310000000},
        {"metric": "revenue", "field": "surprise_pct", "old": 0.74, "new": 0.69},
    ]
    body = all_text(render_correction(correction_payload))
    assert "Revenue estimate: 40.29B → 40.31B" in body
    assert "Revenue surprise: +0.74% → +0.69%" in body


# -- dispatch ----------------------------------------------------------------------------


def test_render_dispatches_on_kind(
    earnings_payload: dict[str, Any],
    ai_payload: dict[str, Any],
    correction_payload: dict[str, Any],
) -> None:
    assert render("earnings", earnings_payload) == render_earnings(earnings_payload)
    assert render("ai_claims", ai_payload) == render_ai_claims(ai_payload)
    assert render("correction", correction_payload) == render_correction(correction_payload)
    with pytest.raises(ValueError, match="unknown alert kind"):
        render("gossip", earnings_payload)


def test_render_survives_a_json_round_trip(earnings_payload: dict[str, Any]) -> None:
    stored = json.loads(json.dumps(earnings_payload))
    assert render("earnings", stored) == render("earnings", earnings_payload)


def test_post_kwargs(earnings_payload: dict[str, Any]) -> None:
    message = render_earnings(earnings_payload)
    kwargs = message.as_post_kwargs("#market-news")
    assert kwargs == {
        "channel": "#market-news",
        "text": message.text,
        "blocks": message.blocks,
        "metadata": message.metadata,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    assert message.as_post_kwargs("C1", thread_ts="1.000100")["thread_ts"] == "1.000100"


# -- hostile and oversized input ---------------------------------------------------------

HOSTILE = "<!channel> <!here> <@U123> <#C42|general> <https://evil.example|click> @here & co"


def test_hostile_text_cannot_mention_or_link(
    earnings_payload: dict[str, Any], ai_payload: dict[str, Any]
) -> None:
    earnings_payload["company"] = HOSTILE
    earnings_payload["article_title"] = HOSTILE
    earnings_payload["metrics"][0]["evidence"] = HOSTILE
    ai_payload["claims"][0]["subject"] = HOSTILE
    ai_payload["claims"][0]["unit"] = "<!channel>"
    for message in (render_earnings(earnings_payload), render_ai_claims(ai_payload)):
        for text in texts(message):
            assert not re.search(r"<[!@#]", text), text
            # the only link is our own source link
            for link in re.findall(r"<([^>]*)>", text):
                assert link.startswith("https://news.example.com/"), text
            assert "@here" not in text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://evil.example/a|<!channel>",
        "https://evil.example/a>b <!here>",
    ],
)
def test_article_url_cannot_break_out_of_the_link(
    earnings_payload: dict[str, Any], url: str
) -> None:
    earnings_payload["article_url"] = url
    for text in texts(render_earnings(earnings_payload)):
        assert not re.search(r"<[!@#]", text)
        assert "<javascript" not in text


def test_ten_thousand_character_evidence_fits(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["metrics"][0]["evidence"] = "Meta & co <beat> " * 600  # ~10,000 chars
    message = render_earnings(earnings_payload)
    assert_within_limits(message)
    assert len(all_text(message)) < 10_000


def test_two_hundred_claims_fit(ai_payload: dict[str, Any]) -> None:
    claim = ai_payload["claims"][0]
    ai_payload["claims"] = [
        dict(claim, value=1000 + n, subject=f"Cluster {n} " + "x" * 80, evidence="e" * 10_000)
        for n in range(200)
    ]
    message = render_ai_claims(ai_payload)
    assert_within_limits(message)
    assert message.metadata["event_payload"]["claim_count"] == 200
    body = all_text(message)
    # either every claim is shown or the overflow is counted, never silently dropped
    shown = body.count("• *more than")
    if shown < 200:
        assert f"…and {200 - shown} more claims" in body


def test_thousands_of_claims_are_summarised(ai_payload: dict[str, Any]) -> None:
    claim = ai_payload["claims"][0]
    ai_payload["claims"] = [dict(claim, subject="S" * 2000) for _ in range(3000)]
    message = render_ai_claims(ai_payload)
    assert_within_limits(message)
    assert "more claims" in all_text(message)
    assert len(message.text) <= 3000


def test_long_header_is_cut(earnings_payload: dict[str, Any]) -> None:
    earnings_payload["company"] = "Very & Long <Company> " * 20
    assert_within_limits(render_earnings(earnings_payload))
