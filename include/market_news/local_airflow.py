"""Environment for running Airflow from this checkout (`make demo`, `make up`, tests).

Airflow's home, metadata database (SQLite) and logs live under the project's data folder,
and it loads this project's `dags/` and `plugins/`, never the examples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from market_news.settings import PROJECT_ROOT

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
    return env


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
