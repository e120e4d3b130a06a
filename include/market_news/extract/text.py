"""Text normalisation and sentence splitting, shared by every extraction rule.

Rules look at one sentence at a time, so a bad split means a wrong pairing: the
splitter knows the abbreviations news copy uses ("Inc.", "Adj.", "vs.") and keeps
decimals together. Every sentence is bounded in length so that no rule ever runs
over an unbounded string, whatever the input.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

#: Longest text we look at; beyond it an article is not an article.
MAX_TEXT_CHARS = 400_000
#: Longest sentence a rule sees; longer runs are cut at whitespace.
MAX_SENTENCE_CHARS = 800
#: Longest evidence string kept on an item.
MAX_EVIDENCE_CHARS = 400

_ABBREVIATIONS = frozenset(
    {
        "inc", "corp", "co", "ltd", "adj", "vs", "est", "mr", "mrs", "ms", "dr", "st",
        "u.s", "u.k", "no", "jr", "sr", "approx", "e.g", "i.e", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "plc", "n.v",
        "bros", "ave", "dept", "fig", "gov", "sen", "rep", "s.a", "a.g", "mt", "cf",
        "cons",
    }
)  # fmt: skip

_REPLACEMENTS = tuple(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash
        "\u2014": " - ",  # em dash
        "\u00a0": " ",
        "\u3000": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u301c": "~",  # wave dash, used for ranges in Japanese
    }.items()
)

_SPACES = re.compile(r"[ \t\f\v\r]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TERMINAL = re.compile(r"[.!?:;。！？」』\"”’)]\s*$")
_CONTINUES = re.compile(r"[a-z0-9$€£¥(]")
# A sentence ends at Japanese full stops always, at Latin ones when a new sentence
# plausibly starts (capital, digit, quote, non-Latin script) after whitespace.
_JA_END = re.compile(r"[。！？][」』）)]?")
# The whitespace after a Latin end stays on its line: the text is searched whole and a
# sentence never runs on into the next paragraph.
_LATIN_END = re.compile(
    r"[.!?][\"'”’)\]]{0,3}(?=[^\S\n]{1,20}[\"'“‘(\[]?[A-Z0-9\u3040-\u30ff\u4e00-\u9fff])"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]{0,10})$")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), unify dashes and spaces."""
    text = text[:MAX_TEXT_CHARS]
    if not text.isascii():  # ASCII is its own NFKC form and holds no character replaced
        text = unicodedata.normalize("NFKC", text)
        for old, new in _REPLACEMENTS:  # str.replace per character beats str.translate
            if old in text:
                text = text.replace(old, new)
    lines = [_clean_line(line) for line in text.split("\n")]
    return "\n".join(_unwrap([line for line in lines if line]))


def _clean_line(line: str) -> str:
    """Controls made spaces, then `squeeze`d; a printable line has no control to replace
    (a regex pass per line costs more than the whole rest of the cleaning)."""
    if line.isprintable():
        return squeeze(line)
    return " ".join(_CONTROL.sub(" ", line).split())


def squeeze(line: str) -> str:
    """`" ".join(line.split())`: runs of whitespace made one space, ends trimmed.

    Most lines are already so (a page's text arrives squeezed), and telling costs two C
    scans instead of a string object per word: a printable string holds no whitespace
    but the plain space (every other whitespace character is a control or a separator).
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def _unwrap(lines: list[str]) -> list[str]:
    """Rejoin hard-wrapped prose: a line that stops mid-sentence, followed by one that
    starts in lower case (or with a figure), is the same paragraph."""
    joined: list[str] = []
    for line in lines:
        if joined and not _ends_sentence(joined[-1]) and _CONTINUES.match(line):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _ends_sentence(line: str) -> bool:
    """`_TERMINAL.search(line)`, tried only at the last visible character: any other
    terminal character has text after it (a search from the start reads the whole line)."""
    return _TERMINAL.search(line, max(0, len(line.rstrip()) - 1)) is not None


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence with its place in the article (offsets into the normalised text)."""

    text: str
    start: int
    paragraph: int
    index: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _is_abbreviation(chunk: str) -> bool:
    match = _WORD_BEFORE.search(chunk)
    if match is None:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _cut_long(text: str, start: int) -> list[tuple[str, int]]:
    """Cut an over-long run at whitespace so no rule sees more than the bound."""
    pieces: list[tuple[str, int]] = []
    pos = 0
    while len(text) - pos > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", pos, pos + MAX_SENTENCE_CHARS)
        if cut <= pos:
            cut = pos + MAX_SENTENCE_CHARS
        pieces.append((text[pos:cut], start + pos))
        pos = cut
    pieces.append((text[pos:], start + pos))
    return pieces


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a normalised text, each tagged with its paragraph (line) number.

    The ends are found over the whole text at once, then dealt out to the paragraphs:
    every Latin end starts at a stop character, so only those are tried (a class-led
    pattern gets no fast skip), and the Japanese pattern runs only if a 。！？ is there.
    """
    stops = char_positions(text, ".") + char_positions(text, "!") + char_positions(text, "?")
    stops.sort()
    latin = [match.span() for match in matches_at(_LATIN_END, text, stops)]
    japanese = (
        [match.end() for match in _JA_END.finditer(text)]
        if "\u3002" in text or "\uff01" in text or "\uff1f" in text
        else []
    )
    sentences: list[Sentence] = []
    next_latin = next_japanese = 0
    offset = 0
    for p_index, para in enumerate(text.split("\n")):
        end = offset + len(para)
        bounds: list[int] = []
        while next_japanese < len(japanese) and japanese[next_japanese] <= end:
            bounds.append(japanese[next_japanese] - offset)
            next_japanese += 1
        mixed = bool(bounds)
        while next_latin < len(latin) and latin[next_latin][0] < end:
            start, stop = latin[next_latin]
            next_latin += 1
            # The word before, read within the paragraph: "Inc." ends no sentence.
            if text[start] == "." and _is_abbreviation(text[max(offset, start - 12) : start]):
                continue
            bounds.append(stop - offset)
        if mixed:
            bounds = sorted(set(bounds))
        bounds.append(len(para))
        prev = 0
        for cut in bounds:
            raw = para[prev:cut]
            stripped = raw.strip()
            if stripped:
                at = offset + prev + len(raw) - len(raw.lstrip())
                if len(stripped) > MAX_SENTENCE_CHARS:
                    for chunk, chunk_at in _cut_long(stripped, at):
                        sentences.append(Sentence(chunk, chunk_at, p_index, len(sentences)))
                else:
                    sentences.append(Sentence(stripped, at, p_index, len(sentences)))
            prev = cut
        offset = end + 1
    return sentences


def evidence(sentence: str) -> str:
    """The sentence as evidence: trimmed, bounded, on one line."""
    text = " ".join(sentence.split())
    if len(text) > MAX_EVIDENCE_CHARS:
        text = text[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
    return text


@functools.lru_cache(maxsize=256)
def _literal(word: str) -> re.Pattern[str]:
    return re.compile(re.escape(word))


def anchor_spans(
    haystack: str, anchors: tuple[str, ...], before: int, after: int
) -> list[tuple[int, int]]:
    """Merged windows around every occurrence of the anchor words in `haystack`."""
    spans: list[tuple[int, int]] = []
    for anchor in anchors:
        # One character is looked for at memchr speed, a short word much slower (the
        # regex engine's literal search beats str.find's on two- to seven-letter words).
        # A Japanese anchor in English copy (or the reverse) lacks its first character.
        if anchor[:1] not in haystack:
            continue
        search = _literal(anchor).search
        width = len(anchor) + after
        found = search(haystack)
        while found is not None:
            at = found.start()
            spans.append((at - before, at + width))
            found = search(haystack, at + 1) if at < len(haystack) else None
    spans.sort()
    # Windows are clamped to the text once merged: clamping first merges the same ones.
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    end = len(haystack)
    return [(max(0, lo), min(end, hi)) for lo, hi in merged]


def finditer_in(
    pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of `pattern` inside the windows, in text order.

    Rules search only near the words their matches must contain: a regex pass over a
    whole long article costs far more than a substring search. Searching with
    `pos`/`endpos` lets look-behinds and word boundaries see the real neighbours.
    """
    last_end = -1
    for lo, hi in spans:
        for match in pattern.finditer(text, max(lo, last_end, 0), hi):
            last_end = match.end()
            yield match


def char_positions(text: str, char: str) -> list[int]:
    """Every index of `char` in `text` (str.find runs at memchr speed)."""
    found: list[int] = []
    at = text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that can only match at one of `starts`
    (ascending), matched there alone.

    A pattern led by a character class or an alternation gets no fast literal skip from
    the regex engine and costs a step per character; an article has a handful of
    brackets, so trying just those is several times cheaper, with the same matches
    (non-overlapping, leftmost first; look-arounds see the whole text either way).
    """
    last_end = 0
    for at in starts:
        if at < last_end:
            continue  # inside the previous match, as finditer would skip it
        match = pattern.match(text, at)
        if match is not None:
            last_end = match.end()
            yield match
