"""Airflow plugin: the "Market news" page in the Airflow UI.

The page itself is `market_news.monitor.app`, a plain FastAPI app. This file only
hands it to Airflow:

- `fastapi_apps` mounts it in the api-server under `/market-news`;
- `external_views` adds a "Market news" entry to the UI's navigation that shows
  `/market-news/` inside the UI (the `url_route` makes it an embedded view at
  `/plugin/market-news` rather than a plain link).

Airflow imports this module in every process that loads plugins (api-server, scheduler,
dag-processor, workers), so it must stay cheap: building the app reads no settings,
opens no database and makes no network call (the store is opened on the first request).

Plugin apps are not behind Airflow's login by default, and this page shows alert
contents and feed errors, so every monitoring endpoint requires an Airflow user: the
session cookie the UI already carries (the framed page sends it), or a `Bearer` token for
API clients. The one exception is `POST /market-news/push`: publishers have no Airflow
account, so it checks the shared secret `MARKET_NEWS_PUSH_SECRET` instead.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from fastapi import Request
from market_news.monitor.app import create_app

URL_PREFIX = "/market-news"


async def require_airflow_user(request: Request) -> None:
    """Refuse requests without a valid Airflow session or token (401/403).

    Airflow's security module is imported here, on the first request, not at module
    level: importing it costs seconds, and only the api-server ever serves a request.
    """
    from airflow.api_fastapi.core_api.security import get_user  # noqa: PLC0415 - see above
    from fastapi.security import HTTPBearer  # noqa: PLC0415

    credentials = await HTTPBearer(auto_error=False)(request)
    await get_user(request, _oauth_token=None, bearer_credentials=credentials)


monitor_app = create_app(dependencies=[require_airflow_user])


class MarketNewsPlugin(AirflowPlugin):
    """Registers the monitoring app and its navigation entry."""

    name = "market_news"
    fastapi_apps = [  # noqa: RUF012 - Airflow reads these class attributes
        {"app": monitor_app, "url_prefix": URL_PREFIX, "name": "Market news"},
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "Market news",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "market-news",
        },
    ]
