"""Read-only queries over the outbox that delivery and the digest need and `Store` lacks.

- a correction's parent alert (where it was delivered, and what it said), so the reply
  goes to the parent's channel and the parent can be edited to the current figures;
- the corrections of a parent, oldest first;
- a day's top-level alerts, with the event's current figures for earnings.

Plain SELECTs on the store's schema models, one short session each, plain values out.
They belong in `Store` eventually; until then nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from market_news.store import Store
from market_news.store.schema import Alert, Event

#: Alert kinds that are messages of their own (corrections are thread replies).
TOP_LEVEL_KINDS = ("earnings", "ai_claims")


@dataclass(frozen=True, slots=True)
class ParentAlert:
    """A delivered (or still pending) top-level alert a correction belongs to."""

    alert_key: str
    kind: str
    status: str
    channel: str | None
    ts: str | None
    payload: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class DayAlert:
    """A top-level alert queued in a digest's window; earnings carry current figures."""

    id: int
    alert_key: str
    kind: str
    status: str
    channel: str | None
    payload: dict[str, Any] = field(hash=False)


def thread_parent(store: Store, alert_key: str) -> ParentAlert | None:
    """The alert called `alert_key` (a correction's `thread_of_alert_key`), if stored."""
    with Session(store.engine) as session:
        row = session.execute(
            select(
                Alert.alert_key, Alert.kind, Alert.status, Alert.channel, Alert.ts, Alert.payload
            ).where(Alert.alert_key == alert_key)
        ).first()
    if row is None:
        return None
    return ParentAlert(
        alert_key=row.alert_key,
        kind=row.kind,
        status=row.status,
        channel=row.channel,
        ts=row.ts,
        payload=dict(row.payload),
    )


def correction_payloads(store: Store, parent_alert_key: str) -> list[dict[str, Any]]:
    """Payloads of every correction queued for `parent_alert_key`, oldest first."""
    with Session(store.engine) as session:
        payloads = session.scalars(
            select(Alert.payload)
            .where(Alert.thread_of_alert_key == parent_alert_key, Alert.kind == "correction")
            .order_by(Alert.id)
        ).all()
    return [dict(payload) for payload in payloads]


def day_alerts(store: Store, start: datetime, end: datetime) -> list[DayAlert]:
    """Top-level alerts queued in `[start, end)`, oldest first.

    An earnings alert's `metrics` are replaced by the event's current ones, so the
    digest shows figures after corrections, not the first article's.
    """
    query = (
        select(Alert, Event.metrics, Event.revision)
        .outerjoin(Event, Event.event_key == Alert.event_key)
        .where(
            Alert.kind.in_(TOP_LEVEL_KINDS),
            Alert.created_at >= start,
            Alert.created_at < end,
        )
        .order_by(Alert.id)
    )
    found: list[DayAlert] = []
    with Session(store.engine) as session:
        for alert, metrics, revision in session.execute(query):
            payload = dict(alert.payload)
            if alert.kind == "earnings" and metrics:
                payload["metrics"] = [dict(value) for value in metrics.values()]
                payload["revision"] = revision or 0
            found.append(
                DayAlert(
                    id=alert.id,
                    alert_key=alert.alert_key,
                    kind=alert.kind,
                    status=alert.status,
                    channel=alert.channel,
                    payload=payload,
                )
            )
    return found


__all__ = [
    "TOP_LEVEL_KINDS",
    "DayAlert",
    "ParentAlert",
    "correction_payloads",
    "day_alerts",
    "thread_parent",
]
