"""`python -m bench` runs and ends with its JSON line (no timing is asserted, ever)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

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


#: Every error class the soak injects on purpose (bench/soak_plan.py FAULTS, FEED_FAULTS).
SOAK_CLASSES = {
    "timeout",
    "http_status",
    "too_large",
    "decoding",
    "content_type",
    "redirect",
    "connection",
    "feed_parse",
}


def test_soak_plan_breaks_five_percent_and_never_a_copied_story() -> None:
    from bench.soak_plan import FAULTS, build

    plan = build(feeds=20, entries=2_000, rounds=12, seed=3)
    assert plan.entries == 2_000
    assert sum(plan.injected().values()) == 100
    assert {fault.name for fault in FAULTS} <= set(plan.injected())
    assert not set(plan.faults) & set(plan.copies), "a copied story has one entry per copy"
    feeds_rounds = set(plan.feed_faults)
    assert all((feed, number + 1) not in feeds_rounds for feed, number in feeds_rounds)
    guids = {(listing.feed, listing.guid) for listing in plan.listings}
    assert len(guids) == plan.entries, "each listing is its own entry (feed, GUID)"


@pytest.fixture(scope="module")
def quick_soak() -> tuple[int, dict[str, Any]]:
    """`python -m bench.soak --quick` once: its exit status and its JSON line."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-3000:]
    return completed.returncode, json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_quick_soak_loses_nothing_and_alerts_each_event_once(
    quick_soak: tuple[int, dict[str, Any]],
) -> None:
    """20 feeds, 2,000 entries, 5% broken: the loss check and the error classes hold."""
    _, figures = quick_soak
    assert figures["soak_problems"] == []
    assert figures["soak_entries"] == 2_000
    assert figures["soak_articles_expected"] > 1_500
    for key in ("lost_articles", "doubled_articles", "stored_but_broken"):
        assert figures[f"soak_{key}"] == 0, key
    assert figures["soak_events_expected"] > 100
    assert figures["soak_events_alerted_once"] == figures["soak_events_expected"]
    for key in ("lost_alerts", "doubled_alerts", "unexpected_alerts"):
        assert figures[f"soak_{key}"] == 0, key
    classes = figures["soak_errors_by_class"]
    injected = {name for name, row in classes.items() if row["injected_items"] > 0}
    assert injected == SOAK_CLASSES
    for name in SOAK_CLASSES:
        # Each broken item failed with the class it was broken for (retries included).
        assert classes[name]["items_with_error"] == classes[name]["injected_items"], name
    # Every error the pass summaries count was read from the log with its class.
    assert figures["soak_errors_logged"] == figures["soak_errors"]
    assert figures["soak_not_modified"] > 0, "unchanged feeds were answered 304"
    assert figures["soak_worker_peak_rss_mb"] > 0


@pytest.mark.slow
def test_quick_soak_stores_no_extra_article(quick_soak: tuple[int, dict[str, Any]]) -> None:
    status, figures = quick_soak
    assert figures["soak_extra_articles"] == 0
    assert figures["soak_articles_stored"] == figures["soak_articles_expected"]
    assert figures["soak_ok"] is True
    assert status == 0
