"""The address policy (SSRF guard): which URLs and which IP addresses may be fetched.

A feed URL is user input, and so is every redirect and every article link inside a feed.
The decision is made on the address actually connected to (see `client`), after resolving
the host ourselves, so DNS rebinding and odd spellings of an address cannot slip through:
`check_address` is the pure decision, `check_url` the syntax check done before any lookup.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from market_news.fetch.errors import (
    BlockedAddressError,
    ConnectionFailedError,
    InvalidURLError,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_METADATA = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack...
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_NUMERIC_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_HINT = "set MARKET_NEWS_ALLOW_PRIVATE_HOSTS=1 to allow it"


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL, split the way the connection will use it."""

    url: str
    scheme: str
    host: str  # lower case; IPv6 without brackets
    port: int
    request_uri: str  # path and query, what goes on the request line


def check_url(url: str) -> None:
    """Refuse anything but a plain http(s) URL with a host; raises a `FetchError`."""
    parse_target(url)


def parse_target(url: str) -> Target:
    """`check_url`, returning the parts; urllib3's own parser, so no parser differential."""
    if _BAD_URL_CHARS.search(url):
        raise InvalidURLError(url, "URL contains whitespace, control characters or backslashes")
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise InvalidURLError(url, "not a valid URL") from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "(none)"
        raise InvalidURLError(url, f"scheme {shown!r} refused: only http and https are fetched")
    if parsed.auth is not None:
        raise InvalidURLError(url, "credentials in URLs are not supported")
    host = (parsed.host or "").strip("[]").lower()
    if not host:
        raise InvalidURLError(url, "URL has no host")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise InvalidURLError(url, "invalid IPv6 address") from None
    else:
        literal = parse_ipv4_literal(host, url=url)
        if literal is not None and str(literal) != host.removesuffix("."):
            # 2130706433, 0x7f000001, 0177.0.0.1, 127.1: parsers disagree about these, and
            # nobody writes a feed URL that way except to get past a filter.
            meaning = f"{literal}, {blocked_reason(literal) or 'public'}"
            raise BlockedAddressError(
                url, f"ambiguous IPv4 spelling {host!r} (means {meaning}); write {literal}"
            )
    port = parsed.port or _DEFAULT_PORTS[scheme]
    return Target(url=url, scheme=scheme, host=host, port=port, request_uri=parsed.request_uri)


def parse_ipv4_literal(host: str, *, url: str | None = None) -> ipaddress.IPv4Address | None:
    """The IPv4 address `host` spells in any inet_aton/WHATWG form, or None for a name.

    Covers dotted decimal, decimal (2130706433), hex (0x7f000001, 0x7f.1), octal
    (0177.0.0.1) and short forms (127.1): the spellings C resolvers accept. A host made only
    of numeric parts that is out of range is refused rather than handed to DNS.
    """
    parts = host.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        return None
    numbers: list[int] = []
    for part in parts:
        if part[:2].lower() == "0x":
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise InvalidURLError(url or host, f"invalid octal part in address {host!r}")
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise InvalidURLError(url or host, f"invalid IPv4 address {host!r}")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` must not be fetched from, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = blocked_reason(embedded)
            return f"an IPv6 form of {embedded} ({inner})" if inner else None
    if address in _METADATA:
        return "a cloud metadata address"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (isinstance(address, ipaddress.IPv4Address) and address in _SHARED, "shared (CGNAT)"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not globally routable"),
    )
    for hit, label in checks:
        if hit:
            return label
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv4-mapped, 6to4, Teredo or NAT64 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_address(ip: str, *, url: str | None = None) -> None:
    """Raise `BlockedAddressError` unless `ip` is a public unicast address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise BlockedAddressError(url or ip, f"{ip!r} is not an IP address") from None
    reason = blocked_reason(address)
    if reason is not None:
        raise BlockedAddressError(url or ip, f"address {address} is {reason}; {_HINT}")


def resolve(host: str, port: int, *, url: str) -> list[str]:
    """Every address `host` resolves to (literals without a lookup), in resolver order."""
    if ":" in host:
        return [str(ipaddress.IPv6Address(host))]
    literal = parse_ipv4_literal(host, url=url)
    if literal is not None:
        return [str(literal)]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailedError(url, f"cannot resolve host {host!r} ({exc})") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ConnectionFailedError(url, f"host {host!r} has no address")
    return addresses


def vet(addresses: list[str], *, url: str) -> None:
    """Refuse the host when any of its addresses is refused (answers rotate; all must pass)."""
    for address in addresses:
        check_address(address, url=url)


__all__ = [
    "ALLOWED_SCHEMES",
    "Target",
    "blocked_reason",
    "check_address",
    "check_url",
    "parse_ipv4_literal",
    "parse_target",
    "resolve",
    "vet",
]
