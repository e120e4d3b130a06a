"""The figures an earnings alert should show after its corrections.

A correction is posted as a thread reply, but people read the parent message first; it
is edited (`chat.update`) to show the current figures. The store keeps the parent's
original payload and each correction's changes (old → new per field), so the current
figures are the original ones with every change applied in order. When a correction
payload carries the whole current `metrics` list, that wins: it is the store's own
merge, not a re-derivation.

Pure functions on plain payload dicts, like the renderers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

Payload = Mapping[str, Any]
#: Fields a correction may change that feed the surprise and the verdict.
_FIGURES = ("actual", "estimate")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _find_metric(metrics: list[dict[str, Any]], change: Payload) -> dict[str, Any] | None:
    """The metric a change is about: same metric and basis, else the only one of that metric.

    The same matching the store uses when it merges figures (a side without a basis
    matches when unambiguous).
    """
    name, basis = change.get("metric"), change.get("basis")
    exact = [m for m in metrics if m.get("metric") == name and m.get("basis") == basis]
    if exact:
        return exact[0]
    loose = [
        m for m in metrics if m.get("metric") == name and (basis is None or m.get("basis") is None)
    ]
    return loose[0] if len(loose) == 1 else None


def _rescore(metric: dict[str, Any]) -> None:
    """Recompute surprise % and verdict from actual and estimate (interface section 3).

    An alert that said "in line" stays in line while the surprise is under 1 %, the
    extractor's own threshold for that wording.
    """
    actual, estimate = _number(metric.get("actual")), _number(metric.get("estimate"))
    if actual is None or estimate is None or estimate == 0:
        return
    surprise = round((actual - estimate) / abs(estimate) * 100, 2)
    metric["surprise_pct"] = surprise
    if actual == estimate or (metric.get("verdict") == "inline" and abs(surprise) < 1.0):
        metric["verdict"] = "inline"
    else:
        metric["verdict"] = "beat" if surprise > 0 else "miss"


def apply_changes(metrics: list[dict[str, Any]], changes: Sequence[Payload]) -> None:
    """Apply one correction's changes to `metrics` in place (new figures are appended)."""
    touched: list[dict[str, Any]] = []
    for change in changes:
        field = change.get("field")
        metric = _find_metric(metrics, change)
        if metric is None:
            metric = {
                "metric": change.get("metric"),
                "basis": change.get("basis"),
                "currency": change.get("currency"),
            }
            metrics.append(metric)
        if field in _FIGURES or field in {"verdict", "surprise_pct", "basis"}:
            metric[str(field)] = change.get("new")
        if change.get("currency"):
            metric["currency"] = change["currency"]
        if field in _FIGURES and metric not in touched:
            touched.append(metric)
    for metric in touched:
        _rescore(metric)


def current_payload(original: Payload, corrections: Sequence[Payload]) -> dict[str, Any]:
    """The parent's payload with its figures brought up to date by `corrections`.

    `corrections` are the payloads of the parent's corrections, oldest first. The result
    keeps the parent's identity (`event_key`, `alert_key`) so its metadata, and so
    reconciliation, stay the same; `revision` counts the corrections applied.
    """
    payload = copy.deepcopy(dict(original))
    metrics: list[dict[str, Any]] = [dict(m) for m in payload.get("metrics") or []]
    for correction in corrections:
        if correction.get("metrics"):
            metrics = [dict(m) for m in correction["metrics"]]
        else:
            apply_changes(metrics, list(correction.get("changes") or []))
    payload["metrics"] = metrics
    payload["revision"] = len(corrections)
    if corrections:
        latest = corrections[-1]
        payload["corrected_by"] = latest.get("article_url")
        payload["corrected_by_title"] = latest.get("article_title")
    return payload


__all__ = ["apply_changes", "current_payload"]
