"""Headless Chromium screenshots for the page tests (Debian's package, never a download)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1400, 1000
#: A blank or error page compresses to a few kilobytes; a drawn dashboard does not.
MIN_REAL_PNG_BYTES = 40_000


def require_chromium() -> None:
    """Skip without Chromium, except under CI (`CI=true`), where that is a failure."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs {CHROMIUM}: run scripts/ci-system-deps.sh")
    pytest.skip(f"{CHROMIUM} is not installed (scripts/ci-system-deps.sh installs it)")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG header; fails the test when `data` is not a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def screenshot(url: str, folder: Path, *, wait_ms: int | None = None) -> bytes:
    """Load `url` in headless Chromium and return the PNG, checked to be a real picture.

    `wait_ms` gives script-drawn pages (the Airflow UI) virtual time to render. With
    `MARKET_NEWS_SAVE_SCREENSHOT=<path>` the picture is also kept there (the README's).
    """
    require_chromium()
    shot = folder / "screenshot.png"
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
        f"--user-data-dir={folder / 'chromium-profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        *([f"--virtual-time-budget={wait_ms}"] if wait_ms else []),
        f"--screenshot={shot}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert png_size(data) == (WIDTH, HEIGHT)
    assert len(data) > MIN_REAL_PNG_BYTES, f"suspiciously small screenshot: {len(data)} bytes"
    keep = os.environ.get("MARKET_NEWS_SAVE_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, keep)
    return data
