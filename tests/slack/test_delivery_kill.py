"""A delivery pass killed with SIGKILL mid-send, then run again: every alert exactly once.

The pass runs in a child process against the stand-in in this process. It posts three
alerts; Slack (the stand-in) accepts the fourth and holds its answer; the child is killed
while it waits. The rerun must adopt the fourth from the channel's history and post the
other six: ten distinct top-level messages, none twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from delivery_support import CHANNEL, queue_many, settings_for, top_level_keys
from market_news.pipeline import deliver_pending
from market_news.store import Store

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

LEASE_S = 3
CHILD = textwrap.dedent(
    """
    import sys
    from market_news.pipeline import deliver_pending
    from market_news.settings import Settings
    from market_news.store import Store

    db_url, token, api_url = sys.argv[1:4]
    settings = Settings(
        db_url=db_url, slack_token=token, slack_api_url=api_url,
        slack_channel="#market-news", slack_pace_s=0.0,
    )
    store = Store.open(db_url)
    deliver_pending(settings=settings, store=store, lease_seconds=int(sys.argv[4]))
    """
)


def _wait_until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


@pytest.mark.parametrize("fault", ["stall", "drop"])
def test_sigkill_after_three_of_ten_then_rerun_posts_each_once(
    slack_standin: Any, tmp_path: Path, fault: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store.open(db_url)
    try:
        keys = queue_many(store, 10)
        # the fourth post is accepted and stored; its answer never comes. "stall": the
        # child is killed while it waits. "drop": the child adopts the fourth from the
        # history at once, and is killed waiting for the fifth's answer instead.
        if fault == "stall":
            slack_standin.stall_after_accept_next(1, seconds=60, skip=3)
        else:
            slack_standin.drop_after_accept_next(1, skip=3)
            slack_standin.stall_after_accept_next(1, seconds=60, skip=3)
        stored_when_killed = 4 if fault == "stall" else 5
        args = [sys.executable, "-c", CHILD, db_url, slack_standin.token]
        args += [slack_standin.base_url, str(LEASE_S)]
        child = subprocess.Popen(args, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            _wait_until(
                lambda: len(slack_standin.messages(CHANNEL)) >= stored_when_killed, timeout=60
            )
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        assert len(slack_standin.messages(CHANNEL)) == stored_when_killed

        slack_standin.clear_faults()
        time.sleep(LEASE_S + 0.3)  # the dead pass's leases run out
        settings = settings_for(slack_standin, db_url, tmp_path)
        summary = deliver_pending(settings=settings, store=store)

        assert top_level_keys(slack_standin) == dict.fromkeys(keys, 1)
        assert len(slack_standin.messages(CHANNEL, include_replies=False)) == 10
        assert summary.alerts_sent == 10 - 3 - (0 if fault == "stall" else 1)
        assert len(slack_standin.calls_to("chat.postMessage")) == 10
        assert deliver_pending(settings=settings, store=store).alerts_sent == 0
    finally:
        store.close()
