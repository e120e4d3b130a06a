"""Soak: one simulated hour of polling, compressed, with broken feeds and pages on loopback.

    python -m bench.soak                   # 200 feeds, 20,000 entries, 12 rounds (~5 min)
    python -m bench.soak --quick           # 20 feeds, 2,000 entries (about a minute)
    python -m bench.soak --db postgresql   # a throwaway database on 127.0.0.1:5432
    make soak

The hour is 12 rounds of 5 simulated minutes. Before each round the loopback server
(`soak_server`) publishes that round's items; the worker (`soak_worker`, its own
process, the settings in its environment as an Airflow task has them) then runs the
three steps the DAGs run: poll every feed (conditional GET, `due_only`), process the
pending entries, deliver the alerts to the Slack stand-in (`tests/support`) with no
pace. Nothing sleeps except the server's stalled answers. After the hour, the same
rounds go on without new items until no entry is left to retry and no alert to send.

Then the store and the Slack channel are checked against the plan (`soak_plan`,
`soak_check`): every valid article stored once, every event alerted exactly once, each
broken item failed with its error class (or recovered, or stored anyway, as its fault
says). The exit status is 1 when anything was lost or doubled.

Standard output: the table, then one JSON line; progress goes to standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from market_news.store.repository import MAX_ENTRY_ATTEMPTS

from bench.common import (
    PROJECT_ROOT,
    Options,
    Section,
    ensure_project_on_path,
    fmt,
    print_table,
    progress,
)
from bench.soak_check import Verdict, check_alerts, check_errors, check_store, read_store
from bench.soak_plan import FAULTS_BY_NAME, ROUND_MINUTES, Plan, build, feed_name
from bench.soak_server import SoakServer

TARGET_RSS_MB = 300.0
READ_TIMEOUT_S = 0.25
CONNECT_TIMEOUT_S = 1.0
MAX_BODY_BYTES = 1024 * 1024
#: Rounds after the hour: enough for an entry that failed in the last round to use up
#: its retries (one per pass), plus slack.
MAX_DRAIN_ROUNDS = MAX_ENTRY_ATTEMPTS + 3
_SETTING_PREFIXES = ("MARKET_NEWS_", "SLACK_")


@dataclass(frozen=True)
class Size:
    feeds: int
    entries: int
    rounds: int = 12


FULL = Size(feeds=200, entries=20_000)
QUICK = Size(feeds=20, entries=2_000)


class _Worker:
    """The worker subprocess and its line protocol."""

    def __init__(self, env: dict[str, str], log: IO[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.soak_worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        self.log = log

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            self.log.flush()
            tail = Path(self.log.name).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"soak worker exited ({self.process.returncode}): {tail}")
        return dict(json.loads(line))

    def send(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.receive()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _worker_env(settings: dict[str, str]) -> dict[str, str]:
    """This environment without any real market-news or Slack setting, plus the soak's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
    env.update(settings)
    return env


@contextmanager
def _database(kind: str, folder: Path) -> Iterator[str]:
    """An empty store URL: an SQLite file, or a throwaway PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'soak.db'}"
        return
    ensure_project_on_path()
    from tests.support.databases import sqlalchemy_url, temporary_database  # noqa: PLC0415

    with temporary_database("market_news_soak") as name:
        yield sqlalchemy_url(name)


def _story_of(link: str) -> int | None:
    """The story an article link or URL points at (/a/N.html, /r/N, /syn/N.html, ...)."""
    parts = urlsplit(link).path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] in ("a", "r", "syn", "rw", "loop"):
        number = parts[1].removesuffix(".html")
        return int(number) if number.isdigit() else None
    if link.startswith("soak:"):
        tail = link.rsplit(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def _feed_of(name: str) -> int | None:
    tail = name.removeprefix("soak-")
    return int(tail) if tail.isdigit() else None


def run_soak(size: Size, *, db: str = "sqlite", seed: int = 8) -> dict[str, Any]:
    """Run the soak; returns every figure and the verdict (see `report`)."""
    ensure_project_on_path()
    from tests.support.slack_standin import SlackStandin  # noqa: PLC0415

    plan = build(feeds=size.feeds, entries=size.entries, rounds=size.rounds, seed=seed)
    progress(
        f"soak: {size.feeds} feeds, {plan.entries:,} entries over {size.rounds} rounds of "
        f"{ROUND_MINUTES} simulated minutes, {sum(plan.injected().values())} broken entries, "
        f"{len(plan.feed_faults)} broken feed polls, database {db}"
    )
    rounds: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp,
        SlackStandin() as standin,
        SoakServer(plan) as server,
        _database(db, Path(tmp)) as db_url,
    ):
        folder = Path(tmp)
        feeds_file = folder / "feeds.yaml"
        lines = ["feeds:"]
        for feed in range(size.feeds):
            lines.append(f"  - name: {feed_name(feed)}\n    url: {server.feed_url(feed)}")
        feeds_file.write_text("\n".join(lines) + "\n")
        env = _worker_env(
            {
                "MARKET_NEWS_FEEDS": str(feeds_file),
                "MARKET_NEWS_DB_URL": db_url,
                "MARKET_NEWS_DATA_DIR": str(folder),
                "MARKET_NEWS_ALLOW_PRIVATE_HOSTS": "1",
                "MARKET_NEWS_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S),
                "MARKET_NEWS_READ_TIMEOUT": str(READ_TIMEOUT_S),
                "MARKET_NEWS_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
                "MARKET_NEWS_SLACK_PACE_S": "0",
                "MARKET_NEWS_SLACK_API_URL": standin.base_url,
                "SLACK_BOT_TOKEN": standin.token,
            }
        )
        with (folder / "worker.log").open("w+") as log:
            worker = _Worker(env, log)
            try:
                ready = worker.receive()
                began = time.perf_counter()
                total_rounds = size.rounds + MAX_DRAIN_ROUNDS
                for number in range(total_rounds):
                    changed = server.set_round(number)
                    result = worker.send({"round": number, "sim_minutes": number * ROUND_MINUTES})
                    result["feeds_changed"] = changed
                    rounds.append(result)
                    _progress_round(result, size.rounds)
                    if number >= size.rounds - 1 and not any(result["backlog"].values()):
                        break
                wall = time.perf_counter() - began
                final = worker.send({"quit": True})
                worker.process.wait(timeout=60)
            finally:
                worker.stop()
            worker_log = Path(log.name).read_text(errors="replace")
        snapshot = read_store(db_url)
        messages = standin.messages("market-news")
        statuses = dict(server.statuses)
        fault_requests = dict(server.fault_requests)
        bytes_sent = server.bytes_sent
        verdict = Verdict()
        urls_of = check_store(plan, snapshot, server.final_url, verdict)
        check_alerts(plan, messages, urls_of, snapshot, verdict)

    failures = [(r["round"], failure) for r in rounds for failure in r["failures"]]
    classes, kinds, strays = check_errors(plan, failures, _story_of, _feed_of)
    return {
        "size": asdict(size),
        "db": db,
        "plan": _plan_figures(plan),
        "wall_s": wall,
        "rounds": rounds,
        "worker_ready": ready,
        "worker_final": final,
        "worker_stderr_tail": worker_log[-2000:],
        "server_statuses": statuses,
        "server_fault_requests": fault_requests,
        "server_mb_sent": bytes_sent / 1e6,
        "verdict": verdict,
        "classes": {name: asdict(row) for name, row in sorted(classes.items())},
        "kinds": kinds,
        "strays": strays,
    }


def _progress_round(result: dict[str, Any], hour_rounds: int) -> None:
    poll, process, seconds = result["poll"], result["process"], result["seconds"]
    label = f"round {result['round'] + 1}/{hour_rounds}"
    if result["round"] >= hour_rounds:
        label = f"drain round {result['round'] - hour_rounds + 1}"
    progress(
        f"soak {label}: {poll['entries_seen'] - poll['duplicates']} new entries, "
        f"{process['new_articles']} articles, {result['deliver']['alerts_sent']} alerts, "
        f"{poll['errors'] + process['errors']} errors; poll {seconds['poll']:.1f} s, "
        f"process {seconds['process']:.1f} s, deliver {seconds['deliver']:.1f} s; "
        f"RSS {result['rss_mb']:.0f} MB; backlog {result['backlog']}"
    )


def _plan_figures(plan: Plan) -> dict[str, Any]:
    copies = [copy.variant for group in plan.copies.values() for copy in group]
    return {
        "feeds": plan.feeds,
        "rounds": plan.rounds,
        "entries": plan.entries,
        "stories": len(plan.stories),
        "cross_feed_copies": copies.count("cross"),
        "syndicated_copies": copies.count("syndicated"),
        "reworded_copies": copies.count("reworded"),
        "reposts": len(plan.reposts),
        "broken_entries": sum(plan.injected().values()),
        "broken_by_fault": dict(sorted(plan.injected().items())),
        "broken_feed_polls": len(plan.feed_faults),
    }


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The headline figures (the JSON line)."""
    verdict: Verdict = result["verdict"]
    figures = verdict.figures
    rounds = result["rounds"]
    wall = result["wall_s"]
    busy = {
        step: sum(r["seconds"][step] for r in rounds) for step in ("poll", "process", "deliver")
    }
    polls = sum(r["poll"]["feeds"] for r in rounds)
    errors = sum(r["poll"]["errors"] + r["process"]["errors"] for r in rounds)
    return {
        "soak_feeds": result["size"]["feeds"],
        "soak_entries": figures["entries_expected"],
        "soak_entries_stored": figures["entries_stored"],
        "soak_db": result["db"],
        "soak_wall_s": round(wall, 1),
        "soak_rounds": len(rounds),
        "soak_entries_per_s": round(figures["entries_stored"] / wall, 1),
        "soak_articles_per_s": round(figures["articles_stored"] / wall, 1),
        "soak_poll_s": round(busy["poll"], 1),
        "soak_process_s": round(busy["process"], 1),
        "soak_deliver_s": round(busy["deliver"], 1),
        "soak_feed_polls": polls,
        "soak_not_modified": result["server_statuses"].get(304, 0),
        "soak_errors": errors,
        "soak_errors_logged": sum(row["events"] for row in result["classes"].values()),
        "soak_worker_peak_rss_mb": result["worker_final"]["peak_rss_mb"],
        "soak_worker_rss_first_round_mb": rounds[0]["rss_mb"],
        "soak_worker_rss_last_round_mb": rounds[-1]["rss_mb"],
        "soak_worker_rss_by_round_mb": [r["rss_mb"] for r in rounds],
        "soak_articles_stored": figures["articles_stored"],
        "soak_articles_expected": figures["articles_expected"],
        "soak_events_expected": figures["events_expected"],
        "soak_events_alerted_once": figures["events_alerted_once"],
        "soak_lost_articles": len(verdict.lost_articles),
        "soak_doubled_articles": len(verdict.doubled_articles),
        "soak_extra_articles": len(verdict.extra_articles),
        "soak_extra_entries": len(verdict.extra_entries),
        "soak_stored_but_broken": len(verdict.stored_but_broken),
        "soak_lost_alerts": len(verdict.lost_alerts),
        "soak_doubled_alerts": len(verdict.doubled_alerts),
        "soak_unexpected_alerts": len(verdict.unexpected_alerts),
        "soak_problems": verdict.problems,
        "soak_ok": verdict.ok,
        "soak_errors_by_class": result["classes"],
        "soak_faults": result["kinds"],
        "soak_plan": result["plan"],
    }


def section(result: dict[str, Any]) -> Section:
    """The soak as one table section ("naive baseline" column: what the plan expects)."""
    figures = summarise(result)
    verdict: Verdict = result["verdict"]
    plan = result["plan"]
    size = result["size"]
    table = Section(
        f"7. Soak: {size['feeds']} feeds, {figures['soak_entries']:,} entries, "
        f"{size['rounds']} x {ROUND_MINUTES} simulated min ({result['db']})"
    )
    wall = figures["soak_wall_s"]
    table.add("wall time, the simulated hour + drain (s)", fmt(wall), "3,600 (real time)")
    table.add(
        "  entries/s, articles/s",
        f"{fmt(figures['soak_entries_per_s'])}, {fmt(figures['soak_articles_per_s'])}",
    )
    table.add(
        "  worker busy: poll / process / deliver (s)",
        f"{fmt(figures['soak_poll_s'])} / {fmt(figures['soak_process_s'])} / "
        f"{fmt(figures['soak_deliver_s'])}",
    )
    table.add(
        "  feed polls, of which 304",
        f"{figures['soak_feed_polls']:,}, {figures['soak_not_modified']:,}",
    )
    table.add(
        "Peak worker RSS, VmHWM (MB)",
        fmt(figures["soak_worker_peak_rss_mb"]),
        f"< {TARGET_RSS_MB:g} target",
    )
    table.add(
        "  RSS after round 1 / after the last round (MB)",
        f"{fmt(figures['soak_worker_rss_first_round_mb'])} / "
        f"{fmt(figures['soak_worker_rss_last_round_mb'])}",
    )
    v = verdict.figures
    table.add(
        "Entries stored (done / failed)",
        f"{v['entries_stored']:,} ({v['entries_done']:,} / {v['entries_failed']:,})",
        f"{v['entries_expected']:,} ({v['entries_done_expected']:,} / "
        f"{v['entries_failed_expected']:,})",
    )
    table.add(
        "Articles stored",
        f"{v['articles_stored']:,}",
        f"{v['articles_expected']:,} expected",
    )
    table.add(
        "  lost / doubled / extra / broken but stored",
        f"{len(verdict.lost_articles)} / {len(verdict.doubled_articles)} / "
        f"{len(verdict.extra_articles)} / {len(verdict.stored_but_broken)}",
        "0 / 0 / 0 / 0",
    )
    table.add(
        "Events alerted exactly once",
        f"{v['events_alerted_once']:,}",
        f"{v['events_expected']:,} expected",
    )
    table.add(
        "  lost / doubled / unexpected alerts",
        f"{len(verdict.lost_alerts)} / {len(verdict.doubled_alerts)} / "
        f"{len(verdict.unexpected_alerts)}",
        "0 / 0 / 0",
    )
    table.add(
        "Errors by class: events / items (injected items)",
        f"{figures['soak_errors']:,} errors",
        f"{plan['broken_entries']} entries + {plan['broken_feed_polls']} feed polls broken",
    )
    for name, row in result["classes"].items():
        table.add(
            f"  {name}",
            f"{row['events']:,} / {row['items_with_error']:,}",
            f"{row['injected_items']:,}",
            f"{row['unexpected_events']} stray" if row["unexpected_events"] else "",
        )
    table.notes += _notes(result, figures)
    table.metrics = {k: v for k, v in figures.items() if not isinstance(v, dict | list)}
    return table


def _notes(result: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    plan = result["plan"]
    verdict: Verdict = result["verdict"]
    kinds = result["kinds"]
    described = []
    for name, row in kinds.items():
        fault = FAULTS_BY_NAME[name]
        errors = ", ".join(f"{k} {n}" for k, n in sorted(row["errors"].items())) or "no error"
        described.append(f"{name} ({fault.what}) x{row['injected']}: {errors}")
    notes = [
        f"Plan: {plan['stories']:,} stories in {plan['entries']:,} feed entries "
        f"({plan['cross_feed_copies']} listed in a second feed, {plan['syndicated_copies']} "
        f"syndicated copies under another URL, {plan['reworded_copies']} reworded copies, "
        f"{plan['reposts']} reposted GUIDs); feeds list the items of their last 3 rounds; "
        "10% busy, 40% regular, 50% slow feeds.",
        f"Worker: one process, one store; poll (due_only, conditional GET), process "
        f"(500 entries per call), deliver (Slack stand-in, pace 0); read timeout "
        f"{READ_TIMEOUT_S:g} s, body cap {MAX_BODY_BYTES // 1024} KiB. "
        f"{len(result['rounds'])} rounds in all (the hour, then drain rounds without new "
        "items until no retry or alert is left).",
        "Faults (injected x count: error events seen, retries included): "
        + "; ".join(described)
        + ".",
        f"Reworded copies flagged as near-duplicates: "
        f"{verdict.figures['reworded_flagged_near_duplicate']} of "
        f"{verdict.figures['reworded_copies']} (MinHash, probabilistic: not part of the "
        "verdict; every copy must be stored once either way).",
        f"Server answers by status (0 = stalled or reset): {result['server_statuses']}; "
        f"{result['server_mb_sent']:.0f} MB sent.",
        "The 'naive baseline' column holds what the plan expects for this section.",
    ]
    if figures["soak_errors_logged"] != figures["soak_errors"]:
        notes.append(
            f"The pass summaries count {figures['soak_errors']} errors, the log lines "
            f"{figures['soak_errors_logged']}: some failure was logged in a form this "
            "benchmark does not read (see bench/soak_errors.py)."
        )
    if result["strays"]:
        notes.append("Errors on items nobody broke: " + " | ".join(result["strays"]))
    if verdict.unexpected_alerts:
        notes.append(f"Unexpected alert keys, e.g. {verdict.unexpected_alerts[:3]}")
    if verdict.extra_articles:
        notes.append(
            f"EXTRA: {len(verdict.extra_articles)} article(s) under no published URL, e.g. "
            + "; ".join(verdict.extra_articles[:3])
        )
    if verdict.extra_entries:
        notes.append(
            f"{len(verdict.extra_entries)} entr(ies) under a (feed, GUID) never published "
            f"(cut-off items of truncated feeds), e.g. {verdict.extra_entries[:2]}"
        )
    for problem in verdict.problems:
        notes.append(f"PROBLEM: {problem}")
    if verdict.lost_articles or verdict.lost_alerts:
        notes.append(
            f"LOST: articles of stories {verdict.lost_articles[:10]}, "
            f"alerts of stories {verdict.lost_alerts[:10]}"
        )
    if verdict.doubled_articles or verdict.doubled_alerts:
        notes.append(
            f"DOUBLED: articles of stories {verdict.doubled_articles[:10]}, "
            f"alerts of stories {verdict.doubled_alerts[:10]}"
        )
    notes.append(
        "Verdict: "
        + ("nothing lost or doubled." if verdict.ok else "FAILED (see above).")
        + f" Peak RSS target < {TARGET_RSS_MB:g} MB: "
        + ("met." if figures["soak_worker_peak_rss_mb"] < TARGET_RSS_MB else "MISSED.")
    )
    return notes


def run(options: Options) -> Section:
    """The harness's entry point (`python -m bench --only soak`, when registered)."""
    db = "postgresql" if options.databases == ("postgresql",) else "sqlite"
    result = run_soak(QUICK if options.quick else FULL, db=db)
    return section(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="20 feeds, 2,000 entries")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run_soak(QUICK if args.quick else FULL, db=args.db, seed=args.seed)
    table = section(result)
    table.seconds = time.perf_counter() - started
    print(
        f"market-news soak ({'quick' if args.quick else 'full'}) on "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print()
    print_table([table])
    sys.stdout.flush()
    print(json.dumps(summarise(result), allow_nan=False, default=str))
    return 0 if result["verdict"].ok else 1


if __name__ == "__main__":
    sys.exit(main())
