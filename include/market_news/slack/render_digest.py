"""The daily digest message: one channel's day of earnings and AI news in one post.

Pure, like the alert renderers: the digest module gathers the day's alert payloads
(earnings with their current, corrected figures) and this turns them into Block Kit.
A report's headline verdict is its EPS verdict (adjusted first), else its first metric's:
that is the number a desk means by "beat" or "miss".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from market_news.slack import blocks as bk
from market_news.slack.escape import escape_mrkdwn
from market_news.slack.message import EVENT_TYPE, MAX_BLOCKS, SlackMessage
from market_news.slack.render import (
    VERDICT_EMOJI,
    VERDICT_WORD,
    claim_amount,
    metric_summary,
    period_label,
)

Payload = Mapping[str, Any]
_CLAIMS_PER_ARTICLE = 3


def digest_key(channel: str, day: date) -> str:
    """The digest's idempotency key: `digest:{channel}:{YYYY-MM-DD}`."""
    return f"digest:{channel}:{day.isoformat()}"


def headline_verdict(payload: Payload) -> str | None:
    """`beat`/`miss`/`inline` for a report: EPS (adjusted, then any), else the first metric."""
    metrics = [m for m in payload.get("metrics") or [] if isinstance(m, Mapping)]
    ranked = sorted(
        metrics,
        key=lambda m: (m.get("metric") != "eps", m.get("basis") != "adjusted"),
    )
    for metric in ranked:
        verdict = metric.get("verdict")
        if verdict in VERDICT_WORD:
            return str(verdict)
    return None


def _earnings_line(payload: Payload) -> str:
    verdict = headline_verdict(payload)
    ticker = str(payload.get("ticker") or payload.get("company") or "?").upper()
    when = period_label(payload.get("period"), payload.get("fiscal_year"))
    figures = " · ".join(metric_summary(m) for m in payload.get("metrics") or [])
    line = f"{VERDICT_EMOJI.get(verdict or '', '⚪')} *{escape_mrkdwn(ticker)}*"
    if when:
        line += f" {escape_mrkdwn(when)}"
    if figures:
        line += f" — {escape_mrkdwn(figures)}"
    if payload.get("revision"):
        line += " ✏️"
    return line


def _ai_line(payload: Payload) -> str:
    claims = [c for c in payload.get("claims") or [] if isinstance(c, Mapping)]
    amounts = "; ".join(claim_amount(c) for c in claims[:_CLAIMS_PER_ARTICLE])
    if len(claims) > _CLAIMS_PER_ARTICLE:
        amounts += f"; +{len(claims) - _CLAIMS_PER_ARTICLE} more"
    title = str(payload.get("article_title") or "article")
    return f"• {bk.link(payload.get('article_url'), title)} — {escape_mrkdwn(amounts)}"


def _counts_line(earnings: Sequence[Payload], articles: Sequence[Payload]) -> str:
    verdicts = Counter(headline_verdict(p) for p in earnings)
    beats, misses, inline = verdicts["beat"], verdicts["miss"], verdicts["inline"]
    claims = sum(len(p.get("claims") or []) for p in articles)
    report_noun = "report" if len(earnings) == 1 else "reports"
    return (
        f"*Earnings:* {len(earnings)} {report_noun} — "
        f"{VERDICT_EMOJI['beat']} {beats} beat · {VERDICT_EMOJI['miss']} {misses} miss · "
        f"{VERDICT_EMOJI['inline']} {inline} in line\n"
        f"*AI infrastructure:* {len(articles)} "
        f"{'article' if len(articles) == 1 else 'articles'}, {claims} "
        f"{'claim' if claims == 1 else 'claims'}"
    )


def render_digest(channel: str, day: date, alerts: Sequence[tuple[str, Payload]]) -> SlackMessage:
    """The digest of `(kind, payload)` alerts for `channel` on `day`."""
    earnings = [payload for kind, payload in alerts if kind == "earnings"]
    articles = [payload for kind, payload in alerts if kind == "ai_claims"]
    title = f"Daily digest — {day:%a %b} {day.day}, {day.year}"
    blocks: list[bk.Block] = [
        bk.header("📅 " + title),
        bk.section(_counts_line(earnings, articles)),
    ]
    budget = (MAX_BLOCKS - 4) // 2
    if earnings:
        lines = [_earnings_line(p) for p in earnings]
        blocks += bk.packed_sections(lines, max_sections=budget, noun="reports")
    if articles:
        lines = [_ai_line(p) for p in articles]
        blocks += bk.packed_sections(lines, max_sections=budget, noun="articles")
    blocks.append(bk.context(["Queued that day, New York time · ✏️ corrected since"]))
    key = digest_key(channel, day)
    fallback = (
        f"{title}: {len(earnings)} earnings reports, {len(articles)} AI-infrastructure articles"
    )
    return SlackMessage(
        text=bk.plain(fallback, 3000),
        blocks=blocks,
        metadata={
            "event_type": EVENT_TYPE,
            "event_payload": {
                "event_key": key,
                "alert_key": key,
                "article_url": "",
                "kind": "digest",
                "day": day.isoformat(),
                "report_count": len(earnings),
                "article_count": len(articles),
            },
        },
    )


__all__ = ["digest_key", "headline_verdict", "render_digest"]
