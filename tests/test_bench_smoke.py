"""`python -m bench` runs and ends with its JSON line (no timing is asserted, ever)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = (
    "extract_html_per_s",
    "extract_vs_naive",
    "poll_100_unchanged_s",
    "poll_vs_naive",
    "dedupe_lookup_ms_1m",
    "alert_latency_p95_s",
    "worker_rss_mb",
)


@pytest.mark.slow
def test_quick_extract_ends_with_json_figures() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "extract"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.strip().splitlines()
    assert len(lines) > 3, "a table comes before the JSON line"
    figures = json.loads(lines[-1])
    assert set(REQUIRED) <= figures.keys()
    assert figures["quick"] is True
    assert figures["benchmarks"] == ["extract"]
    for key in ("extract_html_per_s", "extract_vs_naive", "extract_text_per_s"):
        value = figures[key]
        assert isinstance(value, int | float), key
        assert math.isfinite(value), key
        assert value > 0, key
    # Benchmarks that did not run report null rather than a made-up number.
    assert figures["worker_rss_mb"] is None
    assert "HTML pages/s" in completed.stdout, "the table comes first"


def test_unknown_benchmark_is_refused() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "unknown benchmark" in completed.stderr
