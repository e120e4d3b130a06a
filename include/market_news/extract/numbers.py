"""Money amounts in English and Japanese news copy, as exact decimals.

Amounts are parsed with `Decimal` so that "405.9億ドル" is exactly 40590000000 and
"$40.59B" exactly 40590000000, which lets the same fact in two languages dedupe.
Only figures that carry a currency (symbol, code, word, "cents", ドル/円) are amounts:
bare numbers are counts, percentages or years, never money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

#: Numbers longer than this are noise (a 400-digit run is not an amount).
MAX_DIGITS = 16

_SCALES: dict[str, Decimal] = {
    "trillion": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "bln": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "thousand": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    # Indian numbering: a lakh is 100,000, a crore 10 million, "lakh crore" 10^12
    "lakh crore": Decimal(10) ** 12,
    "crore": Decimal(10) ** 7,
    "crores": Decimal(10) ** 7,
    "cr": Decimal(10) ** 7,
    "lakh": Decimal(10) ** 5,
    "lakhs": Decimal(10) ** 5,
}
_JA_UNITS: dict[str, Decimal] = {
    "兆": Decimal(10) ** 12,
    "億": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
}
_PREFIX_CURRENCY: dict[str, str] = {
    "us$": "USD", "usd": "USD", "$": "USD", "c$": "CAD", "ca$": "CAD", "cdn$": "CAD",
    "cad": "CAD", "a$": "AUD", "au$": "AUD", "aud": "AUD", "hk$": "HKD", "hkd": "HKD",
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "¥": "JPY", "jpy": "JPY",
    "chf": "CHF", "₹": "INR", "inr": "INR", "₩": "KRW", "krw": "KRW", "sek": "SEK",
    "rmb": "CNY", "cny": "CNY", "nt$": "TWD", "twd": "TWD",
    # other ISO codes written before an amount: "DKK 700 million", "NOK 2.1bn"
    "dkk": "DKK", "nok": "NOK", "sgd": "SGD", "nzd": "NZD", "zar": "ZAR", "brl": "BRL",
    "mxn": "MXN", "pln": "PLN",
    # "Rs 64,259 crore", "Rs. 32.92"; "R$ 10.6 bilhões" is the real's sign
    "rs": "INR", "rs.": "INR", "r$": "BRL",
}  # fmt: skip
_SUFFIX_CURRENCY: dict[str, str] = {
    "us dollars": "USD", "u.s. dollars": "USD", "canadian dollars": "CAD",
    "australian dollars": "AUD", "dollars": "USD", "dollar": "USD", "euros": "EUR",
    "euro": "EUR", "pounds sterling": "GBP", "pounds": "GBP", "sterling": "GBP",
    "yen": "JPY", "swiss francs": "CHF", "francs": "CHF", "usd": "USD", "eur": "EUR",
    "gbp": "GBP", "jpy": "JPY", "cad": "CAD", "chf": "CHF", "aud": "AUD",
    "rupees": "INR", "rupee": "INR",
    "reais": "BRL", "brazilian reais": "BRL", "won": "KRW", "yuan": "CNY", "renminbi": "CNY",
    "pence": "GBP",
    # Nordic crowns: the Swedish plural is "kronor", the Norwegian and Danish "kroner"; a
    # bare "crowns" or "kroner" names no country and is left to the article's currency.
    "swedish crowns": "SEK", "swedish kronor": "SEK", "kronor": "SEK",
    "norwegian crowns": "NOK", "norwegian kroner": "NOK", "danish crowns": "DKK",
    "danish kroner": "DKK", "czech crowns": "CZK", "icelandic kronur": "ISK",
    "new taiwan dollars": "TWD", "taiwan dollars": "TWD", "nt dollars": "TWD", "twd": "TWD",
}  # fmt: skip
_JA_CURRENCY: dict[str, str] = {
    "米ドル": "USD", "ドル": "USD", "円": "JPY", "ユーロ": "EUR", "ポンド": "GBP",
    "カナダドル": "CAD", "豪ドル": "AUD", "元": "CNY", "ウォン": "KRW",
}  # fmt: skip

_NUM = r"(?:\d{1,3}(?:,\d{3}){1,5}|\d{1,16})(?:\.\d{1,6})?(?!\d)"
_PREFIX = (
    r"US\$|C\$|CA\$|CDN\$|A\$|AU\$|HK\$|NT\$|R\$|\$|€|£|¥|₹|₩|(?-i:Rs\.?)|"
    r"USD|EUR|GBP|JPY|CAD|CHF|AUD|HKD|INR|SEK|CNY|RMB|TWD|KRW|"
    r"DKK|NOK|SGD|NZD|ZAR|BRL|MXN|PLN"
)
_SCALE = (
    r"(?:[\s-]?(?P<wscale>trillion|billion|million|thousand|lakh crore|crores?|lakhs?)"
    r"|\s?(?P<ascale>tn|trn|bn|bln|mn|mln|cr)|(?P<lscale>[BMKbmk]))(?![A-Za-z0-9])"
)
_SUFFIX = (
    r"(?P<suffix>(?:US|U\.S\.|Canadian|Australian|(?:new )?Taiwan|NT) dollars|dollars?|euros?|"
    r"pounds sterling|"
    r"pounds|sterling|yen|Swiss francs|francs|rupees|rupee|(?:Brazilian )?reais|won|"
    r"yuan|renminbi|cents?|pence|(?:(?:Swedish|Norwegian|Danish|Czech) )?crowns|"
    r"(?:(?:Swedish|Norwegian|Danish|Icelandic) )?(?:kronor|kroner|kronur)|"
    r"USD|EUR|GBP|JPY|CAD|CHF|AUD|TWD)(?![A-Za-z])"
)
_EN_AMOUNT = re.compile(
    r"(?<![A-Za-z0-9_$€£¥.,])(?P<paren>\()?(?P<minus>-)?\s?"
    r"(?:(?P<prefix>" + _PREFIX + r")\s?(?P<minus2>-|\()?)?"
    r"(?P<num>" + _NUM + r")"
    r"(?:\s?(?:-|to)\s?(?:" + _PREFIX + r")?\s?(?P<hi>" + _NUM + r"))?"
    r"(?:" + _SCALE + r")?"
    # "13.2p" is pence; "13.2 pence" comes through the suffix
    # "the 21-cent loss": the hyphenated adjective form of "cents"
    r"(?:(?P<pence>p)(?![A-Za-z0-9]|\.[A-Za-z0-9])|(?:\s(?:of\s)?|-(?=cents?(?![A-Za-z])))"
    + _SUFFIX
    + r")?"
    r"(?P<close>\))?",
    re.IGNORECASE | re.ASCII,
)
_JA_NUM = r"\d[\d,]{0,15}(?:\.\d{1,6})?"
_JA_AMOUNT = re.compile(
    r"(?<![\d.,])(?:(?P<lo>" + _JA_NUM + r")(?P<lounit>[兆億万千])?\s?[~から]{1,2}\s?)?"
    r"(?:(?P<cho>" + _JA_NUM + r")兆)?(?:(?P<oku>" + _JA_NUM + r")億)?"
    r"(?:(?P<man>" + _JA_NUM + r")万)?(?P<base>" + _JA_NUM + r")?"
    r"\s?(?P<cur>米ドル|カナダドル|豪ドル|ドル|円|ユーロ|ポンド|ウォン)"
    r"(?P<sen>\s?\d{1,2}銭)?"
)


@dataclass(frozen=True, slots=True)
class Amount:
    """A money figure found in a text: absolute value, currency when written, position."""

    start: int
    end: int
    value: Decimal
    currency: str | None
    negative: bool = False
    cents: bool = False
    high: Decimal | None = None

    @property
    def upper(self) -> Decimal:
        """The upper end of a range, or the value itself."""
        return self.high if self.high is not None else self.value


def to_decimal(raw: str) -> Decimal | None:
    """'1,234.5' -> Decimal('1234.5'); None for noise (too many digits, malformed)."""
    cleaned = raw.replace(",", "")
    if not cleaned or sum(ch.isdigit() for ch in cleaned) > MAX_DIGITS:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _scale_of(match: re.Match[str]) -> Decimal:
    for group in ("wscale", "ascale", "lscale"):
        word = match.group(group)
        if word:
            return _SCALES[word.lower()]
    return Decimal(1)


def _english(text: str) -> list[Amount]:
    found: list[Amount] = []
    for match in _EN_AMOUNT.finditer(text):
        prefix = (match.group("prefix") or "").lower()
        suffix = (match.group("suffix") or "").lower()
        if match.group("pence") and not prefix:
            suffix = "pence"
        if not prefix and not suffix:
            continue
        value = to_decimal(match.group("num"))
        if value is None:
            continue
        high = to_decimal(match.group("hi")) if match.group("hi") else None
        scale = _scale_of(match)
        cents = suffix.startswith("cent") or suffix == "pence"
        if cents:
            scale = scale / 100
        currency = _PREFIX_CURRENCY.get(prefix) or _SUFFIX_CURRENCY.get(suffix)
        paren = bool(
            (match.group("paren") or match.group("minus2") == "(") and match.group("close")
        )
        negative = paren or bool(match.group("minus") or match.group("minus2") == "-")
        start = match.start()
        if match.group("paren") and not paren:
            start += 1
        found.append(
            Amount(
                start=start,
                end=match.end() if paren or not match.group("close") else match.end() - 1,
                value=value * scale,
                currency=currency,
                negative=negative,
                cents=cents and not prefix,
                high=high * scale if high is not None else None,
            )
        )
    return found


def _japanese(text: str) -> list[Amount]:
    found: list[Amount] = []
    for match in _JA_AMOUNT.finditer(text):
        parts = {u: match.group(g) for u, g in (("兆", "cho"), ("億", "oku"), ("万", "man"))}
        base = match.group("base")
        if not any(parts.values()) and not base:
            continue
        total = Decimal(0)
        leading_unit = Decimal(1)
        ok = True
        for unit, raw in parts.items():
            if raw:
                number = to_decimal(raw)
                if number is None:
                    ok = False
                    break
                total += number * _JA_UNITS[unit]
                leading_unit = max(leading_unit, _JA_UNITS[unit]) if total else leading_unit
        if base:
            number = to_decimal(base)
            if number is None:
                ok = False
            else:
                total += number
        if not ok:
            continue
        if match.group("sen"):
            total += Decimal(match.group("sen").strip().rstrip("銭")) / 100
        high: Decimal | None = None
        value = total
        if match.group("lo"):
            low = to_decimal(match.group("lo"))
            if low is not None:
                unit = match.group("lounit")
                low *= _JA_UNITS[unit] if unit else _leading_unit(parts)
                high, value = total, low
        found.append(
            Amount(
                start=match.start(),
                end=match.end(),
                value=value,
                currency=_JA_CURRENCY[match.group("cur")],
                high=high,
            )
        )
    return found


def _leading_unit(parts: dict[str, str | None]) -> Decimal:
    """The largest unit written in a Japanese amount (for '370~400億ドル')."""
    for unit, raw in parts.items():
        if raw:
            return _JA_UNITS[unit]
    return Decimal(1)


_RANGE_JOIN = re.compile(r"^\s?(?:-|to|and|~|から)\s?$", re.IGNORECASE | re.ASCII)
_BETWEEN = re.compile(r"\bbetween\s$", re.IGNORECASE | re.ASCII)


_DIGIT = re.compile(r"\d")
_JA_CURRENCY_WORD = re.compile(r"ドル|円|ユーロ|ポンド|ウォン")


def _conversion(text: str, prev: Amount, amount: Amount) -> bool:
    """True when `amount` is a bracketed conversion of the figure just before it: written
    in another currency, it is not a second figure (nor a negative one)."""
    return (
        text.startswith("(", amount.start)
        and not text[prev.end : amount.start].strip()
        and prev.currency is not None
        and amount.currency is not None
        and prev.currency != amount.currency
    )


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in `text`, in order; "$37 billion to $40 billion" is one range."""
    return list(_amounts(text))


@lru_cache(maxsize=4096)
def _amounts(text: str) -> tuple[Amount, ...]:
    """Cached: the earnings and capex rules read the same sentences' amounts."""
    if not _DIGIT.search(text):
        return ()  # no figure, no amount: most prose sentences stop here
    found = _english(text)
    if _JA_CURRENCY_WORD.search(text):
        found += _japanese(text)
    raw = sorted(found, key=lambda a: (a.start, -a.end))
    merged: list[Amount] = []
    for amount in raw:
        if merged and amount.start < merged[-1].end:
            continue  # overlapping reading of the same figure
        if merged and _conversion(text, merged[-1], amount):
            continue  # "33.6 billion yuan ($4.64 billion)": the same figure in dollars
        if merged and merged[-1].high is None and amount.high is None:
            prev = merged[-1]
            gap = text[prev.end : amount.start]
            joined = _RANGE_JOIN.match(gap)
            if joined and (
                "and" not in gap.lower()
                or _BETWEEN.search(text[max(0, prev.start - 9) : prev.start])
            ):
                merged[-1] = Amount(
                    start=prev.start,
                    end=amount.end,
                    value=prev.value,
                    currency=prev.currency or amount.currency,
                    negative=prev.negative,
                    cents=prev.cents,
                    high=amount.value,
                )
                continue
        merged.append(amount)
    return tuple(merged)


_WORD_NUMBERS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100,
    "one hundred": 100, "a thousand": 1000, "one": 1, "a": 1, "an": 1,
}  # fmt: skip


def word_number(word: str) -> int | None:
    """'ten' -> 10: multiples and counts are often spelled out."""
    return _WORD_NUMBERS.get(word.lower().strip())


def scale_value(number: str, scale: str | None) -> Decimal | None:
    """A count with an optional English or Japanese scale word ('1.2 million', '10万')."""
    value = to_decimal(number)
    if value is None:
        return None
    if scale:
        key = scale.lower().strip()
        multiplier = _SCALES.get(key) or _JA_UNITS.get(key)
        if multiplier is None:
            return None
        value *= multiplier
    return value
