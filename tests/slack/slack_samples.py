"""Sample alert payloads, shaped as the store keeps them (plain JSON-able dicts)."""

from __future__ import annotations

from typing import Any

EARNINGS: dict[str, Any] = {
    "event_key": "earnings:META:Q3:2024",
    "ticker": "META",
    "company": "Meta Platforms",
    "period": "Q3",
    "fiscal_year": 2024,
    "metrics": [
        {
            "metric": "eps",
            "basis": "adjusted",
            "actual": 6.03,
            "estimate": 5.25,
            "currency": "USD",
            "surprise_pct": 14.86,
            "verdict": "beat",
            "evidence": "Meta earned $6.03 per share, above the $5.25 analysts expected.",
        },
        {
            "metric": "revenue",
            "basis": None,
            "actual": 40590000000,
            "estimate": 40290000000,
            "currency": "USD",
            "surprise_pct": 0.74,
            "verdict": "beat",
            "evidence": "Revenue came in at $40.59 billion versus $40.29 billion expected.",
        },
    ],
    "article_url": "https://news.example.com/meta-q3?utm=x&id=7",
    "article_title": "Meta tops estimates",
    "published": "2024-10-30T20:05:00+00:00",
    "language": "en",
}

AI_CLAIMS: dict[str, Any] = {
    "event_key": "ai:https://news.example.com/llama4",
    "tickers": ["META", "NVDA"],
    "claims": [
        {
            "kind": "gpu_count",
            "value": 100000,
            "unit": "H100",
            "qualifier": "more than",
            "subject": "Llama 4",
            "evidence": "Llama 4 is trained on more than 100,000 H100 chips.",
        },
        {
            "kind": "compute_multiple",
            "value": 10,
            "unit": "x",
            "qualifier": "about",
            "subject": "Llama 4",
            "evidence": "It needs about 10 times more compute.",
        },
        {
            "kind": "capex",
            "value": 40000000000,
            "unit": "USD",
            "qualifier": "up to",
            "subject": None,
            "evidence": "Capex will be $37 billion to $40 billion.",
        },
        {
            "kind": "datacenter_power",
            "value": 1000,
            "unit": "MW",
            "qualifier": None,
            "subject": None,
            "evidence": "The site draws 1 gigawatt.",
        },
        {
            "kind": "model_parameters",
            "value": 405000000000,
            "unit": "parameters",
            "qualifier": None,
            "subject": "Llama 3.1",
            "evidence": "Llama 3.1 has 405 billion parameters.",
        },
    ],
    "article_url": "https://news.example.com/llama4",
    "article_title": "Meta's AI build-out",
    "published": "2024-10-31T13:00:00+00:00",
    "language": "en",
}

CORRECTION: dict[str, Any] = {
    "event_key": "earnings:META:Q3:2024",
    "ticker": "META",
    "period": "Q3",
    "fiscal_year": 2024,
    "changes": [
        {"metric": "eps", "field": "actual", "old": 6.03, "new": 6.1, "currency": "USD"},
        {"metric": "eps", "field": "verdict", "old": "inline", "new": "beat"},
    ],
    "article_url": "https://news.example.com/meta-q3-correction",
}
