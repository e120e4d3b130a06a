"""Environment for running Airflow from this checkout (`make demo`, `make up`, tests).

Airflow's home, metadata database (SQLite) and logs live under the project's data folder,
and it loads this project's `dags/` and `plugins/`, never the examples. The Connection
`redis_default`, which the push DAG's AssetWatcher listens through in the triggerer, is
derived from `MARKET_NEWS_REDIS_URL`, so the doorbell and the queue share one Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from market_news.settings import DEFAULT_REDIS_URL, PROJECT_ROOT

#: The environment variable Airflow reads the push doorbell's Connection from.
REDIS_CONNECTION_ENV = "AIRFLOW_CONN_REDIS_DEFAULT"

VENV_BIN = Path(sys.executable).parent


def airflow_env(
    data_dir: Path, base: Mapping[str, str] | None = None, *, metadata_url: str | None = None
) -> dict[str, str]:
    """The environment variables that point Airflow at this project and `data_dir`."""
    home = data_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url
            or f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "MARKET_NEWS_DATA_DIR": str(data_dir),
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    if not env.get(REDIS_CONNECTION_ENV):
        redis_url = env.get("MARKET_NEWS_REDIS_URL") or DEFAULT_REDIS_URL
        env[REDIS_CONNECTION_ENV] = redis_connection(redis_url)
    return env


def redis_connection(redis_url: str) -> str:
    """An Airflow Connection (JSON) for the Redis server of `redis_url`.

    The Redis provider's hook reads the database number from the Connection's extra,
    not from the URL's path, hence JSON rather than the URL as is.
    """
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"not a redis:// URL: {parts.scheme}://...")
    extra: dict[str, object] = {}
    database = parts.path.strip("/")
    if database.isdigit():
        extra["db"] = int(database)
    if parts.scheme == "rediss":
        extra["ssl"] = True
    connection = {
        "conn_type": "redis",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "extra": extra,
    }
    return json.dumps({key: value for key, value in connection.items() if value is not None})


def airflow_command(*args: str) -> list[str]:
    """`airflow ARGS` from this environment's own installation."""
    return [str(VENV_BIN / "airflow"), *args]


def migrate_metadata(env: Mapping[str, str], log_file: Path) -> None:
    """Create or upgrade Airflow's metadata database (idempotent)."""
    with log_file.open("a", encoding="utf-8") as sink:
        subprocess.run(  # noqa: S603 - our own airflow executable, fixed arguments
            airflow_command("db", "migrate"),
            env=dict(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            check=True,
        )
