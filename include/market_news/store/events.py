"""Event and claim keys, and how a later article's figures are merged into an event.

Pure functions, no database: the repository calls them inside its transactions. The
keys are what make the same report from another outlet, a syndicated copy or a
translation the same event: they depend only on what was reported (company, period,
figures), never on the article that reported it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from market_news.models import AIClaim, EarningsItem
from market_news.store.canonical import normalise_text

#: Figures closer than this are the same figure written differently (40.59 vs 40.590
#: billion, a translation's rounding); EPS needs half a cent to count as a change.
RELATIVE_TOLERANCE = 1e-3
ABSOLUTE_TOLERANCE = 0.005
COMPARED_FIELDS = ("actual", "estimate")


@dataclass(frozen=True, slots=True)
class EventGroup:
    """The items of one article that belong to one earnings report."""

    event_key: str
    ticker: str | None
    period: str | None
    fiscal_year: int | None
    items: tuple[EarningsItem, ...]


def event_key(ticker: str, fiscal_year: int | None, period: str | None) -> str:
    """`earnings:{TICKER}:{fiscal_year or 'na'}:{period or 'na'}`, the report's identity."""
    year = str(fiscal_year) if fiscal_year is not None else "na"
    quarter = period.strip().upper() if period and period.strip() else "na"
    return f"earnings:{ticker.strip().upper()}:{year}:{quarter}"


def group_items(items: Iterable[EarningsItem], company: str | None = None) -> list[EventGroup]:
    """Items grouped by report, in article order.

    An item without a ticker is keyed by the company name when one is given; with
    neither it is dropped, because a key like `earnings:NA:2024:Q3` would merge
    unrelated companies' reports into one alert.
    """
    groups: dict[str, list[EarningsItem]] = {}
    heads: dict[str, tuple[str | None, str | None, int | None]] = {}
    for item in items:
        ticker = (item.ticker or "").strip().upper() or None
        token = ticker or _company_token(company)
        if not token:
            continue
        period = item.period.strip().upper() if item.period else None
        key = event_key(token, item.fiscal_year, period)
        groups.setdefault(key, []).append(item)
        heads.setdefault(key, (ticker, period, item.fiscal_year))
    return [
        EventGroup(key, *heads[key], items=tuple(group_items))
        for key, group_items in groups.items()
    ]


def _company_token(company: str | None) -> str:
    words = normalise_text(company or "").split()
    return "~" + "-".join(words) if words else ""


def metric_key(metric: str, basis: str | None) -> str:
    """Key of a figure inside an event: adjusted and GAAP EPS are different figures."""
    return f"{metric}:{basis}" if basis else metric


def metric_record(item: EarningsItem, article_url: str) -> dict[str, Any]:
    """One figure as stored in `events.metrics` and sent in the alert payload."""
    return {
        "metric": item.metric,
        "basis": item.basis,
        "actual": item.actual,
        "estimate": item.estimate,
        "currency": item.currency,
        "surprise_pct": item.surprise_pct,
        "verdict": item.verdict,
        "article_url": article_url,
        "evidence": item.evidence,
    }


def new_event_metrics(items: Sequence[EarningsItem], article_url: str) -> dict[str, Any]:
    """The metrics of a new event; an article repeating a figure keeps its first mention."""
    metrics: dict[str, Any] = {}
    for item in items:
        metrics.setdefault(metric_key(item.metric, item.basis), metric_record(item, article_url))
    return metrics


def same_figure(old: float | None, new: float | None) -> bool:
    """True when two reported numbers are the same figure (see the tolerances above)."""
    if old is None or new is None:
        return old is new
    return math.isclose(old, new, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)


def merge_metrics(
    existing: Mapping[str, Any], items: Sequence[EarningsItem], article_url: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Fold a later article's items into an event; returns (metrics, changes).

    A figure matches a stored one of the same metric and basis, or of the same metric
    when one side has no basis and the match is unambiguous. Matched and equal: nothing
    (the translation or syndication case). Matched and different: a change per field.
    Unmatched: a new figure, reported as changes from None. An item in another currency,
    or one whose basis cannot be told apart, is ignored rather than risk a false
    correction in a thread.
    """
    merged = {key: dict(value) for key, value in existing.items()}
    changes: list[dict[str, Any]] = []
    for item in items:
        candidates = _candidates(merged, item)
        comparable = [key for key in candidates if merged[key].get("currency") == item.currency]
        if any(_figures_match(merged[key], item) for key in comparable):
            continue
        if candidates and len(comparable) != 1:
            continue
        key = comparable[0] if comparable else metric_key(item.metric, item.basis)
        old = merged.get(key, {})
        for field_name in COMPARED_FIELDS:
            new_value = getattr(item, field_name)
            if not same_figure(old.get(field_name), new_value):
                changes.append(
                    {
                        "metric": item.metric,
                        "basis": item.basis,
                        "field": field_name,
                        "old": old.get(field_name),
                        "new": new_value,
                        "currency": item.currency,
                    }
                )
        merged[key] = metric_record(item, article_url)
    return merged, changes


def _candidates(metrics: Mapping[str, Any], item: EarningsItem) -> list[str]:
    exact = metric_key(item.metric, item.basis)
    if exact in metrics:
        return [exact]
    return [
        key
        for key, value in metrics.items()
        if value.get("metric") == item.metric and (item.basis is None or value.get("basis") is None)
    ]


def _figures_match(stored: Mapping[str, Any], item: EarningsItem) -> bool:
    return all(same_figure(stored.get(name), getattr(item, name)) for name in COMPARED_FIELDS)


_SPACES = re.compile(r"\s+")


def claim_key(claim: AIClaim) -> str:
    """Identity of an AI claim: kind, normalised subject, value and unit.

    The qualifier and the evidence sentence are left out: "more than 100,000 H100s for
    Llama 4" is the same claim whichever outlet wrote it and however it was phrased.
    """
    subject = normalise_text(claim.subject or "") or "-"
    unit = _SPACES.sub(" ", claim.unit.strip()).casefold()
    return f"{claim.kind}|{subject}|{float(claim.value):.6g}|{unit}"


__all__ = [
    "EventGroup",
    "claim_key",
    "event_key",
    "group_items",
    "merge_metrics",
    "metric_key",
    "metric_record",
    "new_event_metrics",
    "same_figure",
]
