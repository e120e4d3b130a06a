"""`make up`: Airflow standalone with this project's DAGs and plugins on http://localhost:8080.

Unless MARKET_NEWS_FEEDS is set, the bundled sample feeds are served on loopback and used,
so the UI shows real runs on a machine without internet access. Standalone runs a
triggerer too, where the push DAG's AssetWatcher listens for the push doorbell through
the Connection `redis_default`, which `airflow_env` points at `MARKET_NEWS_REDIS_URL`
(127.0.0.1:6379 unless set).
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

from market_news.demo.sample_server import serve_samples, write_feeds_file
from market_news.local_airflow import airflow_command, airflow_env, migrate_metadata
from market_news.settings import DEFAULT_DATA_DIR, DEFAULT_REDIS_URL, push_channel_setting

UP_DIR = DEFAULT_DATA_DIR / "up"


def main() -> int:
    UP_DIR.mkdir(parents=True, exist_ok=True)
    env = airflow_env(UP_DIR)
    env.setdefault("AIRFLOW__API__PORT", "8080")
    print("[up] preparing Airflow's metadata database", file=sys.stderr, flush=True)
    migrate_metadata(env, UP_DIR / "airflow-migrate.log")
    with serve_samples() as server:
        if not os.environ.get("MARKET_NEWS_FEEDS"):
            feeds_file = UP_DIR / "feeds.yaml"
            write_feeds_file(server, feeds_file)
            env["MARKET_NEWS_FEEDS"] = str(feeds_file)
            env["MARKET_NEWS_ALLOW_PRIVATE_HOSTS"] = "1"
            print(f"[up] sample feeds at {server.base_url}", file=sys.stderr, flush=True)
        redis = urlsplit(env.get("MARKET_NEWS_REDIS_URL") or DEFAULT_REDIS_URL)
        print(  # host and port only: a Redis URL may carry a password
            f"[up] push: POST /market-news/push (needs MARKET_NEWS_PUSH_SECRET) queues in "
            f"Redis at {redis.hostname}:{redis.port or 6379}; the triggerer listens on "
            f"{push_channel_setting(env)!r}",
            file=sys.stderr,
            flush=True,
        )
        passwords = UP_DIR / "airflow" / "simple_auth_manager_passwords.json.generated"
        print(
            "[up] UI on http://localhost:8080 — the login (user admin) is printed by Airflow "
            f"below and kept in {passwords}",
            file=sys.stderr,
            flush=True,
        )
        try:
            return subprocess.call(airflow_command("standalone"), env=env)  # noqa: S603
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
