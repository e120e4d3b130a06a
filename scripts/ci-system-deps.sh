#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium, for the headless
# screenshot of the monitoring page (tests/monitor/test_page_in_browser.py).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (or sudo).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "ci-system-deps: chromium already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation
echo "ci-system-deps: installed $(/usr/bin/chromium --version)"
