"""Shared by the rule tests: an article's AI claims as comparable tuples."""

from __future__ import annotations

from market_news.extract.ai_claims import find_claims
from market_news.extract.text import normalise, split_sentences


def claim_rows(text: str) -> list[tuple[object, ...]]:
    """(kind, value, unit, qualifier, subject) of each claim the rules find in `text`."""
    body = normalise(text)
    return [
        (c.kind, c.value, c.unit, c.qualifier, c.subject)
        for c in find_claims(split_sentences(body), body)
    ]
