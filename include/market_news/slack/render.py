"""Alert payloads (plain dicts, as the store keeps them) to Slack messages.

Pure functions: no clock, no network, no settings. Every piece of text that came from
an article goes through `escape` before it reaches mrkdwn, so an article can never
mention people or channels or smuggle in a link of its own (interface section 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from market_news.slack import blocks as bk
from market_news.slack.console import render_console
from market_news.slack.escape import escape_mrkdwn, truncate
from market_news.slack.humanize import (
    compact,
    count,
    money,
    new_york_time,
    parse_published,
    percent,
    session_tag,
)
from market_news.slack.message import EVENT_TYPE, MAX_BLOCKS, MAX_FALLBACK_TEXT, SlackMessage

Payload = Mapping[str, Any]

VERDICT_EMOJI = {"beat": "🟢", "miss": "🔴", "inline": "⚪"}
VERDICT_WORD = {"beat": "beat", "miss": "miss", "inline": "in line"}
METRIC_NAME = {"eps": "EPS", "revenue": "Revenue"}
BASIS_NAME = {"adjusted": "Adj.", "gaap": "GAAP"}
QUALIFIER_PREFIX = {
    "about": "~",
    "more than": "more than ",
    "at least": "at least ",
    "up to": "up to ",
    "almost": "almost ",
}
#: Payload fields copied into metadata when present, so reconciliation can match on them.
_PASSTHROUGH_KEYS = ("alert_key",)
_EVIDENCE_LIMIT = 600
_MAX_QUOTES = 5


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _metadata(kind: str, payload: Payload, **fields: Any) -> dict[str, Any]:
    """`metadata` for chat.postMessage; None values are left out (Slack wants scalars)."""
    event_payload: dict[str, Any] = {
        "event_key": str(payload["event_key"]),
        "article_url": _text(payload.get("article_url")),
        "kind": kind,
    }
    for key in _PASSTHROUGH_KEYS:
        if payload.get(key) is not None:
            fields[key] = payload[key]
    event_payload.update({key: value for key, value in fields.items() if value is not None})
    return {"event_type": EVENT_TYPE, "event_payload": event_payload}


def period_label(period: Any, fiscal_year: Any) -> str:
    """`Q3 FY2024`, `FY2024`, `Q3` or empty."""
    period_text = _text(period)
    year = f"FY{fiscal_year}" if fiscal_year not in (None, "") else ""
    if period_text.upper() == "FY":
        return year or "FY"
    return " ".join(part for part in (period_text, year) if part)


def _when_parts(payload: Payload) -> list[str]:
    moment = parse_published(payload.get("published"))
    if moment is None:
        return []
    return [f"🕒 {new_york_time(moment)} · {session_tag(moment)}"]


def _source_parts(payload: Payload) -> list[str]:
    parts: list[str] = []
    if payload.get("article_url") or payload.get("article_title"):
        title = _text(payload.get("article_title")) or "source"
        parts.append("📰 " + bk.link(payload.get("article_url"), title))
    language = _text(payload.get("language"))
    if language and language.lower() != "en":
        parts.append(f"language: {escape_mrkdwn(language)}")
    return parts


def _quotes(items: Sequence[Payload]) -> list[str]:
    """Distinct evidence sentences as quote lines, in order, a handful at most."""
    seen: set[str] = set()
    lines: list[str] = []
    for item in items:
        evidence = " ".join(_text(item.get("evidence")).split())
        if evidence and evidence not in seen:
            seen.add(evidence)
            lines.append(bk.quote(evidence, _EVIDENCE_LIMIT))
        if len(lines) == _MAX_QUOTES:
            break
    return lines


def _fallback(title: str, details: Sequence[str]) -> str:
    text = title + (": " + "; ".join(details) if details else "")
    return truncate(escape_mrkdwn(text), MAX_FALLBACK_TEXT)


# -- earnings ---------------------------------------------------------------------------


def _metric_label(metric: Payload) -> str:
    name = METRIC_NAME.get(_text(metric.get("metric")), _text(metric.get("metric")) or "Metric")
    basis = BASIS_NAME.get(_text(metric.get("basis")))
    return f"{name} ({basis})" if basis else name


def _figure(value: Any, currency: str | None) -> str:
    number = _number(value)
    return "n/a" if number is None else money(number, currency)


def metric_summary(metric: Payload) -> str:
    """`EPS (Adj.) beat: $6.03 vs est. $5.25 (+14.86%)`, unescaped."""
    currency = _text(metric.get("currency")) or None
    verdict = _text(metric.get("verdict"))
    return (
        f"{_metric_label(metric)} {VERDICT_WORD.get(verdict, verdict or 'n/a')}: "
        f"{_figure(metric.get('actual'), currency)} vs est. "
        f"{_figure(metric.get('estimate'), currency)} "
        f"({percent(_number(metric.get('surprise_pct')))})"
    )


def _metric_line(metric: Payload) -> str:
    currency = _text(metric.get("currency")) or None
    verdict = _text(metric.get("verdict"))
    emoji = VERDICT_EMOJI.get(verdict, "⚪")
    word = escape_mrkdwn(VERDICT_WORD.get(verdict, verdict or "n/a"))
    return (
        f"{emoji} *{escape_mrkdwn(_metric_label(metric))}* {word}: "
        f"*{escape_mrkdwn(_figure(metric.get('actual'), currency))}* vs est. "
        f"{escape_mrkdwn(_figure(metric.get('estimate'), currency))} "
        f"({percent(_number(metric.get('surprise_pct')))})"
    )


def render_earnings(payload: Payload) -> SlackMessage:
    """One top-level message per earnings report, all of its metrics together."""
    ticker = _text(payload.get("ticker")).upper()
    company = _text(payload.get("company"))
    who = f"{company} ({ticker})" if company and ticker else (company or ticker or "Unknown")
    when = period_label(payload.get("period"), payload.get("fiscal_year"))
    title = f"{who} — {when} earnings" if when else f"{who} earnings"
    metrics: list[Payload] = list(payload.get("metrics") or [])

    blocks: list[bk.Block] = [bk.header("📊 " + title)]
    lines = [_metric_line(metric) for metric in metrics] or ["_No figures._"]
    blocks += bk.packed_sections(lines, max_sections=MAX_BLOCKS // 2, noun="metrics")
    quotes = _quotes(metrics)
    if quotes:
        blocks += bk.packed_sections(quotes, max_sections=5, noun="quotes")
    blocks.append(bk.context(_when_parts(payload) + _source_parts(payload)))
    revision = _revision(payload)
    if revision:
        blocks.append(bk.context(_revision_parts(payload, revision)))

    return SlackMessage(
        text=_fallback(title, [metric_summary(metric) for metric in metrics]),
        blocks=blocks,
        metadata=_metadata(
            "earnings",
            payload,
            ticker=ticker or None,
            period=payload.get("period"),
            fiscal_year=payload.get("fiscal_year"),
            revision=revision or None,
        ),
    )


def _revision(payload: Payload) -> int:
    number = _number(payload.get("revision"))
    return int(number) if number is not None and number > 0 else 0


def _revision_parts(payload: Payload, revision: int) -> list[str]:
    """`✏️ Figures updated by 2 corrections (latest: <link>) · details in the thread`."""
    noun = "correction" if revision == 1 else "corrections"
    text = f"✏️ Figures updated by {revision} {noun}"
    url = payload.get("corrected_by")
    if url:
        text += " (latest: " + bk.link(url, payload.get("corrected_by_title")) + ")"
    return [text, "details in the thread"]


# -- AI claims --------------------------------------------------------------------------


def claim_amount(claim: Payload) -> str:
    """A claim in normalised units: `100,000 H100`, `~10x compute`, `$40B capex`, ..."""
    kind = _text(claim.get("kind"))
    unit = _text(claim.get("unit"))
    value = _number(claim.get("value"))
    if value is None:
        amount = f"? {unit}".strip()
    elif kind == "gpu_count":
        chips = "GPUs" if unit.upper() == "GPU" and value != 1 else unit or "GPUs"
        amount = f"{count(value)} {chips}"
    elif kind == "compute_multiple":
        amount = f"{count(value)}x compute"
    elif kind == "capex":
        amount = f"{money(value, unit or None, trim=True)} capex"
    elif kind == "datacenter_power":
        amount = f"{count(value)} MW"
    elif kind == "model_parameters":
        amount = f"{compact(value, trim=True)} parameters"
    else:
        amount = f"{count(value)} {unit}".strip()
    prefix = QUALIFIER_PREFIX.get(_text(claim.get("qualifier")), "")
    return prefix + amount


def _claim_line(claim: Payload) -> str:
    line = f"• *{escape_mrkdwn(claim_amount(claim))}*"
    subject = _text(claim.get("subject"))
    return f"{line} — {escape_mrkdwn(subject)}" if subject else line


def render_ai_claims(payload: Payload) -> SlackMessage:
    """One message per article that brings new AI-infrastructure claims."""
    tickers = [_text(ticker).upper() for ticker in payload.get("tickers") or [] if ticker]
    title = "AI infrastructure" + (f" — {', '.join(tickers[:6])}" if tickers else "")
    claims: list[Payload] = list(payload.get("claims") or [])

    blocks: list[bk.Block] = [bk.header("🖥️ " + title)]
    lines = [_claim_line(claim) for claim in claims] or ["_No claims._"]
    blocks += bk.packed_sections(lines, max_sections=MAX_BLOCKS // 2, noun="claims")
    quotes = _quotes(claims)
    if quotes:
        blocks += bk.packed_sections(quotes, max_sections=5, noun="quotes")
    blocks.append(bk.context(_when_parts(payload) + _source_parts(payload)))

    return SlackMessage(
        text=_fallback(title, [claim_amount(claim) for claim in claims]),
        blocks=blocks,
        metadata=_metadata(
            "ai_claims", payload, tickers=tickers[:10] or None, claim_count=len(claims)
        ),
    )


# -- corrections ------------------------------------------------------------------------

_FIELD_NAME = {"actual": "actual", "estimate": "estimate", "surprise_pct": "surprise"}


def _changed_value(change: Payload, value: Any, currency: str | None) -> str:
    field = _text(change.get("field"))
    number = _number(value)
    if value is None:
        return "—"
    if field == "surprise_pct" and number is not None:
        return percent(number)
    if field == "verdict":
        verdict = _text(value)
        return f"{VERDICT_EMOJI.get(verdict, '')} {VERDICT_WORD.get(verdict, verdict)}".strip()
    if field == "basis":
        return BASIS_NAME.get(_text(value), _text(value))
    if number is not None:
        if currency:
            return money(number, currency)
        if _text(change.get("metric")) == "revenue":
            return compact(number)
        return f"{number:,.2f}"
    return _text(value)


def _change_summary(change: Payload, default_currency: str | None) -> str:
    """`EPS actual: $6.03 → $6.10`, unescaped."""
    currency = _text(change.get("currency")) or default_currency
    metric = METRIC_NAME.get(_text(change.get("metric")), _text(change.get("metric")))
    field = _FIELD_NAME.get(_text(change.get("field")), _text(change.get("field")))
    old = _changed_value(change, change.get("old"), currency)
    new = _changed_value(change, change.get("new"), currency)
    return f"{metric} {field}: {old} → {new}".strip()


def render_correction(payload: Payload) -> SlackMessage:
    """A thread reply to the original alert: what changed, old → new, and the source."""
    ticker = _text(payload.get("ticker")).upper()
    when = period_label(payload.get("period"), payload.get("fiscal_year"))
    title = f"Correction to {ticker or 'the earlier alert'} {when}".strip()
    currency = _text(payload.get("currency")) or None
    changes: list[Payload] = list(payload.get("changes") or [])

    summaries = [_change_summary(change, currency) for change in changes]
    lines = [f"✏️ *{escape_mrkdwn(title)}*"] + [
        f"• {escape_mrkdwn(summary)}" for summary in summaries
    ]
    blocks = bk.packed_sections(lines, max_sections=MAX_BLOCKS - 2, noun="changes")
    url = payload.get("article_url")
    if url:
        blocks.append(bk.context(["📰 " + bk.link(url, payload.get("article_title"))]))

    return SlackMessage(
        text=_fallback(title, summaries),
        blocks=blocks,
        metadata=_metadata(
            "correction",
            payload,
            ticker=ticker or None,
            period=payload.get("period"),
            fiscal_year=payload.get("fiscal_year"),
            change_count=len(changes),
        ),
    )


RENDERERS: dict[str, Callable[[Payload], SlackMessage]] = {
    "earnings": render_earnings,
    "ai_claims": render_ai_claims,
    "correction": render_correction,
}


def render(kind: str, payload: Payload) -> SlackMessage:
    """The message for an alert of `kind` ('earnings', 'ai_claims' or 'correction')."""
    try:
        renderer = RENDERERS[kind]
    except KeyError:
        raise ValueError(f"unknown alert kind: {kind!r}") from None
    return renderer(payload)


__all__ = [
    "RENDERERS",
    "SlackMessage",
    "claim_amount",
    "render",
    "render_ai_claims",
    "render_console",
    "render_correction",
    "render_earnings",
]
