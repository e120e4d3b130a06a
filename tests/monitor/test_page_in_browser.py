"""The page as a real browser draws it: served by uvicorn, screenshotted by headless Chromium.

Set `MARKET_NEWS_SAVE_SCREENSHOT=docs/img/monitor.png` to keep the picture (the README's).
Chromium comes from Debian (`scripts/ci-system-deps.sh`); without it the test is skipped,
except under CI (`CI=true`), where that is a failure.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from market_news.monitor.app import create_app
from market_news.store import Store
from monitor_data import META_TITLE, populate

from tests.support.browser import screenshot


@pytest.fixture
def served_page(tmp_path: Path) -> Iterator[str]:
    """URL of the monitoring page over a demo-like store, on a free loopback port."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store.open(url)
    try:
        populate(store, meta_title=META_TITLE)
    finally:
        store.close()
    app = create_app(url)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
        app.state.store_reader.dispose()


@pytest.mark.slow
def test_page_screenshot(served_page: str, tmp_path: Path) -> None:
    screenshot(served_page, tmp_path)
