"""The address policy: what is refused, in which spelling, and that it happens before connect."""

from __future__ import annotations

import pytest
from market_news.fetch import (
    BlockedAddressError,
    FetchPolicy,
    InvalidURLError,
    check_address,
    check_url,
    fetch,
)
from market_news.fetch.guard import parse_ipv4_literal, parse_target

from tests.support.http_server import LocalHTTPServer, NetworkGuard, Reply

BLOCKED_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "metadata"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "shared"),
    ("100.127.255.254", "shared"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("0.1.2.3", "this network"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local with zone"),
    ("fd00:ec2::254", "metadata v6"),
    ("::ffff:127.0.0.1", "v4-mapped loopback"),
    ("::ffff:169.254.169.254", "v4-mapped metadata"),
    ("::ffff:10.0.0.1", "v4-mapped private"),
    ("64:ff9b::7f00:1", "NAT64 of loopback"),
    ("2002:7f00:1::1", "6to4 of loopback"),
    ("192.0.2.1", "documentation"),
    ("198.18.0.1", "benchmarking"),
]


@pytest.mark.parametrize(("ip", "kind"), BLOCKED_ADDRESSES)
def test_check_address_refuses_special_addresses(ip: str, kind: str) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        check_address(ip)
    assert "MARKET_NEWS_ALLOW_PRIVATE_HOSTS" in caught.value.reason, kind


@pytest.mark.parametrize(
    "ip", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_check_address_accepts_public_addresses(ip: str) -> None:
    check_address(ip)


def test_check_address_names_the_mapped_address() -> None:
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 \(loopback\)"):
        check_address("::ffff:7f00:1")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f.0.0.0x1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_ipv4_literals_in_every_spelling(host: str, expected: str) -> None:
    assert str(parse_ipv4_literal(host)) == expected


@pytest.mark.parametrize("host", ["example.com", "0x7f.example", "1.2.3.4.5", "127.0.0.1a"])
def test_names_are_not_ipv4_literals(host: str) -> None:
    assert parse_ipv4_literal(host) is None


@pytest.mark.parametrize(
    "host", ["256.0.0.1", "1.2.3.256", "4294967296", "08.0.0.1", "127.16777216"]
)
def test_out_of_range_numeric_hosts_are_invalid(host: str) -> None:
    with pytest.raises(InvalidURLError):
        check_url(f"http://{host}/")


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0x7f.1/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://0/",
        "http://8.8.8.010/",  # not private, but a parser-differential spelling
    ],
)
def test_check_url_refuses_ambiguous_ipv4_spellings(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="ambiguous IPv4 spelling"):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "//example.com/feed",
        "example.com/feed",
        "http:///feed",
        "http://",
        "http://user:pass@example.com/feed",
        "http://exa mple.com/",
        "http://example.com/\r\nX-Injected: 1",
        "http://example.com\\@127.0.0.1/",
        "http://[::1/",
    ],
)
def test_check_url_refuses_non_http_and_malformed_urls(url: str) -> None:
    with pytest.raises((InvalidURLError, BlockedAddressError)):
        check_url(url)


def test_check_url_accepts_plain_urls() -> None:
    target = parse_target("https://Example.COM:8443/feed.xml?x=1#frag")
    assert (target.scheme, target.host, target.port) == ("https", "example.com", 8443)
    assert target.request_uri == "/feed.xml?x=1"
    assert parse_target("http://[2606:4700::1]/").host == "2606:4700::1"
    check_url("http://127.0.0.1:8080/feed")  # loopback is an address question, not syntax


# --- refusals through fetch(): before any lookup or connect --------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/feed",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1%25eth0]/",
        "http://[fc00::1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.0.1./",
    ],
)
def test_fetch_refuses_special_addresses_before_connecting(
    url: str, strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    with pytest.raises(BlockedAddressError):
        fetch(url, strict_policy)
    assert net.connects == []
    assert net.lookups == []  # literals never reach the resolver


@pytest.mark.parametrize("scheme", ["file", "ftp", "gopher", "dict"])
def test_fetch_refuses_other_schemes(
    scheme: str, strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    with pytest.raises(InvalidURLError, match="only http and https"):
        fetch(f"{scheme}://example.com/x", strict_policy)
    assert net.connects == [] and net.lookups == []


def test_dns_rebinding_to_loopback_is_refused(
    server: LocalHTTPServer, strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    server.route("/feed", Reply(headers={"Content-Type": "text/xml"}, body=b"<rss/>"))
    net.hosts["feeds.example"] = ["127.0.0.1"]
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 is loopback"):
        fetch(server.url("/feed", host="feeds.example"), strict_policy)
    assert net.lookups == ["feeds.example"]
    assert net.connects == []
    assert server.requests == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    # Answers rotate: if any address is refused, the name is refused, so no retry can land
    # on the private one.
    net.hosts["mixed.example"] = ["93.184.216.34", "10.0.0.7"]
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.7"):
        fetch("http://mixed.example/feed", strict_policy)
    assert net.connects == []


def test_name_resolving_to_mapped_ipv6_loopback_is_refused(
    strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    net.hosts["v6.example"] = ["::ffff:127.0.0.1"]
    with pytest.raises(BlockedAddressError, match=r"IPv6 form of 127\.0\.0\.1"):
        fetch("http://v6.example/", strict_policy)
    assert net.connects == []


def test_allow_private_hosts_lifts_the_address_check(
    server: LocalHTTPServer, policy: FetchPolicy, net: NetworkGuard
) -> None:
    server.route("/feed", Reply(headers={"Content-Type": "text/xml"}, body=b"<rss/>"))
    net.hosts["feeds.example"] = ["127.0.0.1"]
    result = fetch(server.url("/feed", host="feeds.example"), policy)
    assert result.body == b"<rss/>"
    # Connected to the vetted address, while the request still names the host.
    assert net.connects == ["127.0.0.1"]
    assert server.requests[0].headers["host"] == f"feeds.example:{server.port}"


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://[::1]/",
        "http://0x7f000001/",
        "http://internal.example/",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_a_private_address_is_refused(
    location: str,
    server: LocalHTTPServer,
    strict_policy: FetchPolicy,
    net: NetworkGuard,
    loopback_is_public: None,
) -> None:
    net.hosts["internal.example"] = ["192.168.0.10"]
    server.route("/feed", Reply.redirect(location))
    with pytest.raises((BlockedAddressError, InvalidURLError)) as caught:
        fetch(server.url("/feed"), strict_policy)
    assert caught.value.url == server.url("/feed")
    assert "after redirect to" in caught.value.reason
    assert net.connects == ["127.0.0.1"]  # the first hop only
    assert server.paths() == ["/feed"]


def test_redirect_to_a_name_rebound_to_loopback_is_refused(
    server: LocalHTTPServer, strict_policy: FetchPolicy, net: NetworkGuard
) -> None:
    """The first hop is public (patched), the redirect target's name resolves to 127.0.0.2."""
    net.hosts["public.example"] = ["127.0.0.1"]
    net.hosts["rebind.example"] = ["127.0.0.2"]
    server.route("/feed", Reply.redirect(f"http://rebind.example:{server.port}/x"))
    import ipaddress

    from market_news.fetch import guard

    real = guard.blocked_reason
    allowed = ipaddress.ip_address("127.0.0.1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(guard, "blocked_reason", lambda a: None if a == allowed else real(a))
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.2 is loopback"):
            fetch(server.url("/feed", host="public.example"), strict_policy)
    assert net.connects == ["127.0.0.1"]
