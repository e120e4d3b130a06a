"""Language of an article from its own characters: Japanese vs English.

Feeds carry a language hint, but syndicated copies and translations often sit in a
feed of another language, so the text decides; the hint only breaks a tie.
"""

from __future__ import annotations

import math
import re
from itertools import islice

_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_EN_WORDS = frozenset(
    {"the", "and", "of", "to", "in", "is", "for", "that", "with", "on", "was", "said"}
)
#: A Japanese character carries about as much text as three Latin letters.
_JA_WEIGHT = 3
_SAMPLE = 4_000
#: Share of function words from which Latin text reads as English.
_EN_SHARE = 0.05

# The counts below work on the UTF-8 bytes: every ASCII letter is one byte there and no
# byte of a longer character is ASCII, so bytes.translate/count (C loops) give the same
# numbers as a regex pass that builds a string per word, at a fraction of the cost.
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Letters become b"a", everything else b" ": words are then the runs of b"a".
_MARK_LETTERS = bytes(0x61 if byte in _LETTERS else 0x20 for byte in range(256))
#: Letters lower-cased, everything else b" ".
_LOWER_LETTERS = bytes(
    byte | 0x20 if byte in _LETTERS else 0x20 for byte in range(256)
)  # fmt: skip
#: A function word as a whole word of the `_LOWER_LETTERS` bytes (the look-ahead leaves
#: the space after it to start the next match).
_EN_NEEDLE = re.compile(
    rb" (?:" + b"|".join(word.encode() for word in sorted(_EN_WORDS)) + rb")(?= )"
)  # fmt: skip
#: Bytes that lead the UTF-8 of U+3000-U+9FFF: without them the text has no CJK at all.
_CJK_LEADS = bytes(range(0xE3, 0xEA))


def _cjk_count(sample: str, data: bytes) -> int:
    """`len(_CJK.findall(sample))`; most articles have no lead byte, hence no regex pass."""
    if len(data) == len(sample) or len(data.translate(None, _CJK_LEADS)) == len(data):
        return 0
    return len(_CJK.findall(sample))


def _english(data: bytes, words: int) -> bool:
    """True when at least 5% of the `words` [A-Za-z]+ words are function words (any case).

    Counting stops at the number needed, which English copy reaches early in the sample.
    """
    if not words:
        return False
    need = max(1, math.ceil(words * _EN_SHARE))
    while need / words < _EN_SHARE:  # the float test the ratio is read with, exactly
        need += 1
    while need > 1 and (need - 1) / words >= _EN_SHARE:
        need -= 1
    spaced = b" " + data.translate(_LOWER_LETTERS) + b" "
    return sum(1 for _ in islice(_EN_NEEDLE.finditer(spaced), need)) >= need


def detect_language(text: str, hint: str | None = None) -> str:
    """'ja' or 'en' (or the hint) from script proportions of the opening text.

    Japanese is recognised by kana (kanji alone could be Chinese); Latin text counts as
    English when common English function words are frequent, else the hint decides.
    """
    sample = text[:_SAMPLE]
    data = sample.encode("utf-8", "surrogatepass")
    cjk = _cjk_count(sample, data)
    letters = data.translate(_MARK_LETTERS)
    latin = letters.count(b"a")
    hint_norm = (hint or "").strip().lower()[:8] or None
    if cjk == 0 and latin == 0:
        return hint_norm or "en"
    has_kana = cjk > 0 and _KANA.search(sample) is not None  # kana are CJK here
    ja_weight = cjk * _JA_WEIGHT
    if has_kana and ja_weight > latin * 1.5:
        return "ja"
    if ja_weight * 1.5 < latin:
        if _english(data, (b" " + letters).count(b" a")):
            return "en"
        return hint_norm if hint_norm and hint_norm != "ja" else "en"
    # Mixed text: the hint decides, else the first paragraph's script.
    if hint_norm:
        return hint_norm
    first = sample.split("\n", 1)[0]
    if has_kana and len(_CJK.findall(first)) * _JA_WEIGHT > len(_LATIN.findall(first)):
        return "ja"
    return "en"
