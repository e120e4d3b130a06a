"""The Airflow plugin registers the app and the navigation entry, and Airflow finds it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PLUGINS_DIR = PROJECT_ROOT / "plugins"
PLUGIN_FILE = PLUGINS_DIR / "market_news_plugin.py"


@pytest.fixture(scope="module")
def plugin_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("market_news_plugin_under_test", PLUGIN_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plugin_registers_app_and_nav_entry(plugin_module: ModuleType) -> None:
    from airflow.plugins_manager import AirflowPlugin

    plugin = plugin_module.MarketNewsPlugin
    assert issubclass(plugin, AirflowPlugin) and plugin.name == "market_news"
    (app_entry,) = plugin.fastapi_apps
    assert isinstance(app_entry["app"], FastAPI)
    assert app_entry["url_prefix"] == "/market-news" and app_entry["name"] == "Market news"
    (view,) = plugin.external_views
    assert view == {
        "name": "Market news",
        "href": "/market-news/",
        "destination": "nav",
        "url_route": "market-news",
    }
    paths = {route.path for route in app_entry["app"].routes}  # type: ignore[attr-defined]
    assert {"/", "/api/summary", "/api/alerts", "/api/events", "/api/feeds"} <= paths
    assert {"/api/extraction-daily", "/api/outbox"} <= paths


def test_plugin_app_requires_an_airflow_login(plugin_module: ModuleType) -> None:
    app = plugin_module.MarketNewsPlugin.fastapi_apps[0]["app"]
    with TestClient(app) as client:
        assert client.get("/api/summary").status_code == 401
        assert client.get("/").status_code == 401


def test_plugin_push_endpoint_uses_the_push_secret_not_the_login(
    plugin_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishers have no Airflow login: without a configured secret push is 503, not 401."""
    monkeypatch.delenv("MARKET_NEWS_PUSH_SECRET", raising=False)
    app = plugin_module.MarketNewsPlugin.fastapi_apps[0]["app"]
    with TestClient(app) as client:
        answer = client.post("/push", json={"feed": "x", "url": "https://x.example/", "title": "t"})
    assert answer.status_code == 503
    assert "not configured" in answer.json()["detail"]


def _airflow_env(tmp_path: Path, store_url: str) -> dict[str, str]:
    home = tmp_path / "airflow"
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            # The plugin must not open the store when it loads: point it at nothing.
            "MARKET_NEWS_DB_URL": store_url,
        }
    )
    return env


@pytest.mark.slow
def test_airflow_discovers_the_plugin_in_the_plugins_folder(tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "store.db"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "plugins", "--output", "json"],
        env=_airflow_env(tmp_path, f"sqlite:///{missing}"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    start = result.stdout.index("[")
    plugins: list[dict[str, Any]] = json.loads(result.stdout[start:])
    (ours,) = [plugin for plugin in plugins if plugin["name"] == "market_news"]
    assert ours["source"] == "$PLUGINS_FOLDER/market_news_plugin.py"
    assert ours["fastapi_apps"][0]["url_prefix"] == "/market-news"
    assert ours["external_views"][0]["url_route"] == "market-news"
    assert not missing.parent.exists()  # loading the plugin opened no store
