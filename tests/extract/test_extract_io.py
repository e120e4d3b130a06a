"""Entry points: files, stdin, encodings, HTML isolation and the public API surface."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from market_news import extract
from market_news.extract import (
    PARSER_VERSION,
    UnreadableInputError,
    extract_file,
    extract_html,
    extract_text,
)
from market_news.models import Extraction

ARTICLE = (
    "Acme Inc. (NYSE:ACME) reported third-quarter 2024 revenue of €2.1 billion, beating "
    "estimates of €2.0 billion."
)


def test_public_api() -> None:
    assert set(extract.__all__) == {
        "PARSER_VERSION", "UnreadableInputError", "extract_file", "extract_html", "extract_text",
    }  # fmt: skip
    assert isinstance(PARSER_VERSION, str) and PARSER_VERSION
    assert issubclass(UnreadableInputError, ValueError)


def test_extract_text_carries_title_published_and_text() -> None:
    got = extract_text(ARTICLE, title="Acme beats", published="2024-10-30T21:05:00Z")
    assert got.title == "Acme beats"
    assert got.published == "2024-10-30T21:05:00+00:00"
    assert got.text.startswith("Acme Inc.")
    assert got.earnings[0].currency == "EUR"


def test_headline_in_title_is_read() -> None:
    got = extract_text("Nothing else.", title="Acme (NYSE:ACME) Q3 EPS $1.10 Beats $1.00 Estimate")
    assert [(i.ticker, i.actual) for i in got.earnings] == [("ACME", 1.1)]


def test_bad_published_becomes_none() -> None:
    assert extract_text("x", published="yesterday").published is None


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_text_file_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(ARTICLE.encode(encoding))
    got = extract_file(path)
    assert got.earnings[0].actual == 2.1e9


def test_shift_jis_text_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    text = (
        "エーシーエム社(NYSE:ACME)の第2四半期の売上高は20億ドルで、市場予想の21億ドルを下回った。"
        * 3
    )
    path.write_bytes(text.encode("shift_jis"))
    got = extract_file(path)
    assert got.language == "ja"
    assert len(got.earnings) == 1


def test_html_charset_from_meta(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    html = (
        '<html><head><meta charset="windows-1252"></head><body><article><p>'
        + ARTICLE
        + " Caf\u00e9 talk.</p></article></body></html>"
    )
    path.write_bytes(html.encode("cp1252"))
    got = extract_file(path)
    assert "Café" in got.text
    assert len(got.earnings) == 1


def test_htm_suffix_is_html(tmp_path: Path) -> None:
    path = tmp_path / "a.HTM"
    path.write_text(f"<html><body><nav>{ARTICLE}</nav><p>Hello.</p></body></html>", "utf-8")
    assert extract_file(path).earnings == ()


def test_stdin_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(f"<p>{ARTICLE}</p>".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    got = extract_file("-")
    assert got.text.startswith("<p>")
    assert len(got.earnings) == 1


def test_missing_file_raises_one_line(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError) as info:
        extract_file(tmp_path / "missing.txt")
    assert "\n" not in str(info.value)
    assert "missing.txt" in str(info.value)


def test_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError):
        extract_file(tmp_path)


def test_extract_html_accepts_bytes_and_url() -> None:
    html = f"<html><body><article><p>{ARTICLE}</p></article></body></html>".encode()
    got = extract_html(html, url="https://example.com/a")
    assert isinstance(got, Extraction)
    assert len(got.earnings) == 1


def test_json_ld_list_and_naive_date() -> None:
    html = (
        '<script type="application/ld+json">[{"@type": ["NewsArticle"], "headline": "H",'
        ' "datePublished": "2024-05-01T10:00:00"}]</script><article><p>Body.</p></article>'
    )
    got = extract_html(html)
    assert (got.title, got.published) == ("H", "2024-05-01T10:00:00+00:00")


def test_broken_json_ld_is_ignored() -> None:
    html = '<script type="application/ld+json">{"@type": </script><p>Body text.</p>'
    got = extract_html(html)
    assert got.title is None
    assert "Body text." in got.text


def test_html_chrome_is_dropped() -> None:
    html = (
        "<html><body><header>Header $1 billion</header><nav>Menu</nav><article>"
        f"<p>{ARTICLE}</p><div class='trending-box'>Beta Corp (NYSE:BET) EPS $1.10 Beats $1.00"
        " Estimate</div></article><aside>Gamma Q3 EPS $2 Beats $1 Estimate</aside>"
        "<footer>(NASDAQ:FOOT)</footer></body></html>"
    )
    got = extract_html(html)
    assert got.tickers == ("ACME",)
    assert [i.ticker for i in got.earnings] == ["ACME"]
    assert "Header" not in got.text and "Menu" not in got.text


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-10-30T21:05:00Z", "2024-10-30T21:05:00+00:00"),
        ("2024-10-30T21:05:00.000-04:00", "2024-10-30T21:05:00-04:00"),
        ("Wed, 30 Oct 2024 21:05:00 GMT", "2024-10-30T21:05:00+00:00"),
        ("2024-10-30", "2024-10-30T00:00:00+00:00"),
        ("not a date", None),
    ],
)
def test_published_normalised(raw: str, iso: str | None) -> None:
    assert extract_text("x", published=raw).published == iso
