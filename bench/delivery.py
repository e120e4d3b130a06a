"""Delivery throughput: queued alerts through the outbox into the Slack stand-in, paced.

500 earnings alerts are queued in an SQLite store, routed by a rules file over 5
channels (100 each), and delivered by one `deliver_pending` pass with the real
slack-sdk `SlackSender` posting to `tests/support/slack_standin.py` on loopback. The
pace is 1 message/s/channel (the full run takes about 100 s; `quick` uses 0.05 s).

Figures:
- achieved rate / limit: alerts per second over the pass, against channels / pace;
- stored -> accepted: from the alert's `created_at` in the outbox to the moment the
  stand-in stored the message (p50, p95). Everything is queued before the pass starts,
  so this is queueing time: about half the pass for p50;
- paced rejections: posts the stand-in would have refused as too fast for the channel
  (it enforces half the pace; 0 means the pacer kept to it);
- the naive baseline: one global sleep of `pace` after every post, i.e. 1/pace alerts/s
  whatever the number of channels.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ALERTS = 500
CHANNELS = 5


def _queue(store: Any, count: int) -> None:
    from market_news.models import EarningsItem  # noqa: PLC0415

    for number in range(count):
        ticker = f"B{number:04d}"
        item = EarningsItem(
            ticker=ticker,
            period="Q3",
            fiscal_year=2024,
            metric="eps",
            basis="adjusted",
            actual=1.1,
            estimate=1.0,
            currency="USD",
            surprise_pct=10.0,
            verdict="beat",
            evidence=f"{ticker} earned $1.10 a share against $1.00 expected.",
        )
        store.record_earnings(
            None,
            [item],
            article_url=f"https://bench.example.com/{ticker}",
            article_title=f"{ticker} beats",
            published="2024-10-30T20:05:00+00:00",
            language="en",
            company=f"{ticker} Inc.",
        )


def _routes(path: Path, count: int, channels: int) -> None:
    lines = ["routes:"]
    for channel in range(channels):
        tickers = ", ".join(f"B{n:04d}" for n in range(channel, count, channels))
        lines.append(f"  - channel: '#bench-{channel}'\n    match: {{tickers: [{tickers}]}}")
    path.write_text("\n".join(lines) + "\n")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def run(quick: bool) -> dict[str, Any]:
    """Run the benchmark; returns its figures (see the module docstring)."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from market_news.pipeline import deliver_pending  # noqa: PLC0415
    from market_news.settings import Settings  # noqa: PLC0415
    from market_news.store import Store  # noqa: PLC0415
    from market_news.store.schema import Alert  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    from tests.support.slack_standin import SlackStandin  # noqa: PLC0415

    logging.getLogger("market_news").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    pace = 0.05 if quick else 1.0
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp, SlackStandin() as standin:
        routes = Path(tmp) / "routes.yaml"
        _routes(routes, ALERTS, CHANNELS)
        for channel in range(CHANNELS):
            standin.add_channel(f"bench-{channel}")
        standin.enforce_pace(pace / 2)
        settings = Settings(
            db_url=f"sqlite:///{Path(tmp) / 'store.db'}",
            data_dir=Path(tmp),
            slack_token=standin.token,
            slack_api_url=standin.base_url,
            routes_file=routes,
            slack_pace_s=pace,
        )
        store = Store.open(settings.database_url)
        try:
            _queue(store, ALERTS)
            started = time.perf_counter()
            summary = deliver_pending(settings=settings, store=store)
            elapsed = time.perf_counter() - started
            with store.engine.connect() as connection:
                rows = connection.execute(select(Alert.created_at, Alert.ts)).all()
        finally:
            store.close()
        latencies = [
            standin.accepted_at[ts] - created.timestamp()
            for created, ts in rows
            if ts in standin.accepted_at
        ]
        posts_per_channel = [
            len(standin.messages(f"bench-{channel}")) for channel in range(CHANNELS)
        ]
        rejections = standin.paced_rejections
    limit = CHANNELS / pace
    rate = summary.alerts_sent / elapsed if elapsed else float("nan")
    return {
        "delivery_alerts": ALERTS,
        "delivery_channels": CHANNELS,
        "delivery_pace_s": pace,
        "delivery_sent": summary.alerts_sent,
        "delivery_errors": summary.errors,
        "delivery_seconds": round(elapsed, 2),
        "delivery_rate_per_s": round(rate, 3),
        "delivery_limit_per_s": round(limit, 3),
        "delivery_rate_vs_limit": round(rate / limit, 3),
        "delivery_naive_rate_per_s": round(1 / pace, 3),
        "delivery_stored_to_accepted_p50_s": round(_percentile(latencies, 50), 2),
        "delivery_stored_to_accepted_p95_s": round(_percentile(latencies, 95), 2),
        "delivery_stored_to_accepted_mean_s": round(statistics.fmean(latencies), 2)
        if latencies
        else None,
        "delivery_posts_per_channel": posts_per_channel,
        "delivery_paced_rejections": rejections,
    }


def section(options: Any) -> Any:
    """The harness's table section for this benchmark (`python -m bench --only delivery`)."""
    from bench.common import Section, fmt  # noqa: PLC0415

    figures = run(options.quick)
    table = Section("6. Slack delivery, 500 alerts over 5 channels, paced")
    table.add(
        f"alerts/s at {figures['delivery_pace_s']} s/message/channel",
        fmt(figures["delivery_rate_per_s"]),
        f"{fmt(figures['delivery_naive_rate_per_s'])} (one global sleep)",
        f"{figures['delivery_rate_vs_limit']:.2f} of limit",
    )
    table.add(
        "  stored -> accepted p50 / p95 (s)",
        f"{fmt(figures['delivery_stored_to_accepted_p50_s'])} / "
        f"{fmt(figures['delivery_stored_to_accepted_p95_s'])}",
    )
    table.add(
        "  sent / errors / paced rejections",
        f"{figures['delivery_sent']} / "
        f"{figures['delivery_errors']} / {figures['delivery_paced_rejections']}",
    )
    table.notes.append(
        "all 500 alerts are queued before the pass, so stored -> accepted is queueing time; "
        "the stand-in refuses posts faster than half the pace (paced rejections)"
    )
    table.metrics.update({k: v for k, v in figures.items() if k != "delivery_posts_per_channel"})
    return table


if __name__ == "__main__":
    import json

    print(json.dumps(run("--quick" in sys.argv), indent=2))
