"""Shared Airflow glue for the market-news DAGs: the Asset, default arguments, settings.

Nothing here touches the network or a database at import time: the DAG processor
imports this module every few seconds. Settings are built inside tasks only, in three
layers: the environment (as for the command line), then the JSON Variable `market_news`
(paths and thresholds, editable in the UI), then the Connection `market_news_slack`
(the bot token, never in a Variable).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset
from market_news.models import SUMMARY_LOG_PREFIX, PassSummary
from market_news.settings import Settings, load_settings
from market_news_alerts import DAG_FAILURE_ALERT, SLACK_CONNECTION_ID, TASK_FAILURE_ALERT

#: Updated by the polling DAG when new entries were stored; schedules the processing DAG.
NEW_ENTRIES = Asset("market_news://entries/new", group="market_news")

#: The JSON Variable whose keys override settings inside tasks (see `VARIABLE_FIELDS`).
SETTINGS_VARIABLE = "market_news"

#: Variable key -> (Settings field, converter). `ops_channel` is read by the failure alerts.
VARIABLE_FIELDS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "feeds_file": ("feeds_file", Path),
    "routes_file": ("routes_file", Path),
    "db_url": ("db_url", str),
    "slack_channel": ("slack_channel", str),
    "slack_pace_s": ("slack_pace_s", float),
    "connect_timeout_s": ("connect_timeout_s", float),
    "read_timeout_s": ("read_timeout_s", float),
    "max_body_bytes": ("max_body_bytes", int),
    "redis_url": ("redis_url", str),
}
OTHER_VARIABLE_KEYS = frozenset({"ops_channel"})

TAGS = ["market-news"]

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "market-news",
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": TASK_FAILURE_ALERT,
}
#: DAG-level arguments every market-news DAG shares (the DAG callback skips task failures).
DAG_ARGS: dict[str, Any] = {"on_failure_callback": DAG_FAILURE_ALERT}

log = logging.getLogger("market_news.dags")


def variable_overrides() -> dict[str, Any]:
    """The JSON Variable `market_news` as a dict; empty when it is not set.

    Called inside tasks and callbacks only: reading a Variable is a round trip to the
    API server, which DAG parsing must never make.
    """
    try:
        from airflow.sdk import Variable  # noqa: PLC0415 - only inside a running task

        value = Variable.get(SETTINGS_VARIABLE, default=None, deserialize_json=True)
    except Exception as exc:
        log.debug("Variable %s not readable here: %s", SETTINGS_VARIABLE, exc)
        return {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"Variable {SETTINGS_VARIABLE} must be a JSON object")
    return value


def apply_variables(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """`settings` with the Variable's keys applied; an unknown key is an error (typos)."""
    unknown = sorted(set(values) - set(VARIABLE_FIELDS) - OTHER_VARIABLE_KEYS)
    if unknown:
        raise ValueError(f"Variable {SETTINGS_VARIABLE}: unknown key {unknown[0]!r}")
    changes: dict[str, object] = {}
    for key, (name, convert) in VARIABLE_FIELDS.items():
        if values.get(key) not in (None, ""):
            changes[name] = convert(values[key])
    return settings.with_overrides(**changes) if changes else settings


def task_settings() -> Settings:
    """Environment, then the Variable `market_news`, then the Slack Connection's token."""
    settings = apply_variables(load_settings(), variable_overrides())
    try:
        from airflow.sdk import Connection  # noqa: PLC0415 - only inside a running task

        conn = Connection.get(SLACK_CONNECTION_ID)
    except Exception:
        return settings
    token = conn.password or None
    changes: dict[str, object] = {}
    if token:
        changes["slack_token"] = token
    if conn.host and conn.host.startswith("http"):
        changes["slack_api_url"] = conn.host
    return settings.with_overrides(**changes) if changes else settings


def report(summary: PassSummary) -> dict[str, int]:
    """Log a step's counts in one greppable line and return them for XCom."""
    counts = summary.to_dict()
    print(SUMMARY_LOG_PREFIX + json.dumps(counts), flush=True)
    return counts
