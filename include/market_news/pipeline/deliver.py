"""Post queued alerts to Slack exactly once (or render them in dry run).

The store's outbox is the source of truth: an alert is claimed with a lease, posted,
and marked sent with its channel and `ts`. Around that:

- reconciliation: an alert whose earlier attempt has an unknown outcome (a crash, a
  timeout or a 5xx after Slack may have accepted it) is first looked up in its channel
  by its metadata (`alert_key`) and adopted instead of being posted again; an attempt
  that ends with an unknown outcome is looked up at once, and if not found is left
  under its lease (never released as "pending", which would post it blindly);
- routing: top-level alerts go where the rules file says (`market_news.routing`),
  corrections go to their parent's channel and thread, and the parent is edited
  (`chat.update`) to show the current figures before the reply is posted: an edit is
  idempotent, a reply is not, so a failure in between retries only the harmless part;
- pace: at most one post per `slack_pace_s` per channel, channels interleaved, so the
  pass sleeps only when every channel with work is waiting for its slot. Claims are
  kept small enough that every claimed alert is posted well within its lease.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from market_news.digest_queries import ParentAlert, correction_payloads, thread_parent
from market_news.models import PassSummary
from market_news.routing import Router, RoutesFileError, load_router
from market_news.settings import Settings
from market_news.slack import (
    DryRunSender,
    PostResult,
    Sender,
    SlackDeliveryError,
    SlackSender,
    make_web_client,
    render,
)
from market_news.slack.pace import ChannelPacer
from market_news.slack.revise import current_payload
from market_news.store import ClaimedAlert, Store

log = logging.getLogger("market_news.pipeline")

#: Seconds a claimed alert is ours; a sender that dies holds it no longer than this.
DEFAULT_LEASE_S = 120
#: Claimed-but-unposted alerts must fit this share of the lease at the channel pace.
LEASE_SHARE = 0.4
#: A post never starts with less of its lease left than this (or a quarter of the lease).
LEASE_MARGIN_S = 10.0
#: An alert is tried at most this often in one pass (a lease may run out and come back).
MAX_TRIES_PER_PASS = 2
#: Errors that concern the token, not a channel: nothing else is tried this pass.
TOKEN_CODES = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
#: `chat.update` answers meaning the parent cannot be edited; the reply still goes out.
PARENT_GONE_CODES = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "is_inactive"}
)


def make_sender(settings: Settings) -> Sender:
    """A real Slack sender when a token is set, else the dry-run renderer."""
    if settings.dry_run:
        return DryRunSender()
    assert settings.slack_token is not None
    return SlackSender(make_web_client(settings.slack_token, settings.slack_api_url))


def deliver_pending(
    *,
    settings: Settings,
    store: Store,
    sender: Sender | None = None,
    batch: int = 100,
    lease_seconds: int = DEFAULT_LEASE_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PassSummary:
    """Post every claimable alert once; failures stay queued for a later pass.

    Claims until nothing is claimable, so a correction queued in the same pass as its
    parent goes out right after it. A channel that fails permanently is skipped for the
    rest of the pass, a refused token stops the pass; either is one error line. A bad
    routes file is one error line and nothing is sent (alerts stay queued).
    """
    try:
        router = load_router(settings.routes_file, settings.slack_channel)
    except RoutesFileError as exc:
        log.error("alerts not delivered: %s", exc)
        return PassSummary(errors=1)
    pace = 0.0 if settings.dry_run else max(settings.slack_pace_s, 0.0)
    run = _Delivery(
        store=store,
        sender=sender or make_sender(settings),
        router=router,
        dry_run=settings.dry_run,
        pacer=ChannelPacer(pace, clock=clock),
        sleep=sleep,
        window=claim_window(batch, lease_seconds, pace),
        lease_seconds=lease_seconds,
    )
    return run.run()


def claim_window(batch: int, lease_seconds: int, pace: float) -> int:
    """How many alerts may be claimed and not yet posted at once.

    Even if all of them go to one channel, they are posted within `LEASE_SHARE` of the
    lease at one per `pace` seconds.
    """
    if pace <= 0:
        return max(1, batch)
    return max(1, min(batch, int(lease_seconds * LEASE_SHARE / pace)))


@dataclass(frozen=True, slots=True)
class _Job:
    alert: ClaimedAlert
    channel: str
    thread_ts: str | None
    parent: ParentAlert | None


@dataclass(frozen=True, slots=True)
class _Parked:
    alert: ClaimedAlert
    error: str
    permanent: bool


class _Delivery:
    """One delivery pass: claim, route, pace, post, record."""

    def __init__(
        self,
        *,
        store: Store,
        sender: Sender,
        router: Router,
        dry_run: bool,
        pacer: ChannelPacer,
        sleep: Callable[[float], None],
        window: int,
        lease_seconds: int,
    ) -> None:
        self.store = store
        self.sender = sender
        self.router = router
        self.dry_run = dry_run
        self.pacer = pacer
        self.sleep = sleep
        self.window = window
        self.lease_seconds = lease_seconds
        self.queues: dict[str, deque[_Job]] = {}
        self.blocked: set[str] = set()
        self.token_refused = False
        self.exhausted = False
        self.parked: dict[int, _Parked] = {}
        self.tries: Counter[int] = Counter()
        self.summary = PassSummary()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> PassSummary:
        try:
            while True:
                if self._may_refill():
                    self._refill()
                pick = self.pacer.soonest(ch for ch, jobs in self.queues.items() if jobs)
                if pick is None:
                    if self.exhausted or self.token_refused:
                        break
                    self._refill()
                    continue
                channel, wait = pick
                if wait > 0:
                    if not self.exhausted and self._held() < self.window:
                        self._refill()  # more work may be for a channel that is free now
                        continue
                    self.sleep(wait)
                self._deliver(self.queues[channel].popleft())
        finally:
            self._release_parked()
        return self.summary

    def _held(self) -> int:
        return sum(len(jobs) for jobs in self.queues.values())

    def _may_refill(self) -> bool:
        if self.exhausted or self.token_refused:
            return False
        held = self._held()
        if held >= self.window:
            return False
        idle = not self.queues or any(not jobs for jobs in self.queues.values())
        return idle or held <= self.window // 2

    def _refill(self) -> None:
        wanted = self.window - self._held()
        if wanted <= 0:
            return
        claimed = self.store.claim_pending_alerts(wanted, lease_seconds=self.lease_seconds)
        self.exhausted = len(claimed) < wanted
        for alert in claimed:
            self.tries[alert.id] += 1
            job = self._job(alert)
            self.queues.setdefault(job.channel, deque()).append(job)

    def _job(self, alert: ClaimedAlert) -> _Job:
        """Where the alert goes: its route, or for a correction its parent's thread."""
        if alert.thread_of_alert_key is None:
            return _Job(alert, self.router.channel_for(alert.kind, alert.payload), None, None)
        parent = thread_parent(self.store, alert.thread_of_alert_key)
        channel = (parent.channel if parent else None) or self.router.default_channel
        thread_ts = alert.thread_ts or (parent.ts if parent else None)
        return _Job(alert, channel, thread_ts, parent)

    # -- one alert --------------------------------------------------------------------------

    def _deliver(self, job: _Job) -> None:
        alert = job.alert
        if self.token_refused:
            self._park(alert, "not tried: the Slack token was refused this pass", permanent=True)
            return
        if job.channel in self.blocked:
            self._park(alert, f"not tried: {job.channel} unavailable this pass", permanent=True)
            return
        if self.tries[alert.id] > MAX_TRIES_PER_PASS:
            self._park(alert, "not tried again this pass", permanent=False)
            return
        if not self._lease_left(alert):
            return
        try:
            if alert.kind == "correction":
                self._update_parent(job)
            posted = self._reconcile(job) if alert.outcome_unknown else None
            if posted is None:
                message = render(alert.kind, alert.payload)
                self.pacer.record(job.channel)
                posted = self.sender.post(message, job.channel, thread_ts=job.thread_ts)
        except SlackDeliveryError as exc:
            self._failed(job, exc)
            return
        self._sent(job, posted)

    def _reconcile(self, job: _Job) -> PostResult | None:
        """The message an earlier attempt may have posted, found by its metadata."""
        if self.dry_run:
            return None
        alert = job.alert
        found = self.sender.find_posted(
            job.channel,
            alert.event_key or alert.alert_key,
            kind=alert.kind,
            thread_ts=job.thread_ts,
            alert_key=alert.alert_key,
        )
        if found is not None:
            log.info(
                "alert %s was already in %s as %s: adopted",
                alert.alert_key,
                found.channel,
                found.ts,
            )
        return found

    def _update_parent(self, job: _Job) -> None:
        """Edit the parent earnings message to its figures after every correction."""
        parent = job.parent
        if parent is None or parent.kind != "earnings" or not parent.ts or not parent.channel:
            return
        corrections = correction_payloads(self.store, parent.alert_key)
        message = render("earnings", current_payload(parent.payload, corrections))
        try:
            self.sender.update(parent.channel, parent.ts, message)
        except SlackDeliveryError as exc:
            if exc.code not in PARENT_GONE_CODES:
                raise
            log.warning("parent of %s not updated: %s", job.alert.alert_key, exc)

    def _lease_left(self, alert: ClaimedAlert) -> bool:
        """False (and the alert let go) when too little of its lease is left to post it."""
        left = (alert.lease_until - datetime.now(UTC)).total_seconds()
        if left >= min(LEASE_MARGIN_S, self.lease_seconds / 4):
            return True
        if left > 1.0:  # still ours: hand it back unposted
            self.store.mark_alert_failed(
                alert.id, "released unposted: its lease ran short", permanent=False
            )
        # else: no longer ours; whoever claims it next reconciles before posting
        return False

    def _sent(self, job: _Job, posted: PostResult) -> None:
        alert = job.alert
        self.store.mark_alert_sent(
            alert.id, channel=posted.channel, ts=posted.ts, dry_run=self.dry_run
        )
        self.summary += PassSummary(alerts_sent=1)
        if alert.thread_of_alert_key is None:
            self.exhausted = False  # its corrections may be claimable now

    def _failed(self, job: _Job, exc: SlackDeliveryError) -> None:
        alert = job.alert
        if exc.outcome_unknown and not self.dry_run:
            try:
                found = self._reconcile(job)
            except SlackDeliveryError:
                found = None
            if found is not None:
                self._sent(job, found)
                return
            # Not visible (yet): keep it under our lease; when that runs out, the next
            # claim comes with outcome_unknown and reconciles again before posting.
            self.summary += PassSummary(errors=1)
            log.error("alert %s: %s; will reconcile after its lease", alert.alert_key, exc)
            return
        self.summary += PassSummary(errors=1)
        log.error("alert %s not delivered: %s", alert.alert_key, exc)
        if exc.code in TOKEN_CODES:
            self.token_refused = True
        elif exc.permanent:
            self.blocked.add(job.channel)
        elif exc.retry_after:
            self.pacer.defer(job.channel, exc.retry_after)
        self._park(alert, str(exc), permanent=exc.permanent)

    # -- failures wait for the end of the pass ----------------------------------------------

    def _park(self, alert: ClaimedAlert, error: str, *, permanent: bool) -> None:
        """Hold a failed alert until the pass ends, so this pass does not claim it again."""
        self.parked[alert.id] = _Parked(alert, error, permanent)

    def _release_parked(self) -> None:
        """Back to pending, each with its error, while the lease still makes them ours."""
        for parked in self.parked.values():
            left = (parked.alert.lease_until - datetime.now(UTC)).total_seconds()
            if left > 1.0:
                self.store.mark_alert_failed(
                    parked.alert.id, parked.error, permanent=parked.permanent
                )
        for jobs in self.queues.values():  # an exception cut the pass short
            for job in jobs:
                left = (job.alert.lease_until - datetime.now(UTC)).total_seconds()
                if left > 1.0:
                    self.store.mark_alert_failed(
                        job.alert.id, "released unposted: the pass ended", permanent=False
                    )
            jobs.clear()


__all__ = ["DEFAULT_LEASE_S", "claim_window", "deliver_pending", "make_sender"]
