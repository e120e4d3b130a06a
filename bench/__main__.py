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


def _run_all(chosen: list[str], options: Options) -> list[Section]:
    """Each benchmark in turn, except that the memory workers (two busy subprocesses whose
    figure is a peak RSS, not a speed) run while Slack delivery, which mostly sleeps at
    its pace, is measured: about 100 s that the full run would otherwise spend twice."""
    overlap = "memory" in chosen and "delivery" in chosen
    done: dict[str, Section] = {}
    running: memory.Running | None = None
    memory_began = 0.0
    for name in chosen:
        if overlap and name == "memory":
            continue
        if overlap and name == "delivery":
            memory_began = time.perf_counter()
            running = memory.start(options)
        start = time.perf_counter()
        try:
            section = BENCHMARKS[name](options)
        except BaseException:
            if running is not None:
                memory.finish(running)
            raise
        section.seconds = time.perf_counter() - start
        progress(f"{name}: done in {section.seconds:.1f} s")
        done[name] = section
        if running is not None:
            section = memory.finish(running)
            running = None
            section.seconds = time.perf_counter() - memory_began
            section.notes.append(
                "Ran while the Slack delivery benchmark was measured (it mostly waits on "
                "its pace); the workers' own speed is shown but is not a benchmark figure."
            )
            progress(f"memory: done in {section.seconds:.1f} s (alongside delivery)")
            done["memory"] = section
    return [done[name] for name in chosen]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    quiet_logging()
    databases = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    options = Options(quick=args.quick, databases=databases)
    began = time.perf_counter()
    sections = _run_all(args.chosen, options)
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
