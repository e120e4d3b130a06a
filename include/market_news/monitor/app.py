"""The monitoring app: JSON endpoints and one HTML page over the store, read-only.

`create_app` builds a plain FastAPI app. Airflow mounts it under `/market-news` through
`plugins/market_news_plugin.py` (which adds Airflow's login check); tests and the
screenshot run it directly. Building the app opens nothing: the store's engine is
created on the first request and reused by every later one (`StoreReader`), because
Airflow builds plugin apps in every process that loads plugins.

Endpoints are plain `def`s: SQLAlchemy is synchronous, and Starlette runs such
endpoints in its thread pool instead of blocking the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import HTMLResponse

from market_news.monitor import queries
from market_news.monitor.database import StoreReader, describe_url
from market_news.monitor.page import REFRESH_SECONDS, render_page
from market_news.monitor.push_endpoint import push_router
from market_news.monitor.records import (
    AlertView,
    DailyExtraction,
    EventView,
    FeedHealth,
    Outbox,
    Summary,
)
from market_news.settings import Settings, load_settings

Limit = Annotated[int, Query(ge=1, le=queries.MAX_LIMIT, description="rows to return")]
Days = Annotated[int, Query(ge=1, le=queries.MAX_DAYS, description="days, today included")]


def create_app(
    database_url: str | None = None,
    *,
    dependencies: Sequence[Any] = (),
    push_settings: Callable[[], Settings] | None = None,
    push_key: str | None = None,
) -> FastAPI:
    """The monitoring app over the store at `database_url` (default: the settings' store).

    `dependencies` are FastAPI dependencies run before every monitoring endpoint; the
    Airflow plugin passes its login check here, so this package needs no Airflow import.
    `POST /push` is outside them: publishers authenticate with the shared secret of
    `push_settings()` (default: the settings from the environment, read per request).
    """
    reader = StoreReader(database_url if database_url is not None else _settings_url)
    app = FastAPI(
        title="market-news monitor",
        summary="Recent alerts, earnings events, feed health, extraction and outbox; push.",
        version="1",
        # Swagger UI and ReDoc load their scripts from a CDN: keep only the schema.
        docs_url=None,
        redoc_url=None,
    )
    app.state.store_reader = reader
    monitor = APIRouter(dependencies=[Depends(dependency) for dependency in dependencies])
    _add_monitor_routes(monitor, reader)
    app.include_router(monitor)
    app.include_router(push_router(push_settings or _env_settings, key=push_key))
    return app


def _add_monitor_routes(app: APIRouter, reader: StoreReader) -> None:
    """The read-only page and JSON endpoints over the store."""

    @app.get("/", response_class=HTMLResponse, summary="The monitoring page (HTML)")
    def page() -> HTMLResponse:
        with reader.snapshot() as connection:
            data = queries.dashboard(connection)
        html = render_page(data, store=describe_url(reader.url), refresh_seconds=REFRESH_SECONDS)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/api/summary", summary="Headline figures")
    def summary() -> Summary:
        with reader.snapshot() as connection:
            if connection is None:
                return queries.empty_summary()
            return queries.summary(connection)

    @app.get("/api/alerts", summary="Recent alerts, newest first")
    def alerts(limit: Limit = 50) -> list[AlertView]:
        with reader.snapshot() as connection:
            return [] if connection is None else queries.recent_alerts(connection, limit)

    @app.get("/api/events", summary="Recent earnings events with beat/miss per metric")
    def events(limit: Limit = 50) -> list[EventView]:
        with reader.snapshot() as connection:
            return [] if connection is None else queries.recent_events(connection, limit)

    @app.get("/api/feeds", summary="Feed health")
    def feeds() -> list[FeedHealth]:
        with reader.snapshot() as connection:
            return [] if connection is None else queries.feed_health(connection)

    @app.get("/api/extraction-daily", summary="Articles and extracted items per UTC day")
    def extraction_daily(days: Days = 14) -> list[DailyExtraction]:
        with reader.snapshot() as connection:
            return [] if connection is None else queries.extraction_daily(connection, days)

    @app.get("/api/outbox", summary="Alerts per status and the undelivered ones")
    def outbox(limit: Limit = 100) -> Outbox:
        with reader.snapshot() as connection:
            if connection is None:
                return queries.dashboard(None).outbox
            return queries.outbox(connection, limit)


def _settings_url() -> str:
    """The store named by the settings (read on the first request, not at import)."""
    return load_settings().database_url


def _env_settings() -> Settings:
    """Settings for a push request, from the environment at request time."""
    return load_settings()


__all__ = ["create_app"]
