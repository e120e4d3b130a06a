"""Failure alerts to Slack through the Slack provider's notifier, once per failure.

Two callbacks, split so that no failure is reported twice:

- every task carries `TASK_FAILURE_ALERT` as `on_failure_callback` (in `DEFAULT_ARGS`).
  Airflow calls it when a task fails for good, never on a failure that will be retried
  (that is `on_retry_callback`), so one failed task gives one message, with its error;
- every DAG carries `DAG_FAILURE_ALERT`. It stays silent when the run failed because a
  task failed (Airflow passes `reason="task_failure"`: that task has already spoken) and
  speaks for the failures no task reports: a run that timed out or deadlocked.

A DAG-level callback alone would miss task failures in runs that still succeed (the
processing DAG's `deliver` runs `all_done`, so a failed `process` leaves a green run);
task-level callbacks alone would miss timeouts. Messages go through the Connection
`market_news_slack` (token = password; host, when it is a URL, = the API base URL) to
the channel in the Variable `market_news` key `ops_channel`, else the alerts channel.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from airflow.providers.slack.notifications.slack import SlackNotifier
from market_news.slack.escape import escape_mrkdwn, truncate

log = logging.getLogger("market_news.dags")

#: The Connection carrying the Slack bot token (and, optionally, the API URL as host).
SLACK_CONNECTION_ID = "market_news_slack"
#: Slack allows 40k characters; an alert about a failure needs far fewer.
MAX_ERROR_CHARS = 1500

Scope = Literal["task", "dag"]


class FailureNotifier(SlackNotifier):
    """The provider's `SlackNotifier`, with the message built from the failure's context."""

    template_fields = ()  # the text is built in `notify`; an error message is not a template

    def __init__(self, scope: Scope) -> None:
        super().__init__(slack_conn_id=SLACK_CONNECTION_ID, text="", unfurl_links=False)
        self.scope = scope

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        """Nothing to render (the text is built in `notify`). Also, `dag.test()` hands DAG
        callbacks a serialized DAG that cannot render templates, which would fail here."""

    def notify(self, context: Any) -> None:
        if self.scope == "dag" and context.get("reason") == "task_failure":
            log.info("DAG failure already reported by the failed task; no second alert")
            return
        self.channel = ops_channel()
        self.base_url = _connection_api_url()
        self.text = failure_text(context, self.scope)
        self.__dict__.pop("hook", None)  # the hook caches base_url: rebuild it
        super().notify(context)


def failure_text(context: Any, scope: Scope) -> str:
    """One short message: what failed, where, why, and the log link."""
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or "?"
    run_id = context.get("run_id") or getattr(context.get("dag_run"), "run_id", "?")
    if scope == "dag":
        reason = str(context.get("reason") or "failed")
        return f":red_circle: market-news DAG *{dag_id}* run `{run_id}` failed: {reason}"
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    where = f"{task_id}[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else task_id
    error = context.get("exception")
    why = truncate(escape_mrkdwn(" ".join(str(error).split())), MAX_ERROR_CHARS) if error else "?"
    lines = [
        f":red_circle: market-news task *{dag_id}.{where}* failed in run `{run_id}`",
        f"> {why}",
    ]
    log_url = getattr(ti, "log_url", None)
    if isinstance(log_url, str) and log_url.startswith("http"):
        lines.append(f"<{log_url}|log>")
    return "\n".join(lines)


def ops_channel() -> str:
    """`ops_channel` from the Variable `market_news`, else the alerts channel."""
    from market_news.settings import load_settings  # noqa: PLC0415
    from market_news_common import variable_overrides  # noqa: PLC0415 - run time only

    channel = variable_overrides().get("ops_channel")
    return str(channel) if channel else load_settings().slack_channel


def _connection_api_url() -> str | None:
    """The Connection's host when it is a URL (how this project stores the API URL)."""
    try:
        from airflow.sdk import Connection  # noqa: PLC0415 - run time only

        host = Connection.get(SLACK_CONNECTION_ID).host
    except Exception:
        return None
    return host if host and host.startswith("http") else None


TASK_FAILURE_ALERT = FailureNotifier("task")
DAG_FAILURE_ALERT = FailureNotifier("dag")
