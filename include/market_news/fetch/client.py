"""The one HTTP client for feeds and article pages (urllib3, no redirects or decoding by it).

Every hop is vetted where it matters, at connect time: the connection class below
resolves the host itself, checks every address, and connects to a vetted address while
Host, SNI and certificate checks keep using the name. Redirects are followed here, one
guarded hop at a time; decoding happens here so the body cap counts decompressed bytes;
a watchdog enforces the total deadline even against servers that drip one byte at a time.
"""

from __future__ import annotations

import http.client
import logging
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin

from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse

from market_news.fetch import guard
from market_news.fetch.deadline import Deadline
from market_news.fetch.decode import CHUNK, DecodingError, make_decoder
from market_news.fetch.errors import (
    BodyTooLargeError,
    ConnectionFailedError,
    ContentDecodingError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooManyRedirectsError,
    UnsupportedContentTypeError,
    redact_url,
)
from market_news.fetch.policy import FetchPolicy, FetchResult

log = logging.getLogger("market_news.fetch")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT_ENCODING = "gzip, deflate, br"


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET `url` under `policy`, conditionally when validators are given.

    Raises a `FetchError` subclass for anything short of a usable document or a 304.
    """
    headers = _request_headers(policy, etag, last_modified)
    with Deadline(policy.total_deadline_s) as deadline:
        current = url
        seen = {urldefrag(url).url}
        for _hop in range(policy.max_redirects + 1):
            try:
                outcome = _fetch_once(current, policy, deadline, headers)
            except FetchError as exc:
                if current == url:
                    raise
                raise exc.after_redirect(url, current) from exc
            if isinstance(outcome, _Redirect):
                following = urldefrag(urljoin(current, outcome.location)).url
                if following in seen:
                    raise TooManyRedirectsError(
                        url, f"redirect loop back to {redact_url(following)}"
                    )
                seen.add(following)
                log.debug("%s redirects to %s", redact_url(current), redact_url(following))
                current = following
                continue
            return FetchResult(
                url=url,
                final_url=current,
                status=outcome.status,
                content_type=outcome.content_type,
                charset=outcome.charset,
                body=outcome.body,
                # A 304 may omit the validators: keep the ones that were sent.
                etag=(outcome.etag or etag) if outcome.not_modified else outcome.etag,
                last_modified=(
                    (outcome.last_modified or last_modified)
                    if outcome.not_modified
                    else outcome.last_modified
                ),
                not_modified=outcome.not_modified,
            )
    raise TooManyRedirectsError(url, f"more than {policy.max_redirects} redirects")


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool


def _request_headers(
    policy: FetchPolicy, etag: str | None, last_modified: str | None
) -> dict[str, str]:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": ", ".join(sorted(policy.allowed_content_types)),
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    # Validators come from earlier responses; one that could split a header line is dropped.
    if etag and _header_safe(etag):
        headers["If-None-Match"] = etag
    if last_modified and _header_safe(last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def _header_safe(value: str) -> bool:
    return value.isprintable() and value.isascii()


def _fetch_once(
    url: str, policy: FetchPolicy, deadline: Deadline, headers: dict[str, str]
) -> _Response | _Redirect:
    """One request, no redirect following; the address is vetted when connecting."""
    target = guard.parse_target(url)
    deadline.check(url)
    hop = _Hop(url=url, policy=policy, deadline=deadline)
    timeout = Timeout(
        connect=deadline.bounded(policy.connect_timeout_s),
        read=deadline.bounded(policy.read_timeout_s),
    )
    host = f"[{target.host}]" if ":" in target.host else target.host  # how urllib3 wants IPv6
    pool_class = _GuardedHTTPSPool if target.scheme == "https" else _GuardedHTTPPool
    pool = pool_class(host, target.port, timeout=timeout, maxsize=1, market_news_hop=hop)
    response: BaseHTTPResponse | None = None
    try:
        response = pool.urlopen(
            "GET",
            target.request_uri,
            headers=headers,
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            release_conn=False,
        )
        return _read_response(response, url, policy, deadline)
    except FetchError:
        raise
    except (HTTPError, OSError, http.client.HTTPException) as exc:
        raise _translate(exc, url, policy, deadline) from exc
    finally:
        if response is not None:
            response.close()
        pool.close()


def _read_response(
    response: BaseHTTPResponse, url: str, policy: FetchPolicy, deadline: Deadline
) -> _Response | _Redirect:
    deadline.check(url)  # headers cut short by the watchdog still parse as a response
    status = response.status
    log.debug("GET %s -> %d", redact_url(url), status)
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if status == 304:
        return _Response(304, "", None, b"", etag, last_modified, not_modified=True)
    if status in REDIRECT_STATUSES:
        location = response.headers.get("location")
        if not location:
            raise HTTPStatusError(url, f"HTTP {status} redirect without a Location", status)
        return _Redirect(location.strip())
    if not 200 <= status < 300:
        reason = " ".join(str(response.reason or "").split())[:60]
        raise HTTPStatusError(url, f"HTTP {status} {reason}".rstrip(), status)
    content_type, charset = parse_content_type(response.headers.getlist("content-type"))
    if content_type not in policy.allowed_content_types:
        shown = content_type or "(none)"
        raise UnsupportedContentTypeError(
            url,
            f"content type {shown!r} refused (accepted: "
            f"{', '.join(sorted(policy.allowed_content_types))})",
            content_type,
        )
    body = _read_body(response, url, policy, deadline)
    return _Response(status, content_type, charset, body, etag, last_modified, False)


def _read_body(
    response: BaseHTTPResponse, url: str, policy: FetchPolicy, deadline: Deadline
) -> bytes:
    cap = policy.max_body_bytes
    too_large = f"body is larger than the {cap}-byte cap"
    encoding = response.headers.get("content-encoding")
    try:
        decoder = make_decoder(encoding)
    except DecodingError as exc:
        raise ContentDecodingError(url, str(exc)) from None
    declared = _declared_length(response)
    if declared is not None and declared > cap and not (encoding or "").strip():
        raise BodyTooLargeError(url, too_large)
    body = bytearray()
    raw_total = 0
    try:
        while chunk := response.read1(CHUNK, decode_content=False):
            raw_total += len(chunk)
            if raw_total > cap:  # also bounds streams that decode to nothing
                raise BodyTooLargeError(url, too_large)
            for piece in decoder.feed(chunk):
                body += piece
                if len(body) > cap:
                    raise BodyTooLargeError(url, too_large)
            deadline.check(url)
        for piece in decoder.finish():
            body += piece
            if len(body) > cap:
                raise BodyTooLargeError(url, too_large)
    except DecodingError as exc:
        raise ContentDecodingError(url, str(exc)) from None
    deadline.check(url)  # the watchdog's shutdown can look like a clean end of body
    return bytes(body)


def _declared_length(response: BaseHTTPResponse) -> int | None:
    try:
        return int(response.headers.get("content-length", ""))
    except ValueError:
        return None


def parse_content_type(values: list[str] | str | None) -> tuple[str, str | None]:
    """(lower-case mime type, charset or None) from Content-Type header value(s)."""
    if isinstance(values, list):
        values = values[0] if values else None
    if not values:
        return "", None
    mime, _, params = values.partition(";")
    charset: str | None = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return mime.strip().lower(), charset


def _translate(exc: BaseException, url: str, policy: FetchPolicy, deadline: Deadline) -> FetchError:
    if deadline.expired:
        return FetchTimeoutError(url, deadline.message)
    if isinstance(exc, ConnectTimeoutError):
        return FetchTimeoutError(url, f"connect timed out after {policy.connect_timeout_s:g}s")
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        return FetchTimeoutError(url, f"no data for {policy.read_timeout_s:g}s (read timeout)")
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, SSLError):
        return ConnectionFailedError(url, f"TLS failed: {detail}")
    return ConnectionFailedError(url, f"connection failed: {detail}")


@dataclass(frozen=True, slots=True)
class _Hop:
    """What a connection needs to vet and bound itself."""

    url: str
    policy: FetchPolicy
    deadline: Deadline = field(repr=False)


def _open_vetted_socket(conn: HTTPConnection, hop: _Hop) -> socket.socket:
    """Resolve, vet every address, then connect to one of them: the check is on what we use."""
    host = conn.host.strip("[]")
    port = conn.port or (443 if isinstance(conn, HTTPSConnection) else 80)
    addresses = guard.resolve(host, port, url=hop.url)
    if not hop.policy.allow_private_hosts:
        guard.vet(addresses, url=hop.url)
    last_error = "no address"
    for address in addresses:
        timeout = hop.deadline.bounded(hop.policy.connect_timeout_s)
        try:
            sock = _connect(address, port, timeout, conn.socket_options)
        except TimeoutError:
            last_error = f"timed out after {timeout:g}s"
            continue
        except OSError as exc:
            last_error = exc.strerror or type(exc).__name__
            continue
        hop.deadline.track(conn)
        return sock
    hop.deadline.check(hop.url)
    if last_error.startswith("timed out"):
        raise FetchTimeoutError(hop.url, f"connect to {host}:{port} {last_error}")
    raise ConnectionFailedError(hop.url, f"cannot connect to {host}:{port} ({last_error})")


def _connect(
    address: str,
    port: int,
    timeout: float,
    options: list[tuple[int, int, int | bytes]] | None,
) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        for level, name, value in options or ():
            sock.setsockopt(level, name, value)
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, market_news_hop: _Hop, **kwargs: Any) -> None:
        self._market_news_hop = market_news_hop
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        return _open_vetted_socket(self, self._market_news_hop)


class _GuardedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, market_news_hop: _Hop, **kwargs: Any) -> None:
        self._market_news_hop = market_news_hop
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        return _open_vetted_socket(self, self._market_news_hop)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


__all__ = ["ACCEPT_ENCODING", "REDIRECT_STATUSES", "fetch", "parse_content_type"]
