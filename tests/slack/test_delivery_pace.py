"""Per-channel pace: one post per interval per channel, channels interleaved.

A fake clock and a recording sender make the schedule exact: no wall-clock timing.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from delivery_support import queue_earnings
from market_news.pipeline import deliver_pending
from market_news.pipeline.deliver import claim_window
from market_news.settings import Settings
from market_news.slack import PostResult, SlackMessage
from market_news.slack.pace import ChannelPacer
from market_news.store import Store


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class RecordingSender:
    """Accepts every post at once and notes (channel, fake time)."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.posts: list[tuple[str, float]] = []

    def post(self, message: SlackMessage, channel: str, thread_ts: str | None = None) -> PostResult:
        self.posts.append((channel, self.time.now))
        return PostResult(channel, f"{len(self.posts)}.000000")

    def update(self, channel: str, ts: str, message: SlackMessage) -> PostResult:
        return PostResult(channel, ts)

    def find_posted(self, channel: str, event_key: str, **kwargs: Any) -> PostResult | None:
        return None


ROUTES = """
routes:
  - {channel: "#a", match: {tickers: [A1, A2, A3]}}
  - {channel: "#b", match: {tickers: [B1, B2, B3]}}
  - {channel: "#c", match: {tickers: [C1, C2, C3]}}
"""


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def _settings(tmp_path: Path, pace: float) -> Settings:
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES)
    return Settings(
        db_url="sqlite://",
        slack_token="xoxb-fake",
        routes_file=routes,
        slack_pace_s=pace,
        data_dir=tmp_path,
    )


def test_channels_are_interleaved_and_only_a_full_round_waits(store: Store, tmp_path: Path) -> None:
    for ticker in ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3"):
        queue_earnings(store, ticker)
    fake = FakeTime()
    sender = RecordingSender(fake)

    summary = deliver_pending(
        settings=_settings(tmp_path, 10.0),
        store=store,
        sender=sender,
        clock=fake.clock,
        sleep=fake.sleep,
        lease_seconds=1000,  # claims are capped to what the lease covers at this pace
    )

    assert summary.alerts_sent == 9
    assert [channel for channel, _ in sender.posts] == ["#a", "#b", "#c"] * 3
    # three channels share each 10 s slot: 20 s of waiting in all, not 80
    assert sum(fake.slept) == pytest.approx(20.0)
    for channel in ("#a", "#b", "#c"):
        times = [at for name, at in sender.posts if name == channel]
        assert all(later - earlier >= 10.0 for earlier, later in pairwise(times))


def test_one_busy_channel_is_paced(store: Store, tmp_path: Path) -> None:
    for ticker in ("A1", "A2", "A3"):
        queue_earnings(store, ticker)
    fake = FakeTime()
    sender = RecordingSender(fake)
    deliver_pending(
        settings=_settings(tmp_path, 1.5),
        store=store,
        sender=sender,
        clock=fake.clock,
        sleep=fake.sleep,
    )
    assert [at - 1000.0 for _, at in sender.posts] == pytest.approx([0.0, 1.5, 3.0])


def test_dry_run_is_not_paced(store: Store, tmp_path: Path) -> None:
    for ticker in ("A1", "A2"):
        queue_earnings(store, ticker)
    fake = FakeTime()
    settings = Settings(db_url="sqlite://", slack_pace_s=5.0, data_dir=tmp_path)
    sender = RecordingSender(fake)
    deliver_pending(settings=settings, store=store, sender=sender, sleep=fake.sleep)
    assert fake.slept == []


def test_claims_fit_the_lease_at_the_pace() -> None:
    assert claim_window(100, 120, 1.0) == 48  # 48 posts in one channel: 48 s of a 120 s lease
    assert claim_window(100, 120, 0.0) == 100
    assert claim_window(100, 120, 0.05) == 100
    assert claim_window(100, 1, 5.0) == 1


def test_pacer_defers_and_picks_the_soonest_channel() -> None:
    fake = FakeTime()
    pacer = ChannelPacer(1.0, clock=fake.clock)
    assert pacer.soonest(["#a", "#b"]) == ("#a", 0.0)
    pacer.record("#a")
    assert pacer.soonest(["#a", "#b"]) == ("#b", 0.0)
    pacer.record("#b")
    pacer.defer("#a", 5.0)  # a 429's Retry-After
    fake.now += 0.25
    assert pacer.soonest(["#a", "#b"]) == ("#b", pytest.approx(0.75))
    assert pacer.wait("#a") == pytest.approx(4.75)
    assert pacer.soonest([]) is None
    with pytest.raises(ValueError):
        ChannelPacer(-1.0)
