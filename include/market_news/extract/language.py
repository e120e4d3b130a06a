"""Language of an article from its own characters: Japanese vs English.

Feeds carry a language hint, but syndicated copies and translations often sit in a
feed of another language, so the text decides; the hint only breaks a tie.
"""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_EN_WORDS = frozenset(
    {"the", "and", "of", "to", "in", "is", "for", "that", "with", "on", "was", "said"}
)
_WORDS = re.compile(r"[A-Za-z]+")
#: A Japanese character carries about as much text as three Latin letters.
_JA_WEIGHT = 3
_SAMPLE = 4_000


def detect_language(text: str, hint: str | None = None) -> str:
    """'ja' or 'en' (or the hint) from script proportions of the opening text.

    Japanese is recognised by kana (kanji alone could be Chinese); Latin text counts as
    English when common English function words are frequent, else the hint decides.
    """
    sample = text[:_SAMPLE]
    cjk = 0 if sample.isascii() else len(_CJK.findall(sample))
    words = _WORDS.findall(sample)
    latin = sum(map(len, words))
    hint_norm = (hint or "").strip().lower()[:8] or None
    if cjk == 0 and latin == 0:
        return hint_norm or "en"
    has_kana = cjk > 0 and _KANA.search(sample) is not None  # kana are CJK here
    ja_weight = cjk * _JA_WEIGHT
    if has_kana and ja_weight > latin * 1.5:
        return "ja"
    if ja_weight * 1.5 < latin:
        english = len([word for word in map(str.lower, words) if word in _EN_WORDS])
        if words and english / len(words) >= 0.05:
            return "en"
        return hint_norm if hint_norm and hint_norm != "ja" else "en"
    # Mixed text: the hint decides, else the first paragraph's script.
    if hint_norm:
        return hint_norm
    first = sample.split("\n", 1)[0]
    if has_kana and len(_CJK.findall(first)) * _JA_WEIGHT > len(_LATIN.findall(first)):
        return "ja"
    return "en"
