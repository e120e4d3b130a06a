"""The fast paths of the extractor give exactly what the plain versions give.

Each speed-up in text.py, tickers.py, language.py and page.py replaced a simple
formulation; the simple one is kept here as the reference and both run over every
fixture and over strings made to hit the edge cases (brackets at ends, overlapping
matches, controls, odd whitespace, kana/kanji at the boundaries).
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from market_news.extract import language, tickers
from market_news.extract import page as page_module
from market_news.extract import text as text_module
from market_news.extract.text import char_positions, matches_at, normalise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
ADVERSARIAL = [
    "",
    " ",
    "(",
    "<",
    "[",
    "\n",
    "(NASDAQ:META)(NYSE: IBM, NASDAQ: IBM) [TSE:7203] (GOOGL.O)<CMG.N><6752.T>",
    "トヨタ自動車(7203)は、東京エレクトロン <8035> KDDI(9433)は FY(2024)は",
    "* ERIC (Ericsson) - Q3 24: x\n- IBM - Q3 24: y\n\u2022 AMD - FY 2025\n*\n- Q3 24",
    "((((NYSE:A)))) <<<<1234>>>> [[NYSE:B]] (1234)(5678)",
    "Mr. A. Smith said.\u2028Next line\x85 and\u2029 more \x0b\x1c\x1f\x00\x7f end",
    "a\u2014b\u2212c\u00a0d\u3000e\u200bf\ufeffg\u301ch \t\r\f x",
    "Ｑ３ ＥＰＳ ＄１．２３ （ＮＹＳＥ：ＩＢＭ） ＜７２０３＞",
]


def _texts() -> list[str]:
    raw = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    rng = random.Random(7)
    alphabet = "()<>[]*-\u2022 \nAB12.:,ト株"
    fuzz = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    return raw + [normalise(text) for text in raw] + ADVERSARIAL + fuzz


TEXTS = _texts()


def _spans(matches: object) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (tickers._EXCHANGE_TAG, "(["),
        (tickers._RIC, "(<"),
        (tickers._JA_CODE, "(<"),
    ],
)
def test_bracket_led_patterns_match_as_finditer(pattern: re.Pattern[str], chars: str) -> None:
    for text in TEXTS:
        starts = sorted(at for char in chars for at in char_positions(text, char))
        fast = _spans(matches_at(pattern, text, starts))
        assert fast == _spans(pattern.finditer(text)), text[:80]


def test_bullet_lines_match_as_finditer() -> None:
    pattern = tickers._BULLET_SYMBOL
    for text in TEXTS:
        fast = _spans(matches_at(pattern, text, tickers._bullet_starts(text)))
        assert fast == _spans(pattern.finditer(text)), text[:80]


_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORDS = re.compile(r"[A-Za-z]+")


def _reference_language(text: str, hint: str | None = None) -> str:
    """detect_language as first written: regex passes, a string per word."""
    sample = text[:4000]
    cjk = 0 if sample.isascii() else len(_CJK.findall(sample))
    words = _WORDS.findall(sample)
    latin = sum(map(len, words))
    hint_norm = (hint or "").strip().lower()[:8] or None
    if cjk == 0 and latin == 0:
        return hint_norm or "en"
    has_kana = cjk > 0 and _KANA.search(sample) is not None
    if has_kana and cjk * 3 > latin * 1.5:
        return "ja"
    if cjk * 3 * 1.5 < latin:
        function_words = {"the", "and", "of", "to", "in", "is", "for", "that", "with", "on"}
        function_words |= {"was", "said"}
        english = len([w for w in map(str.lower, words) if w in function_words])
        if words and english / len(words) >= 0.05:
            return "en"
        return hint_norm if hint_norm and hint_norm != "ja" else "en"
    if hint_norm:
        return hint_norm
    first = sample.split("\n", 1)[0]
    if has_kana and len(_CJK.findall(first)) * 3 > len(_LATIN.findall(first)):
        return "ja"
    return "en"


def test_language_counts_from_bytes_match_the_regex_counts() -> None:
    rng = random.Random(11)
    pieces = ["the ", "The", "THE ", "said.", "of", "x", "が", "トヨタ", "決算", "中", "\u4e00",
              "\u9fff", "\u3040", "\u30ff", "\u3000", "\ua000", "é", "K\u212a", "\n", " ",
              "'", "1", "onthe", "in-", "thee"]  # fmt: skip
    mixed = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 80))) for _ in range(600)]
    for text in [*TEXTS, *mixed, "the" * 2000 + "トヨタ", "\ud800 the lone surrogate"]:
        for hint in (None, "ja", "en", " DE "):
            assert language.detect_language(text, hint) == _reference_language(text, hint), text
    # The byte counts themselves, not only the verdicts they lead to.
    for text in mixed:
        data = text.encode("utf-8")
        assert language._cjk_count(text, data) == len(_CJK.findall(text))
        words = [w.lower() for w in _WORDS.findall(text)]
        english = len([w for w in words if w in language._EN_WORDS])
        expected = bool(words) and english / len(words) >= 0.05
        assert language._english(data, len(words)) == expected, text


_PARAGRAPH_LATIN_END = re.compile(
    r"[.!?][\"'”’)\]]{0,3}(?=\s{1,20}[\"'“‘(\[]?[A-Z0-9\u3040-\u30ff\u4e00-\u9fff])"
)


def _reference_sentences(text: str) -> list[tuple[str, int, int, int]]:
    """split_sentences as first written: both end patterns over every paragraph."""
    out: list[tuple[str, int, int, int]] = []
    offset = 0
    for p_index, para in enumerate(text.split("\n")):
        bounds = {m.end() for m in text_module._JA_END.finditer(para)}
        for match in _PARAGRAPH_LATIN_END.finditer(para):
            if match.group(0)[0] == "." and text_module._is_abbreviation(
                para[max(0, match.start() - 12) : match.start()]
            ):
                continue
            bounds.add(match.end())
        prev = 0
        for cut in [*sorted(bounds), len(para)]:
            raw = para[prev:cut]
            stripped = raw.strip()
            if stripped:
                start = prev + (len(raw) - len(raw.lstrip()))
                for chunk, rel in text_module._cut_long(stripped, start):
                    out.append((chunk, offset + rel, p_index, len(out)))
            prev = cut
        offset += len(para) + 1
    return out


def test_sentence_split_matches_the_plain_splitter() -> None:
    rng = random.Random(5)
    pieces = ["Inc. ", "U.S. ", "3.5", ". ", "! ", "? ", "?! ", ".\" ", ".) ", "A", "b", " ", "。",
              "」", "！", "？）", "決算", "\n", "vs. ", "x" * 900, "Mr. Smith. ",
              "e.g. (", ".", "\t", "\u2028", "\nA", "Inc\n. B", " \n", "\r"]  # fmt: skip
    mixed = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(800)]
    for text in [*TEXTS, *mixed]:
        got = [(s.text, s.start, s.paragraph, s.index) for s in text_module.split_sentences(text)]
        assert got == _reference_sentences(text), text[:80]


def test_squeeze_is_split_and_join() -> None:
    rng = random.Random(3)
    odd = [chr(c) for c in range(0x3100) if chr(c).isspace() or not chr(c).isprintable()]
    pieces = [" ", "  ", "a", "株", "\u00ad", "\u200e", *odd]
    mixed = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for line in [*TEXTS, *mixed, *odd]:
        assert text_module.squeeze(line) == " ".join(line.split()), repr(line)


def _html_inputs() -> list[str]:
    from market_news.extract.reader import decode_bytes

    from bench.corpus import html_pages

    pages = [decode_bytes(p.read_bytes(), html=True) for p in sorted(FIXTURES.glob("*.html"))]
    pages += [decode_bytes(page.html, html=True) for page in html_pages(40)]
    return [
        *pages,
        "<p>a<!-- c -->b<?pi x?>c</p><div>d<br>e<span> f\n g </span></div>tail",
        "<html><body><article>x<p>y</p>z<p></p><table><tr><td>1</td></tr></table></article>",
        "<form><input value=1><select><option>o</option></select><label>L</label></form><p>t",
    ]


def _reference_text_of(node: object) -> str:
    """_text_of as first written: markers set on the tree, then itertext."""
    for element in node.iter(*page_module._BLOCKS):  # type: ignore[attr-defined]
        element.text = page_module._BREAK + (element.text or "")
        if element is not node:
            element.tail = page_module._BREAK + (element.tail or "")
    text = " ".join("".join(node.itertext()).split())  # type: ignore[attr-defined]
    lines = (line.strip() for line in text.split(page_module._BREAK))
    return "\n".join(line for line in lines if line)


def test_page_text_walk_matches_marked_itertext() -> None:
    for markup in _html_inputs():
        root = page_module._parse(markup)
        if root is None:
            continue
        for node in [root, *root.iter("p", "div", "article", "span", "td")][:30]:
            fresh = page_module._parse(markup)
            assert fresh is not None
            (twin,) = fresh.getroottree().xpath(root.getroottree().getpath(node))
            assert page_module._text_of(node) == _reference_text_of(twin), markup[:80]


def test_pages_read_the_same_with_lxml_html_element_classes() -> None:
    """The C-level element class lookup changes no page's reading."""
    from lxml import html as lxml_html  # type: ignore[import-untyped]

    ours = page_module._parser()
    stock = lxml_html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    for markup in _html_inputs():
        fast = page_module.parse_page(markup)
        page_module._LOCAL.parser = stock
        try:
            plain = page_module.parse_page(markup)
        finally:
            page_module._LOCAL.parser = ours
        assert fast == plain


def _reference_drop_chrome(root: Any) -> set[Any]:
    """_drop_chrome's first two steps as first written: a Python walk over every element."""
    for tag in list(page_module._elements(root, *page_module._DROP_TAGS)):
        page_module._remove(tag)
    holders = page_module._article_holders(root)
    stack = [root]
    while stack:
        node = stack.pop()
        for child in list(node):
            if not isinstance(child.tag, str):
                continue
            if page_module._is_chrome(child, holders):
                page_module._remove(child)
            else:
                stack.append(child)
    return holders


def test_chrome_removal_leaves_the_same_tree() -> None:
    from lxml import etree

    nested = (
        "<html><body><div class='sidebar'>a<div id='nav'>b</div>c<aside>d</aside>e</div>f"
        "<script>x</script>g<p role='navigation'>h<span class='share'>i</span>j</p>k"
        "<div class='with-sidebar'><article><p class='promo'>l</p>m</article></div>"
        "<main class='menu'>n</main><nav>o<footer>p</footer></nav>q</body></html>"
    )
    for markup in [*_html_inputs(), nested]:
        fast, plain = page_module._parse(markup), page_module._parse(markup)
        if fast is None:
            continue
        page_module._drop_chrome(fast)
        page_module._drop_headed_boxes(plain, _reference_drop_chrome(plain))
        assert etree.tostring(fast, encoding="unicode") == etree.tostring(plain, encoding="unicode")


def _reference_normalise(text: str) -> str:
    """normalise as first written: NFKC, replacements, a control pass, split and join."""
    text = unicodedata.normalize("NFKC", text[: text_module.MAX_TEXT_CHARS])
    for old, new in text_module._REPLACEMENTS:
        text = text.replace(old, new)
    text = text_module._CONTROL.sub(" ", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    joined: list[str] = []
    for line in [line for line in lines if line]:
        if (
            joined
            and not text_module._TERMINAL.search(joined[-1])
            and (text_module._CONTINUES.match(line))
        ):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return "\n".join(joined)


def test_normalise_matches_the_plain_version() -> None:
    rng = random.Random(9)
    pieces = ["a", "B", "1", ".", "! ", ")", "」", "’", " ", "  ", "\n", "\t", "\r", "\x00", "\x07",
              "\x0b", "\x0c", "\x1c", "\x7f", "\x85", "\u2028", "\u00a0", "\u3000", "\u200b",
              "\ufeff", "\u2014", "\u2212", "\u301c", "Ｑ３", "ｶ", "\u2474", "$",
              "(", "株"]  # fmt: skip
    mixed = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in [*TEXTS, *mixed]:
        assert normalise(text) == _reference_normalise(text), repr(text)


def _reference_anchor_spans(
    haystack: str, anchors: tuple[str, ...], before: int, after: int
) -> list[tuple[int, int]]:
    """anchor_spans as first written: str.find per anchor, windows clamped first."""
    spans: list[tuple[int, int]] = []
    for anchor in anchors:
        at = haystack.find(anchor)
        while at >= 0:
            spans.append((max(0, at - before), min(len(haystack), at + len(anchor) + after)))
            at = haystack.find(anchor, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def test_anchor_windows_match_the_find_loop() -> None:
    from market_news.extract import periods

    anchor_sets = [tickers._SUFFIX_ANCHORS, ("aa", "a", "aaa"), ("",), ("Co", "Corp", "C"),
                   ("四半期", "月期", "q"), ("(", ".", "*")]  # fmt: skip
    anchor_sets += [anchors for _, _, anchors in periods._PATTERNS]
    rng = random.Random(13)
    mixed = ["".join(rng.choice("aaCorpq.(四半期月 ") for _ in range(rng.randint(0, 30)))
             for _ in range(400)]  # fmt: skip
    for text in [*TEXTS[::5], *mixed]:
        for anchors in anchor_sets:
            for before, after in ((0, 0), (3, 1), (48, 40), (170, 24)):
                got = text_module.anchor_spans(text, anchors, before, after)
                assert got == _reference_anchor_spans(text, anchors, before, after), text[:60]
