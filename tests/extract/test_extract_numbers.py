"""Amount parsing: scales, cents, ranges, signs, Japanese units, full-width digits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from market_news.extract.numbers import find_amounts
from market_news.extract.text import normalise


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$39.07 billion", Decimal("39070000000"), "USD"),
        ("$40.59B", Decimal("40590000000"), "USD"),
        ("$143.35M", Decimal("143350000"), "USD"),
        ("81 cents", Decimal("0.81"), None),
        ("1.2 billion dollars", Decimal("1200000000"), "USD"),
        ("$1,234,567", Decimal("1234567"), "USD"),
        ("€8.47 billion", Decimal("8470000000"), "EUR"),
        ("£31.5bn", Decimal("31500000000"), "GBP"),
        ("C$3.07", Decimal("3.07"), "CAD"),
        ("CA$14.6 billion", Decimal("14600000000"), "CAD"),
        ("¥500 million", Decimal("500000000"), "JPY"),
        ("USD 2.5 million", Decimal("2500000"), "USD"),
        ("3 billion euros", Decimal("3000000000"), "EUR"),
        ("405.9億ドル", Decimal("40590000000"), "USD"),
        ("11兆8378億円", Decimal("11837800000000"), "JPY"),
        ("40万ドル", Decimal("400000"), "USD"),
        ("6.03ドル", Decimal("6.03"), "USD"),
        ("50億ユーロ", Decimal("5000000000"), "EUR"),
    ],
)
def test_amount_values(text: str, value: Decimal, currency: str | None) -> None:
    amounts = find_amounts(text)
    assert len(amounts) == 1
    assert amounts[0].value == value
    assert amounts[0].currency == currency


def test_full_width_digits_are_read_after_normalising() -> None:
    amounts = find_amounts(normalise("売上高は４０５．９億ドル"))
    assert amounts[0].value == Decimal("40590000000")


@pytest.mark.parametrize(
    "text", ["$37 billion to $40 billion", "$37-40 billion", "between $37 billion and $40 billion"]
)
def test_ranges_keep_both_ends(text: str) -> None:
    (amount,) = find_amounts(text)
    assert amount.value == Decimal("37000000000")
    assert amount.upper == Decimal("40000000000")


def test_japanese_range() -> None:
    (amount,) = find_amounts("370億~400億ドル")
    assert (amount.value, amount.upper) == (Decimal("37000000000"), Decimal("40000000000"))


@pytest.mark.parametrize("text", ["($0.12)", "$(0.12)", "-$0.12", "$-0.12"])
def test_negative_forms(text: str) -> None:
    (amount,) = find_amounts(text)
    assert amount.negative
    assert amount.value == Decimal("0.12")


@pytest.mark.parametrize(
    "text", ["up 7.17%", "in 2024", "Q3", "100,000 H100s", "B200 chips", "1" * 400 + " dollars"]
)
def test_not_money(text: str) -> None:
    assert find_amounts(text) == []
