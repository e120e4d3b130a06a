"""How figures and times read on the page (Jinja2 filters; pure functions, tested alone).

The JSON endpoints carry raw numbers; people reading the page want `$40.59B`, `+14.86%`
and `3 min ago`. Keeping that here keeps the template free of arithmetic.
"""

from __future__ import annotations

from datetime import UTC, datetime

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def money(value: float | None, currency: str | None, *, per_share: bool) -> str:
    """`$6.03` for a per-share figure, `$40.59B` for an amount; `–` when unknown."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if per_share:
        number = f"{magnitude:,.2f}"
    else:
        number = f"{magnitude:,.0f}"
        for scale, suffix in _SCALES:
            if magnitude >= scale:
                number = f"{magnitude / scale:,.2f}{suffix}"
                break
    code = (currency or "").upper()
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {code}".rstrip()


def percent(value: float | None, *, signed: bool = True) -> str:
    """`+14.86%` (a surprise) or `67%` (a ratio given as 0.67 with signed=False)."""
    if value is None:
        return "–"
    if signed:
        return f"{value:+.2f}%"
    return f"{value * 100:.0f}%"


def when(value: datetime | None) -> str:
    """Absolute UTC time, for tooltips and `<time datetime>`."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def ago(value: datetime | None, now: datetime) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 d ago`; `in 4 min` for future times."""
    if value is None:
        return "–"
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now" if not future else "in a moment"
    if seconds < 3600:
        amount = f"{round(seconds / 60):.0f} min"
    elif seconds < 48 * 3600:
        amount = f"{round(seconds / 3600):.0f} h"
    else:
        amount = f"{round(seconds / 86400):.0f} d"
    return f"in {amount}" if future else f"{amount} ago"


def metric_label(metric: str, basis: str | None) -> str:
    """`EPS (adj.)`, `EPS (GAAP)`, `Revenue`."""
    name = "EPS" if metric == "eps" else metric.capitalize()
    if basis == "adjusted":
        return f"{name} (adj.)"
    if basis == "gaap":
        return f"{name} (GAAP)"
    return name


__all__ = ["ago", "metric_label", "money", "percent", "when"]
