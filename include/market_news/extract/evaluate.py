"""Measure the extraction rules on the labelled fixtures (`make eval`).

Every `NAME.txt`/`NAME.html` in `tests/fixtures/articles/` (and the seed articles in
`../shared/seeds/` when that folder exists) has a gold `NAME.expected.json`. Items are
compared on their key fields as sets, so the figures are strict: an item with the right
numbers but the wrong ticker or period counts as both a false positive and a miss.
Run: `.venv/bin/python -m market_news.extract.evaluate [-v]`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from market_news.extract.core import PARSER_VERSION, extract_file

PROJECT_ROOT = Path(__file__).resolve().parents[3]
FIXTURES_DIR = PROJECT_ROOT / "tests" / "fixtures" / "articles"
SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"

EARNINGS_KEYS = (
    "ticker", "period", "fiscal_year", "metric", "basis", "actual", "estimate", "currency",
    "surprise_pct", "verdict",
)  # fmt: skip
CLAIM_KEYS = ("kind", "value", "unit", "qualifier", "subject")
_ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


def _number(value: Any) -> Any:
    """Numbers compared to 6 decimals: floats from different arithmetic must still match."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(value, 6) if isinstance(value, float) else value


def earnings_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """The fields an earnings item is judged on (evidence is free text, not judged)."""
    return tuple(_number(item.get(key)) for key in EARNINGS_KEYS)


def claim_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_number(claim.get(key)) for key in CLAIM_KEYS)


def _loose_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item.get("metric"), _number(item.get("actual")), _number(item.get("estimate")))


def fixture_pairs(*folders: Path) -> list[tuple[Path, Path]]:
    """(article, gold) pairs of every folder, sorted by name."""
    pairs: list[tuple[Path, Path]] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for article in sorted(folder.iterdir()):
            if article.suffix.lower() not in _ARTICLE_SUFFIXES:
                continue
            gold = article.with_suffix(".expected.json")
            if gold.is_file():
                pairs.append((article, gold))
    return pairs


@dataclass
class Score:
    """True positives, false positives and misses of one kind of item."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, got: Iterable[tuple[Any, ...]], want: Iterable[tuple[Any, ...]]) -> None:
        got_set, want_set = set(got), set(want)
        self.tp += len(got_set & want_set)
        self.fp += len(got_set - want_set)
        self.fn += len(want_set - got_set)

    def line(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return (
            f"{name:<16} precision {precision:6.1%}  recall {recall:6.1%}  F1 {f1:6.1%}"
            f"   (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass
class Report:
    """Everything `main` prints."""

    earnings: Score = field(default_factory=Score)
    claims: Score = field(default_factory=Score)
    articles: int = 0
    tickers_right: int = 0
    periods_checked: int = 0
    periods_right: int = 0
    negatives: int = 0
    negatives_with_items: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def evaluate(pairs: Sequence[tuple[Path, Path]]) -> Report:
    report = Report()
    for article, gold_path in pairs:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        got = extract_file(article).to_dict()
        report.articles += 1
        got_e = [earnings_key(i) for i in got["earnings"]]
        want_e = [earnings_key(i) for i in gold.get("earnings", [])]
        got_c = [claim_key(c) for c in got["ai_claims"]]
        want_c = [claim_key(c) for c in gold.get("ai_claims", [])]
        report.earnings.add(got_e, want_e)
        report.claims.add(got_c, want_c)
        tickers_ok = got["tickers"] == gold.get("tickers", [])
        report.tickers_right += tickers_ok
        by_loose = {_loose_key(i): i for i in got["earnings"]}
        for want in gold.get("earnings", []):
            match = by_loose.get(_loose_key(want))
            if match is not None:
                report.periods_checked += 1
                report.periods_right += (match["period"], match["fiscal_year"]) == (
                    want["period"],
                    want["fiscal_year"],
                )
        if not gold.get("earnings") and not gold.get("ai_claims"):
            report.negatives += 1
            if got["earnings"] or got["ai_claims"]:
                report.negatives_with_items.append(article.name)
        if set(got_e) != set(want_e) or set(got_c) != set(want_c) or not tickers_ok:
            report.failures.append(_describe(article, got, gold))
    return report


def _describe(article: Path, got: dict[str, Any], gold: dict[str, Any]) -> str:
    lines = [f"  {article.name}"]
    if got["tickers"] != gold.get("tickers", []):
        lines.append(f"    tickers: got {got['tickers']} want {gold.get('tickers', [])}")
    for name, key, keys in (
        ("earnings", earnings_key, EARNINGS_KEYS),
        ("ai_claims", claim_key, CLAIM_KEYS),
    ):
        got_set = {key(i) for i in got[name]}
        want_set = {key(i) for i in gold.get(name, [])}
        for extra in sorted(got_set - want_set, key=repr):
            lines.append(f"    + {name}: {dict(zip(keys, extra, strict=True))}")
        for missing in sorted(want_set - got_set, key=repr):
            lines.append(f"    - {name}: {dict(zip(keys, missing, strict=True))}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print precision/recall/F1 and accuracies; exit 0 (a measurement, not a gate)."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    pairs = fixture_pairs(FIXTURES_DIR, SEEDS_DIR)
    if not pairs:
        print(f"no fixtures found under {FIXTURES_DIR}")
        return 1
    report = evaluate(pairs)
    print(f"market-news extraction, parser {PARSER_VERSION}: {report.articles} articles")
    print(report.earnings.line("earnings items"))
    print(report.claims.line("AI claims"))
    print(f"{'tickers':<16} exact list right in {report.tickers_right}/{report.articles} articles")
    print(
        f"{'periods':<16} period+fiscal year right for {report.periods_right}/"
        f"{report.periods_checked} found items"
    )
    print(
        f"{'negatives':<16} {len(report.negatives_with_items)}/{report.negatives} "
        f"nothing-to-find articles produced items"
        + (f": {', '.join(report.negatives_with_items)}" if report.negatives_with_items else "")
    )
    if verbose and report.failures:
        print("differences (+ extra, - missing):")
        print("\n".join(report.failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
