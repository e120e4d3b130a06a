"""fetch() against a loopback server: status, types, caching, redirects, limits."""

from __future__ import annotations

import gzip
import pickle
import zlib
from collections.abc import Iterator
from dataclasses import replace

import brotli  # type: ignore[import-untyped]
import pytest
from market_news.fetch import (
    DEFAULT_USER_AGENT,
    BodyTooLargeError,
    ConnectionFailedError,
    ContentDecodingError,
    FetchError,
    FetchPolicy,
    FetchTimeoutError,
    HTTPStatusError,
    TooManyRedirectsError,
    UnsupportedContentTypeError,
    fetch,
    parse_content_type,
)

from tests.support.http_server import LocalHTTPServer, RecordedRequest, Reply

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
XML = {"Content-Type": "application/rss+xml; charset=UTF-8"}


def test_plain_get(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route(
        "/feed",
        Reply(
            body=RSS,
            headers={**XML, "ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
        ),
    )
    result = fetch(server.url("/feed"), policy)
    assert result.status == 200
    assert result.body == RSS
    assert result.content_type == "application/rss+xml"
    assert result.charset == "utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert result.not_modified is False
    assert result.url == result.final_url == server.url("/feed")
    sent = server.requests[0].headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT
    assert "br" in sent["accept-encoding"] and "gzip" in sent["accept-encoding"]
    assert "application/rss+xml" in sent["accept"]
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_conditional_get_returns_not_modified(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    def handler(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304)
        return Reply(body=RSS, headers={**XML, "ETag": '"v1"'})

    server.route("/feed", handler)
    first = fetch(server.url("/feed"), policy)
    second = fetch(server.url("/feed"), policy, etag=first.etag, last_modified="Mon, 01 Jan 2024")
    assert second.not_modified is True
    assert second.status == 304
    assert second.body == b""
    # No new validators in the 304: the ones sent are handed back for storing.
    assert second.etag == '"v1"'
    assert second.last_modified == "Mon, 01 Jan 2024"
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 01 Jan 2024"


def test_not_modified_with_new_validators(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/feed", Reply(status=304, headers={"ETag": '"v2"'}))
    result = fetch(server.url("/feed"), policy, etag='"v1"')
    assert result.not_modified and result.etag == '"v2"'


def test_header_splitting_validators_are_not_sent(
    server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    server.route("/feed", Reply(body=RSS, headers=XML))
    fetch(server.url("/feed"), policy, etag='"v1"\r\nX-Evil: 1', last_modified="x\ny")
    sent = server.requests[0].headers
    assert "x-evil" not in sent and "if-none-match" not in sent and "if-modified-since" not in sent


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
)
def test_decompression(
    encoding: str, encode: object, server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    body = RSS * 500
    assert callable(encode)
    server.route("/feed", Reply(body=encode(body), headers={**XML, "Content-Encoding": encoding}))
    assert fetch(server.url("/feed"), policy).body == body


def test_multi_member_gzip(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    body = gzip.compress(b"<rss>") + gzip.compress(b"</rss>")
    server.route("/feed", Reply(body=body, headers={**XML, "Content-Encoding": "gzip"}))
    assert fetch(server.url("/feed"), policy).body == b"<rss></rss>"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("gzip", b"this is not gzip at all"), ("br", b"\xff\xff\xff\xff garbage"), ("zstd", b"x")],
)
def test_corrupt_or_unknown_encoding(
    encoding: str, body: bytes, server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    server.route("/feed", Reply(body=body, headers={**XML, "Content-Encoding": encoding}))
    with pytest.raises(ContentDecodingError):
        fetch(server.url("/feed"), policy)


@pytest.mark.parametrize(
    ("content_type", "allowed"),
    [
        ("application/rss+xml", True),
        ("application/atom+xml; charset=utf-8", True),
        ("TEXT/XML", True),
        ("text/html; charset=utf-8", False),
        ("application/json", False),
        ("image/png", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_feed_content_types(
    content_type: str | None, allowed: bool, server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    from market_news.fetch import FEED_CONTENT_TYPES

    feeds_only = replace(policy, allowed_content_types=FEED_CONTENT_TYPES)
    headers = {"Content-Type": content_type} if content_type else {}
    server.route("/x", Reply(body=RSS, headers=headers))
    if allowed:
        assert fetch(server.url("/x"), feeds_only).body == RSS
    else:
        with pytest.raises(UnsupportedContentTypeError) as caught:
            fetch(server.url("/x"), feeds_only)
        assert caught.value.content_type == (content_type or "").split(";")[0].lower()


@pytest.mark.parametrize(
    ("content_type", "allowed"),
    [
        ("text/html; charset=Shift_JIS", True),
        ("application/xhtml+xml", True),
        ("text/plain", True),
        ("application/pdf", False),
        ("application/rss+xml", False),
    ],
)
def test_article_content_types(
    content_type: str, allowed: bool, server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    from market_news.fetch import ARTICLE_CONTENT_TYPES

    articles = replace(policy, allowed_content_types=ARTICLE_CONTENT_TYPES)
    server.route("/a", Reply(body=b"<html></html>", headers={"Content-Type": content_type}))
    if allowed:
        result = fetch(server.url("/a"), articles)
        assert result.content_type == content_type.split(";", maxsplit=1)[0].lower()
    else:
        with pytest.raises(UnsupportedContentTypeError, match="refused"):
            fetch(server.url("/a"), articles)


def test_refused_content_type_is_not_downloaded(
    server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"\0" * 65536

    server.route(
        "/video", Reply(body=endless(), headers={"Content-Type": "video/mp4"}, content_length=False)
    )
    with pytest.raises(UnsupportedContentTypeError):
        fetch(server.url("/video"), policy)


def test_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert parse_content_type(["application/xml", "text/html"]) == ("application/xml", None)
    assert parse_content_type(None) == ("", None)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 429, 500, 503])
def test_error_statuses(status: int, server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/feed", Reply(status=status, body=b"secret body text", headers=XML))
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/feed"), policy)
    assert caught.value.status == status
    assert str(caught.value).startswith(server.url("/feed") + ": HTTP " + str(status))
    assert "secret body text" not in str(caught.value)


def test_redirects_are_followed(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/old", Reply.redirect("/middle", status=301))
    server.route("/middle", Reply.redirect(server.url("/new"), status=307))
    server.route("/new", Reply(body=RSS, headers=XML))
    result = fetch(server.url("/old"), policy)
    assert result.url == server.url("/old")
    assert result.final_url == server.url("/new")
    assert result.body == RSS
    assert server.paths() == ["/old", "/middle", "/new"]


def test_redirect_loop(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect("/a"))
    with pytest.raises(TooManyRedirectsError, match="loop"):
        fetch(server.url("/a"), policy)
    assert server.paths() == ["/a", "/b"]


def test_redirect_to_itself(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/a", Reply.redirect("/a#top"))
    with pytest.raises(TooManyRedirectsError, match="loop"):
        fetch(server.url("/a"), policy)


def test_too_many_redirects(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    for hop in range(10):
        server.route(f"/{hop}", Reply.redirect(f"/{hop + 1}"))
    with pytest.raises(TooManyRedirectsError, match="more than 3 redirects"):
        fetch(server.url("/0"), replace(policy, max_redirects=3))
    assert len(server.requests) == 4


def test_no_redirects_allowed(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/a", Reply.redirect("/b"))
    with pytest.raises(TooManyRedirectsError):
        fetch(server.url("/a"), replace(policy, max_redirects=0))


def test_redirect_without_location(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/a", Reply(status=302))
    with pytest.raises(HTTPStatusError, match="without a Location"):
        fetch(server.url("/a"), policy)


# --- limits ---------------------------------------------------------------------------------


def test_body_over_the_cap(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/big", Reply(body=b"x" * 2000, headers=XML))
    small = replace(policy, max_body_bytes=1000)
    with pytest.raises(BodyTooLargeError, match="1000-byte cap"):
        fetch(server.url("/big"), small)
    server.route("/fits", Reply(body=b"x" * 1000, headers=XML))
    assert len(fetch(server.url("/fits"), small).body) == 1000


def test_body_over_the_cap_without_content_length(
    server: LocalHTTPServer, policy: FetchPolicy
) -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"<item/>" * 1000

    server.route("/endless", Reply(body=endless(), headers=XML, content_length=False))
    with pytest.raises(BodyTooLargeError):
        fetch(server.url("/endless"), replace(policy, max_body_bytes=100_000))


def test_gzip_bomb_is_cut_at_the_cap(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    """100 MB of zeros, about 100 KB on the wire: refused once 1 MB has been decoded."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(100)) + compressor.flush()
    assert len(bomb) < 200_000
    server.route("/bomb", Reply(body=bomb, headers={**XML, "Content-Encoding": "gzip"}))
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError):
            fetch(server.url("/bomb"), policy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the 1 MiB cap plus buffers, never the 100 MB


def test_brotli_bomb_is_cut_at_the_cap(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    bomb = brotli.compress(b"\0" * (50 * 1024 * 1024), quality=5)
    server.route("/bomb", Reply(body=bomb, headers={**XML, "Content-Encoding": "br"}))
    with pytest.raises(BodyTooLargeError):
        fetch(server.url("/bomb"), policy)


def test_read_timeout(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/stall", Reply(body=RSS, headers=XML, stall_s=30))
    with pytest.raises(FetchTimeoutError):
        fetch(server.url("/stall"), replace(policy, read_timeout_s=0.5))


def test_stall_in_the_middle_of_the_body(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route(
        "/half",
        Reply(
            body=[b"<rss>", b"</rss>"], headers={**XML, "Content-Length": "11"}, chunk_delay_s=30
        ),
    )
    with pytest.raises(FetchTimeoutError):
        fetch(server.url("/half"), replace(policy, read_timeout_s=0.5))


def test_total_deadline_stops_a_slow_drip(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    """Each byte arrives well within the read timeout; the whole fetch must still end."""

    def drip() -> Iterator[bytes]:
        while True:
            yield b" "

    server.route("/drip", Reply(body=drip(), headers=XML, content_length=False, chunk_delay_s=0.05))
    with pytest.raises(FetchTimeoutError, match="total deadline"):
        fetch(server.url("/drip"), replace(policy, read_timeout_s=2, total_deadline_s=0.6))


def test_connection_refused(policy: FetchPolicy) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailedError, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/feed", policy)


def test_truncated_body_is_an_error(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/cut", Reply(body=[b"<rss>"], headers={**XML, "Content-Length": "100"}))
    with pytest.raises(ConnectionFailedError):
        fetch(server.url("/cut"), policy)


# --- errors ---------------------------------------------------------------------------------


def test_errors_are_one_line_and_hide_secrets(server: LocalHTTPServer, policy: FetchPolicy) -> None:
    server.route("/feed", Reply(status=403, body=b"no", headers={**XML, "X-Token": "hunter2"}))
    url = server.url("/feed?api_key=hunter2&page=1")
    with pytest.raises(HTTPStatusError) as caught:
        fetch(url, policy)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "page=1" in message
    assert "\n" not in message
    assert message == f"{caught.value.url}: {caught.value.reason}"


def test_errors_survive_pickling() -> None:
    for error in (
        HTTPStatusError("http://x.test/", "HTTP 404", 404),
        UnsupportedContentTypeError("http://x.test/", "refused", "image/png"),
        FetchTimeoutError("http://x.test/", "slow"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert vars(copy) == vars(error)
        assert isinstance(copy, FetchError)


def test_policy_validates_itself() -> None:
    with pytest.raises(ValueError, match="positive"):
        FetchPolicy(read_timeout_s=0)
    with pytest.raises(ValueError, match="max_body_bytes"):
        FetchPolicy(max_body_bytes=0)
    assert FetchPolicy(allowed_content_types=frozenset({"Text/HTML"})).allowed_content_types == {
        "text/html"
    }


def test_policy_from_settings() -> None:
    from market_news.fetch import ARTICLE_CONTENT_TYPES, FEED_CONTENT_TYPES
    from market_news.settings import Settings

    settings = Settings(
        connect_timeout_s=1, read_timeout_s=2, allow_private_hosts=True, max_body_bytes=10
    )
    feed = FetchPolicy.from_settings(settings, kind="feed")
    article = FetchPolicy.from_settings(settings, kind="article")
    assert feed.allowed_content_types == FEED_CONTENT_TYPES
    assert article.allowed_content_types == ARTICLE_CONTENT_TYPES
    assert (feed.connect_timeout_s, feed.read_timeout_s, feed.max_body_bytes) == (1, 2, 10)
    assert feed.allow_private_hosts and feed.total_deadline_s == 5


def test_total_deadline_stops_headers_that_never_end(policy: FetchPolicy) -> None:
    """A server that drips header lines: the read timeout never fires, the deadline does."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.wait(0.05):
                try:
                    connection.sendall(b"X-Drip: 1\r\n")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
        with pytest.raises(FetchTimeoutError, match="total deadline"):
            fetch(url, replace(policy, read_timeout_s=2, total_deadline_s=0.5))
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
