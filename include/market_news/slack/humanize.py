"""Numbers, money and times written the way a trader reads them in a channel.

The store keeps raw values (40590000000, "USD"); people read "$40.59B". Keeping the
formatting here lets the renderers stay short and lets tests pin each rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
MARKET_OPEN = time(9, 30)
MARKET_CLOSE = time(16, 0)

_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "CAD": "C$",
    "AUD": "A$",
    "HKD": "HK$",
    "TWD": "NT$",
}
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"))


def _trim(number: str) -> str:
    """`40.00` -> `40`, `37.50` -> `37.5`: claims read better without trailing zeros."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def compact(value: float, *, decimals: int = 2, trim: bool = False) -> str:
    """`40590000000` -> `40.59B`; values under a million keep thousands separators."""
    magnitude = abs(value)
    for scale, suffix in _SCALES:
        if magnitude >= scale:
            text = f"{magnitude / scale:.{decimals}f}"
            return ("-" if value < 0 else "") + (_trim(text) if trim else text) + suffix
    text = f"{magnitude:,.{decimals}f}"
    return ("-" if value < 0 else "") + (_trim(text) if trim else text)


def money(value: float, currency: str | None, *, trim: bool = False) -> str:
    """`6.03, USD` -> `$6.03`; `-0.12, USD` -> `-$0.12`; unknown codes are written out."""
    code = (currency or "").upper()
    symbol = _SYMBOLS.get(code)
    body = compact(abs(value), trim=trim)
    sign = "-" if value < 0 else ""
    if symbol is not None:
        return f"{sign}{symbol}{body}"
    return f"{sign}{body} {code}".rstrip()


def percent(value: float | None) -> str:
    """A signed percentage, `+14.86%`; `n/a` when the surprise is unknown."""
    if value is None:
        return "n/a"
    return f"{value:+.2f}%"


def count(value: float) -> str:
    """`100000` -> `100,000`; a fractional count keeps what it has (`2.5`)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return _trim(f"{value:,.2f}")


def parse_published(published: str | None) -> datetime | None:
    """ISO 8601 -> aware datetime (UTC assumed when no offset); None when unparseable."""
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def session_tag(moment: datetime) -> str:
    """Where an instant falls against the New York cash session.

    Earnings move prices differently before the open and after the close, which is
    why the alert says which one it was.
    """
    local = moment.astimezone(NEW_YORK).time()
    if local < MARKET_OPEN:
        return "pre-market"
    if local >= MARKET_CLOSE:
        return "after hours"
    return "during market hours"


def new_york_time(moment: datetime) -> str:
    """`Oct 30, 2024 4:05 PM ET`."""
    local = moment.astimezone(NEW_YORK)
    hour = local.hour % 12 or 12
    return f"{local:%b} {local.day}, {local.year} {hour}:{local:%M %p} ET"
