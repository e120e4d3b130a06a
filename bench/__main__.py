"""`python -m bench`: run the benchmarks, print the table, end with one JSON line.

    python -m bench                       # everything, full sizes (a few minutes)
    python -m bench --quick               # small sizes, for development (well under a minute)
    python -m bench --quick --only extract,poll
    python -m bench --db sqlite           # dedupe on SQLite only (default: also PostgreSQL)

Standard output is the table, its notes, and last the JSON object; progress goes to
standard error. Keys of benchmarks that did not run are null.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable

from bench import dedupe, delivery, extraction, latency, memory, polling
from bench.common import Options, Section, print_table, progress, quiet_logging

BENCHMARKS: dict[str, Callable[[Options], Section]] = {
    "extract": extraction.run,
    "poll": polling.run,
    "dedupe": dedupe.run,
    "latency": latency.run,
    "memory": memory.run,
    "delivery": delivery.section,
}
#: Always in the JSON line (null when the benchmark that measures it did not run).
REQUIRED_KEYS = (
    "extract_html_per_s",
    "extract_vs_naive",
    "poll_100_unchanged_s",
    "poll_vs_naive",
    "dedupe_lookup_ms_1m",
    "alert_latency_p95_s",
    "worker_rss_mb",
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="databases for the dedupe benchmark (PostgreSQL at 127.0.0.1:5432; "
        "skipped with a note when unreachable)",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    args.chosen = chosen
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    quiet_logging()
    databases = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    options = Options(quick=args.quick, databases=databases)
    sections: list[Section] = []
    began = time.perf_counter()
    for name in args.chosen:
        start = time.perf_counter()
        section = BENCHMARKS[name](options)
        section.seconds = time.perf_counter() - start
        progress(f"{name}: done in {section.seconds:.1f} s")
        sections.append(section)
    total = time.perf_counter() - began

    print(
        f"market-news benchmarks ({'quick' if args.quick else 'full'}) on "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print()
    print_table(sections)
    print(f"- total {total:.0f} s")
    metrics: dict[str, object] = dict.fromkeys(REQUIRED_KEYS)
    for section in sections:
        metrics.update(section.metrics)
    metrics.update({"quick": args.quick, "benchmarks": args.chosen, "total_s": round(total, 1)})
    sys.stdout.flush()
    print(json.dumps(metrics, allow_nan=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
