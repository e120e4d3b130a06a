"""What every benchmark shares: paths, timers, the result shape and the table printer.

A benchmark module exposes `run(options) -> Section`. A `Section` carries the rows of the
printed table (measured figure, naive baseline, ratio), free-text notes saying how the
figure was obtained, and `metrics`, the numbers that go into the final JSON line.
"""

from __future__ import annotations

import logging
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Cached data sets (the 1M-article SQLite store) and scratch files; git-ignored.
BENCH_DIR = PROJECT_ROOT / ".bench"


def ensure_project_on_path() -> None:
    """`tests.support.slack_standin` is imported from the project root."""
    root = str(PROJECT_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


def quiet_logging() -> None:
    """The pipeline logs every article at INFO; the table is the output here."""
    logging.getLogger("market_news").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Options:
    quick: bool = False
    databases: tuple[str, ...] = ("sqlite",)
    verbose: bool = False


@dataclass
class Row:
    label: str
    value: str
    baseline: str = ""
    ratio: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, label: str, value: str, baseline: str = "", ratio: str = "") -> None:
        self.rows.append(Row(label, value, baseline, ratio))


def progress(message: str) -> None:
    """Progress goes to standard error so standard output stays table + JSON."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call, on the monotonic high-resolution clock."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: every reported value was observed)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def fmt(value: float, digits: int = 3) -> str:
    """A number with `digits` significant figures, plain notation for table cells."""
    if math.isnan(value):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def ratio(slow: float, fast: float) -> float:
    """How many times faster `fast` is than `slow` (both durations, or both costs)."""
    return slow / fast if fast > 0 else float("inf")


def rounded(value: float, places: int = 4) -> float:
    return value if math.isnan(value) else round(value, places)


def print_table(sections: Iterable[Section], out: Any = None) -> None:
    """One fixed-width table for all sections, then each section's notes."""
    out = out or sys.stdout
    sections = list(sections)
    headers = ("figure", "measured", "naive baseline", "ratio")
    rows = [(r.label, r.value, r.baseline, r.ratio) for s in sections for r in s.rows]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    rule = "-+-".join("-" * w for w in widths)

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return " | ".join([first, *rest])

    print(line(headers), file=out)
    for section in sections:
        print(rule, file=out)
        title = f"{section.title}  ({section.seconds:.0f} s)"
        print(title, file=out)
        for row in section.rows:
            print(line((row.label, row.value, row.baseline, row.ratio)), file=out)
    print(rule, file=out)
    print(file=out)
    print("Notes", file=out)
    for section in sections:
        for note in section.notes:
            print(f"- [{section.title}] {note}", file=out)
