"""Fault: redirect loops and redirects into private addresses, refused with a clear reason.

Here the production address policy is on (`allow_private_hosts=False`); only the test
server's own 127.0.0.1 is treated as public, so the guard's verdict on the redirect
target is what the test observes. The network guard proves no packet left loopback.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from fault_support import HTML_TYPE, RSS_TYPE, Story, dump_tables, rss, settings_for
from market_news.fetch import guard
from market_news.pipeline import run_pass

from tests.support.http_server import LocalHTTPServer, NetworkGuard, Reply

pytestmark = pytest.mark.fault


@pytest.fixture(autouse=True)
def test_server_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    real = guard.blocked_reason
    test_server = ipaddress.ip_address("127.0.0.1")

    def blocked_reason(address: guard.IPAddress) -> str | None:
        return None if address == test_server else real(address)

    monkeypatch.setattr(guard, "blocked_reason", blocked_reason)


def test_redirect_loops_and_private_targets_are_refused_and_the_pass_goes_on(
    tmp_path: Path, server: LocalHTTPServer, net: NetworkGuard
) -> None:
    net.hosts["rebind.example"] = ["10.1.2.3"]  # a public-looking name for a private address
    good, sneaky = Story("QRDA"), Story("QRDB")
    server.route("/loop-a.xml", Reply.redirect(server.url("/loop-b.xml")))
    server.route("/loop-b.xml", Reply.redirect(server.url("/loop-a.xml")))
    server.route("/metadata.xml", Reply.redirect("http://169.254.169.254/latest/meta-data/"))
    server.route("/rebind.xml", Reply.redirect("http://rebind.example/feed.xml"))
    server.route("/decimal.xml", Reply.redirect("http://0x0a000001:8080/admin"))
    server.route(
        "/good.xml", body=rss(server.url(""), [good, sneaky]), headers={"Content-Type": RSS_TYPE}
    )
    server.route(
        f"/articles/{good.slug}.html", body=good.page(), headers={"Content-Type": HTML_TYPE}
    )
    server.route(f"/articles/{sneaky.slug}.html", Reply.redirect("http://[::ffff:10.0.0.1]/"))
    settings = settings_for(
        tmp_path,
        {
            "loop": server.url("/loop-a.xml"),
            "metadata": server.url("/metadata.xml"),
            "rebind": server.url("/rebind.xml"),
            "decimal": server.url("/decimal.xml"),
            "good": server.url("/good.xml"),
        },
        allow_private_hosts=False,
    )

    summary = run_pass(settings)

    assert summary.feeds == 5
    assert summary.errors == 5  # four feeds and one article
    assert summary.new_articles == 1
    rows = dump_tables(settings.database_url)
    errors = {row["name"]: row["last_error"] for row in rows["feeds"]}
    assert "redirect loop" in errors["loop"]
    assert "169.254.169.254 is a cloud metadata address" in errors["metadata"]
    assert "10.1.2.3" in errors["rebind"] and "after redirect" in errors["rebind"]
    assert "10.0.0.1" in errors["decimal"] and "after redirect" in errors["decimal"]
    assert errors["good"] is None
    [failed] = [row for row in rows["entries"] if row["status"] == "failed"]
    assert "10.0.0.1" in failed["last_error"]
    assert not any(host.startswith(("10.", "169.254.")) for host in net.connects)
