"""Rendering the monitoring page: the dashboard data through the Jinja2 template.

Autoescape is on for the whole template: titles, errors and feed names come from feeds
and remote servers, so every value is HTML-escaped unless it was built here as markup
(`link`, whose parts are escaped before they are joined).
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from market_news.monitor import formatting
from market_news.monitor.links import safe_href
from market_news.monitor.queries import Dashboard
from market_news.monitor.template import PAGE_TEMPLATE

REFRESH_SECONDS = 30


def link(url: str | None, text: str | None, css: str = "") -> Markup:
    """An escaped link opening in a new tab, or the escaped text alone for a non-web URL."""
    label = escape(text or "")
    href = safe_href(url)
    if href is None:
        return Markup('<span class="clip {}">{}</span>').format(css, label)
    return Markup(
        '<a class="clip {}" href="{}" title="{}" target="_blank" rel="noopener noreferrer">{}</a>'
    ).format(css, href, text or "", label)


def _environment() -> Environment:
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
    env.filters.update(
        money=formatting.money,
        percent=formatting.percent,
        when=formatting.when,
        ago=formatting.ago,
        metric_label=formatting.metric_label,
    )
    env.globals["link"] = link
    return env


_TEMPLATE = _environment().from_string(PAGE_TEMPLATE)


def render_page(
    dashboard: Dashboard,
    *,
    store: str,
    now: datetime | None = None,
    refresh_seconds: int = REFRESH_SECONDS,
) -> str:
    """The whole HTML document for `dashboard`; `store` names the database (no password)."""
    return _TEMPLATE.render(
        d=dashboard,
        store=store,
        now=now or dashboard.summary.generated_at,
        refresh_seconds=refresh_seconds,
    )


__all__ = ["REFRESH_SECONDS", "link", "render_page"]
