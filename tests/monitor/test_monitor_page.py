"""The HTML page: every figure present, every outside value escaped, nothing external."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from market_news.monitor.formatting import ago, metric_label, money, percent
from market_news.monitor.links import safe_href, slack_link
from market_news.monitor.page import link


@pytest.fixture
def page(client: TestClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    return response.text


def test_hostile_title_is_escaped(page: str) -> None:
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "EPS &amp; revenue" in page


def test_feed_error_is_escaped(page: str) -> None:
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_page_shows_beat_and_miss_with_colour_classes(page: str) -> None:
    assert re.search(r'class="metric beat">\s*<span class="name">EPS \(adj\.\)</span>', page)
    intel_eps = re.search(r'class="metric miss">.*?-\$0\.46.*?</div>', page, re.S)
    assert intel_eps and "-2200.00%" in intel_eps.group(0)
    assert "$40.59B" in page and "$13.28B" in page and "$6.10" in page


def test_page_shows_feed_health_outbox_and_links(page: str) -> None:
    assert '<span class="badge failing">failing</span>' in page
    assert ">50%<" in page and ">67%<" in page  # 304 ratios of wire and desk
    assert "https://slack.com/archives/C0123456789/p1730318700123456" in page
    assert "pending: 2" in page and "dry run: 1" in page
    assert "permanent: channel_not_found" in page


def test_page_refreshes_and_loads_nothing_external(page: str) -> None:
    assert '<meta http-equiv="refresh" content="30">' in page
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""\ssrc=|url\(|@import""", page)


def test_links_are_escaped_and_only_for_web_urls() -> None:
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,<b>") is None
    assert safe_href("https://news.example.com/a?b=1") == "https://news.example.com/a?b=1"
    rendered = str(link('https://x.example/"><script>', "<i>t</i>"))
    assert "<script>" not in rendered and "<i>" not in rendered
    assert "&#34;&gt;&lt;script&gt;" in rendered
    assert str(link("javascript:alert(1)", "t")).startswith("<span")


def test_slack_links() -> None:
    assert slack_link("#market-news", None) == "https://slack.com/app_redirect?channel=market-news"
    assert slack_link("C0123456789", "1.5") == "https://slack.com/archives/C0123456789/p15"
    assert slack_link("C0123456789", None) == ("https://slack.com/app_redirect?channel=C0123456789")
    assert slack_link("#a&b", "1.2") == "https://slack.com/app_redirect?channel=a%26b"
    assert slack_link(None, "1.2") is None


@pytest.mark.parametrize(
    ("value", "currency", "per_share", "expected"),
    [
        (6.03, "USD", True, "$6.03"),
        (-0.46, "USD", True, "-$0.46"),
        (40.59e9, "USD", False, "$40.59B"),
        (1.2e12, "JPY", False, "¥1.20T"),
        (5e6, "SEK", False, "5.00M SEK"),
        (None, "USD", True, "–"),
    ],
)
def test_money(value: float | None, currency: str, per_share: bool, expected: str) -> None:
    assert money(value, currency, per_share=per_share) == expected


def test_percent_ago_and_labels() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2024, 10, 30, 20, 0, tzinfo=UTC)
    assert percent(14.856) == "+14.86%" and percent(-3.0) == "-3.00%"
    assert percent(0.6667, signed=False) == "67%"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(now + timedelta(minutes=4), now) == "in 4 min"
    assert ago(now - timedelta(days=3), now) == "3 d ago"
    assert (
        metric_label("eps", "gaap") == "EPS (GAAP)" and metric_label("revenue", None) == "Revenue"
    )


def test_openapi_schema_without_cdn_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/extraction-daily" in schema["paths"]
    assert client.get("/docs").status_code == 404
