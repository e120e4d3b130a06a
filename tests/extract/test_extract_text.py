"""Normalising and sentence splitting: the ground every rule stands on."""

from __future__ import annotations

from market_news.extract.text import MAX_SENTENCE_CHARS, evidence, normalise, split_sentences


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(normalise(text))]


def test_abbreviations_and_decimals_do_not_split() -> None:
    text = "Meta Platforms, Inc. META rose. Q3 Adj. EPS $6.03 beat vs. $5.25. Next one."
    assert _texts(text) == [
        "Meta Platforms, Inc. META rose.",
        "Q3 Adj. EPS $6.03 beat vs. $5.25.",
        "Next one.",
    ]


def test_japanese_full_stops_split() -> None:
    assert _texts("売上高は増えた。利益も増えた。") == ["売上高は増えた。", "利益も増えた。"]


def test_hard_wrapped_lines_are_rejoined_but_headings_are_not() -> None:
    text = "Revenue was\n$2 billion, up\n5%.\nPrice action\nShares rose."
    assert normalise(text).split("\n") == [
        "Revenue was $2 billion, up 5%.",
        "Price action",
        "Shares rose.",
    ]


def test_full_width_characters_become_ascii() -> None:
    assert (
        normalise("１００，０００台のＨ１００（ＮＡＳＤＡＱ：ＮＶＤＡ）")
        == "100,000台のH100(NASDAQ:NVDA)"
    )


def test_sentences_are_bounded() -> None:
    sentences = split_sentences(normalise("word " * 5000))
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)


def test_sentence_offsets_point_into_the_text() -> None:
    text = normalise("First line here.\nSecond line. Third one.")
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_evidence_is_bounded_and_single_line() -> None:
    assert evidence("a\n b") == "a b"
    assert len(evidence("x" * 1000)) == 400
