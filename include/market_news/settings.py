"""One settings object, read from the environment (and an optional `.env` file).

The command line and the Airflow DAGs build it the same way; inside Airflow tasks a
Connection or Variable may override single fields (see `dags/_airflow_settings.py`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project root when running from a checkout (include/market_news/ -> project root).
PROJECT_ROOT = PACKAGE_DIR.parent.parent
DEFAULT_FEEDS_FILE = PROJECT_ROOT / "include" / "feeds.yaml"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_CHANNEL = "#market-news"
DEFAULT_MAX_BODY_BYTES = 15 * 1024 * 1024
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
#: Redis Pub/Sub channel the push endpoint rings after queueing items; the push DAG's
#: AssetWatcher listens on it. One setting for both sides, read from the environment.
DEFAULT_PUSH_CHANNEL = "market_news:push:events"
#: The Redis list pushed items wait in (its `:claimed` twin holds the ones being stored).
DEFAULT_PUSH_KEY = "market_news:push"
PUSH_CHANNEL_ENV = "MARKET_NEWS_PUSH_CHANNEL"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a pass needs to know; the token is kept out of `repr`."""

    feeds_file: Path = DEFAULT_FEEDS_FILE
    db_url: str = ""
    slack_token: str | None = field(default=None, repr=False)
    slack_channel: str = DEFAULT_CHANNEL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    allow_private_hosts: bool = False
    data_dir: Path = DEFAULT_DATA_DIR
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    routes_file: Path | None = None
    slack_pace_s: float = 1.0
    redis_url: str = DEFAULT_REDIS_URL
    push_secret: str | None = field(default=None, repr=False)
    push_channel: str = DEFAULT_PUSH_CHANNEL
    push_key: str = DEFAULT_PUSH_KEY

    @property
    def dry_run(self) -> bool:
        """No token means alerts are rendered to standard error, never posted."""
        return not self.slack_token

    @property
    def database_url(self) -> str:
        """The store's SQLAlchemy URL; an SQLite file under the data folder by default."""
        return self.db_url or f"sqlite:///{self.data_dir / 'market_news.db'}"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (Airflow Connections/Variables use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build settings from `environ` (default: the process environment plus `.env`)."""
    if environ is None:
        if dotenv:
            _load_dotenv()
        environ = os.environ
    data_dir = Path(environ.get("MARKET_NEWS_DATA_DIR") or DEFAULT_DATA_DIR)
    return Settings(
        feeds_file=Path(environ.get("MARKET_NEWS_FEEDS") or DEFAULT_FEEDS_FILE),
        db_url=environ.get("MARKET_NEWS_DB_URL", ""),
        slack_token=environ.get("SLACK_BOT_TOKEN") or None,
        slack_channel=environ.get("MARKET_NEWS_SLACK_CHANNEL") or DEFAULT_CHANNEL,
        slack_api_url=environ.get("MARKET_NEWS_SLACK_API_URL") or DEFAULT_SLACK_API_URL,
        allow_private_hosts=_flag(environ.get("MARKET_NEWS_ALLOW_PRIVATE_HOSTS")),
        data_dir=data_dir,
        connect_timeout_s=float(environ.get("MARKET_NEWS_CONNECT_TIMEOUT", "5")),
        read_timeout_s=float(environ.get("MARKET_NEWS_READ_TIMEOUT", "15")),
        max_body_bytes=int(environ.get("MARKET_NEWS_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
        routes_file=Path(environ["MARKET_NEWS_ROUTES"])
        if environ.get("MARKET_NEWS_ROUTES")
        else None,
        slack_pace_s=float(environ.get("MARKET_NEWS_SLACK_PACE_S", "1.0")),
        redis_url=environ.get("MARKET_NEWS_REDIS_URL") or DEFAULT_REDIS_URL,
        push_secret=environ.get("MARKET_NEWS_PUSH_SECRET") or None,
        push_channel=push_channel_setting(environ),
        push_key=(environ.get("MARKET_NEWS_PUSH_KEY") or "").strip() or DEFAULT_PUSH_KEY,
    )


def push_channel_setting(environ: Mapping[str, str] | None = None) -> str:
    """The doorbell channel alone, for DAG parsing, which must not read `.env` or more.

    The endpoint (through `load_settings`) and the push DAG's AssetWatcher both call this,
    so they cannot disagree as long as both processes see the same environment.
    """
    source = os.environ if environ is None else environ
    return (source.get(PUSH_CHANNEL_ENV) or "").strip() or DEFAULT_PUSH_CHANNEL


def _load_dotenv() -> None:
    """Read `.env` from the working directory; the real environment always wins."""
    from dotenv import load_dotenv  # noqa: PLC0415 - optional, only on first load

    load_dotenv(Path.cwd() / ".env", override=False)
