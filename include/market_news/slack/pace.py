"""Per-channel pacing: at most one post per `interval` seconds in each channel.

Slack allows about one message per second per channel and answers bursts with 429s
(and, past that, with lost alerts). A single global sleep between posts would waste the
other channels' budget, so the pacer keeps one slot per channel and lets the caller
pick whichever channel is free now; it never sleeps itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable


class ChannelPacer:
    """When each channel may be posted to next, on a monotonic clock."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if interval < 0:
            raise ValueError("the pace interval cannot be negative")
        self.interval = interval
        self._clock = clock
        self._next: dict[str, float] = {}

    def now(self) -> float:
        return self._clock()

    def wait(self, channel: str) -> float:
        """Seconds until `channel` may be posted to (0 when it may be now)."""
        return max(0.0, self._next.get(channel, float("-inf")) - self._clock())

    def record(self, channel: str) -> None:
        """A post to `channel` just went out: its next slot is one interval from now."""
        self._next[channel] = self._clock() + self.interval

    def defer(self, channel: str, seconds: float) -> None:
        """Keep `channel` quiet for `seconds` (Slack's `Retry-After` after a 429)."""
        self._next[channel] = max(self._next.get(channel, float("-inf")), self._clock() + seconds)

    def soonest(self, channels: Iterable[str]) -> tuple[str, float] | None:
        """The channel among `channels` that is free first, and its wait; None if none.

        Ties go to the earlier channel in `channels`, so callers decide the fairness
        order (delivery passes them oldest-alert first).
        """
        best: tuple[str, float] | None = None
        for channel in channels:
            wait = self.wait(channel)
            if best is None or wait < best[1]:
                best = (channel, wait)
                if wait == 0.0:
                    break
        return best


__all__ = ["ChannelPacer"]
