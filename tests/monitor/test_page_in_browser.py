"""The page as a real browser draws it: served by uvicorn, screenshotted by headless Chromium.

Set `MARKET_NEWS_SAVE_SCREENSHOT=docs/img/monitor.png` to keep the picture (the README's).
Chromium comes from Debian (`scripts/ci-system-deps.sh`); without it the test is skipped,
except under CI (`CI=true`), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from market_news.monitor.app import create_app
from market_news.store import Store
from monitor_data import META_TITLE, populate

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1400, 1000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs {CHROMIUM}: run scripts/ci-system-deps.sh")
    pytest.skip(f"{CHROMIUM} is not installed (scripts/ci-system-deps.sh installs it)")


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


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_page_screenshot(served_page: str, tmp_path: Path) -> None:
    _require_chromium()
    shot = tmp_path / "monitor.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        served_page,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert _png_size(data) == (WIDTH, HEIGHT)
    # A blank or error page compresses to a few kilobytes; the dashboard does not.
    assert len(data) > 40_000, f"suspiciously small screenshot: {len(data)} bytes"
    keep = os.environ.get("MARKET_NEWS_SAVE_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, keep)
