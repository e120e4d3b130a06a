"""Peak RSS of a worker processing N articles through extract + store.

Each worker is its own subprocess (`bench.memory_worker`) with a fresh SQLite store, and
reports its own peak: VmHWM from /proc/self/status (the high-water mark of its own
address space), else `resource.getrusage(RUSAGE_SELF).ru_maxrss`. ru_maxrss is not the
first choice because Linux carries it across exec: a child started by fork+exec from a
120 MB parent reports at least 120 MB whatever it does itself. The measured worker
streams (one article at a time, as `process_pending` does); the naive one reads all
pages, extracts all, then stores all. The two workers run side by side, one per core:
peak RSS does not depend on speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import PROJECT_ROOT, Options, Section, fmt, progress, ratio, rounded

TARGET_MB = 300.0


def _start(mode: str, articles: int, folder: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "bench.memory_worker",
        "--mode",
        mode,
        "--articles",
        str(articles),
        "--db",
        f"sqlite:///{folder / f'{mode}.db'}",
    ]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"memory worker failed ({process.returncode}): {err.strip()[-2000:]}")
    return dict(json.loads(out.strip().splitlines()[-1]))


@dataclass
class Running:
    """Two worker processes under way (see `start`)."""

    articles: int
    folder: tempfile.TemporaryDirectory[str]
    stream: subprocess.Popen[str]
    batch: subprocess.Popen[str]


def start(options: Options) -> Running:
    """Start both workers and return at once: the harness may run a benchmark that
    mostly waits (Slack delivery at its pace) while they work; peak RSS does not
    depend on how fast they go."""
    articles = 1_000 if options.quick else 10_000
    progress(
        f"memory: two workers x {articles:,} articles (streaming and naive batch), in parallel"
    )
    folder = tempfile.TemporaryDirectory(prefix="bench-memory-")
    path = Path(folder.name)
    stream = _start("stream", articles, path)
    return Running(articles, folder, stream, _start("batch", articles, path))


def run(options: Options) -> Section:
    return finish(start(options))


def finish(running: Running) -> Section:
    """Wait for the workers started by `start`; their section."""
    articles = running.articles
    try:
        measured = _finish(running.stream)
        naive = _finish(running.batch)
    finally:
        for process in (running.stream, running.batch):
            if process.poll() is None:
                process.kill()
                process.wait()
        running.folder.cleanup()

    section = Section(f"5. Worker memory, {articles:,} articles")
    section.add(
        "Peak RSS (MB)",
        fmt(measured["peak_rss_mb"]),
        f"{fmt(naive['peak_rss_mb'])} (collect all)",
        f"{ratio(naive['peak_rss_mb'], measured['peak_rss_mb']):.1f}x",
    )
    section.add(
        "  RSS after imports + store open (MB)",
        fmt(measured["rss_before_mb"]),
        fmt(naive["rss_before_mb"]),
    )
    section.add(
        "  articles/s in the worker (2 workers on 2 cores)",
        fmt(measured["articles"] / measured["seconds"]),
        fmt(naive["articles"] / naive["seconds"]),
    )
    section.notes += [
        f"Each worker: {articles:,} distinct articles from the bundled sample pages and HTML "
        "fixtures as they are (0.5-7 KB) -> extract_html -> add_article (raw page kept, "
        "zlib) + record_earnings + record_ai_claims into a fresh SQLite store.",
        f"Peak = {measured['peak_source']} of the worker process itself (psutil is installed "
        "but has no peak figure on Linux; ru_maxrss, inherited across exec from this "
        f"process, says {fmt(measured['ru_maxrss_mb'])} / {fmt(naive['ru_maxrss_mb'])} MB).",
        f"Target < {TARGET_MB:g} MB: "
        + ("met." if measured["peak_rss_mb"] < TARGET_MB else "MISSED."),
    ]
    section.metrics = {
        "worker_rss_mb": measured["peak_rss_mb"],
        "worker_rss_naive_mb": naive["peak_rss_mb"],
        "worker_rss_baseline_mb": measured["rss_before_mb"],
        "worker_articles": measured["articles"],
        "worker_articles_per_s": rounded(measured["articles"] / measured["seconds"], 1),
    }
    return section
