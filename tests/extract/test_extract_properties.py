"""Untrusted input never crashes the extractor and never takes unbounded time."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from market_news.extract import extract_html, extract_text
from market_news.models import Extraction

_SETTINGS = settings(
    max_examples=60,
    deadline=2000,
    database=None,  # no .hypothesis/ folder in the project tree
    suppress_health_check=[HealthCheck.too_slow],
)
_NEWSY = st.sampled_from(
    [
        "$", "€", "¥", "(", ")", "EPS ", "revenue ", "billion ", "cents ", "per share ",
        "beat estimates of ", "loss of ", "億ドル", "円", "第3四半期", "Q3 ", "H100 ",
        "GPUs ", "times more compute ", "gigawatt ", "parameters ", "(NASDAQ:ABC) ",
        "Inc. ", "1,000,000", "0.5", ". ", "\n", "、", "。", "-", "~", "2024",
    ]
)  # fmt: skip


@_SETTINGS
@given(st.text(max_size=3000))
def test_random_text(text: str) -> None:
    assert isinstance(extract_text(text), Extraction)


@_SETTINGS
@given(st.lists(st.one_of(_NEWSY, st.integers(0, 10**9).map(str)), max_size=300).map("".join))
def test_newsy_garbage(text: str) -> None:
    result = extract_text(text)
    for item in result.earnings:
        assert item.verdict in {"beat", "miss", "inline"}
        assert item.metric in {"eps", "revenue"}


@_SETTINGS
@given(st.integers(min_value=1, max_value=2000))
def test_huge_numbers(digits: int) -> None:
    number = "9" * digits
    text = (
        f"Acme (NYSE:ACME) revenue of ${number} billion beat estimates of ${number}.5 billion; "
        f"{number} H100 GPUs, {number} times more compute, {number} MW, {number}億ドル."
    )
    assert isinstance(extract_text(text), Extraction)


@_SETTINGS
@given(st.text(alphabet="<>/=\"' abcdefghpstyl!-[]&;#", max_size=2000))
def test_broken_html(markup: str) -> None:
    assert isinstance(extract_html(markup), Extraction)


@_SETTINGS
@given(st.binary(max_size=4000))
def test_binary_bytes_as_html(data: bytes) -> None:
    assert isinstance(extract_html(data), Extraction)


def test_pathological_inputs_are_fast() -> None:
    cases = [
        "1" * 100_000,
        "$" + "1," * 50_000,
        "a " * 100_000,
        "Inc. " * 20_000,
        ("(NASDAQ:" + "A" * 50) * 2_000,
        "." * 100_000,
        "1億" * 30_000 + "ドル",
        "more than " * 20_000 + "100,000 H100s",
        "<div>" * 5_000,
        "<span>" * 5_000,
        "<div><h3>Related</h3><ul><li>x</li></ul>" * 2_000,
        '<div class="sidebar"><article>' * 2_000,
        "Q3 " * 30_000,
        "<table><tr><th>a</th><th>b</th></tr><tr><td>" * 3_000,
        "1.5p " * 40_000,
        "beat estimates by " * 10_000 + "$1",
        "GPU「B200」を" * 10_000 + "4000基",
        "Analysts had expected 63 cents. " * 5_000,
    ]
    for text in cases:
        start = time.perf_counter()
        extract_text(text)
        extract_html(text)
        assert time.perf_counter() - start < 20, text[:40]
