"""A scriptable HTTP server on 127.0.0.1, and a guard that keeps tests on loopback.

`LocalHTTPServer` serves a route table (path -> `Reply` or a function of the request),
records every request, and can stall, drip, gzip or cut a response. `NetworkGuard`
replaces DNS with a table and makes any lookup or connect to a non-loopback address
fail the test at once, so fetch tests can prove that a refusal happened before any packet.

    with LocalHTTPServer() as server:
        server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "text/xml"}))
        fetch(server.url("/feed"), policy)
"""

from __future__ import annotations

import gzip as gzip_module
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest


@dataclass
class Reply:
    """What a route answers. `body` may be bytes or an iterable of chunks (streamed)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    stall_s: float = 0.0  # wait before sending anything (timeouts)
    chunk_delay_s: float = 0.0  # wait between body chunks (slow drip)
    gzip: bool = False  # gzip the (bytes) body and say so
    content_length: bool = True  # False: the body ends when the connection closes

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    sni: str | None = None


Handler = Callable[[RecordedRequest], Reply]


class LocalHTTPServer:
    """A threaded HTTP(S) server on a random loopback port; use as a context manager."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[RecordedRequest] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sni: dict[int, str | None] = {}
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self._tls = tls
        if tls is not None:
            tls.sni_callback = self._remember_sni
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def route(self, path: str, reply: Reply | Handler | None = None, **fields: Any) -> None:
        """Answer `path` (with its query string, or without) with `reply` or `Reply(**fields)`."""
        self.routes[path] = reply if reply is not None else Reply(**fields)

    def paths(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases stalled handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the handler --

    def _remember_sni(self, sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: Any) -> None:
        with self._lock:
            self._sni[id(sock)] = name

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _sni_for(self, sock: object) -> str | None:
        with self._lock:
            return self._sni.get(id(sock))

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True if it is stopping."""
        return self._stop.wait(seconds) if seconds > 0 else self._stop.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalHTTPServer


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and close-delimited

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            sni=owner._sni_for(self.connection),
        )
        owner._record(request)
        target = owner.routes.get(self.path) or owner.routes.get(self.path.split("?")[0])
        if target is None:
            reply = Reply(status=404, body=b"not found")
        elif isinstance(target, Reply):
            reply = target
        else:
            reply = target(request)
        with suppress(ConnectionError, ssl.SSLError, OSError):
            self._send(reply, owner)

    do_GET = do_POST = do_HEAD = do_PUT = _handle

    def _send(self, reply: Reply, owner: LocalHTTPServer) -> None:
        if owner._wait(reply.stall_s):
            return
        headers = dict(reply.headers)
        body = reply.body
        if reply.gzip:
            assert isinstance(body, bytes), "gzip needs a bytes body"
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        if isinstance(body, bytes | bytearray) and reply.content_length:
            headers.setdefault("Content-Length", str(len(body)))
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in _chunks(body):
            self.wfile.write(chunk)
            self.wfile.flush()
            if owner._wait(reply.chunk_delay_s):
                return


def _chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(body, bytes | bytearray):
        yield bytes(body)
    else:
        yield from body


# --- keeping tests on loopback --------------------------------------------------------------


class NetworkGuardViolation(BaseException):
    """Raised where a test tried to leave loopback; a BaseException so nothing swallows it."""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Fake DNS (`hosts`) plus a connect check: only loopback addresses may be reached.

    Any other lookup or connect records a violation and raises `NetworkGuardViolation`;
    `check()` (run by the fixture at teardown) fails the test if one was recorded, even
    if the code under test caught it.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hosts: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self.connects: list[str] = []
        self.violations: list[str] = []
        self._real_getaddrinfo = socket.getaddrinfo
        self._real_connect = socket.socket.connect
        self._real_connect_ex = socket.socket.connect_ex
        monkeypatch.setattr(socket, "getaddrinfo", self._getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", self._guarded(self._real_connect))
        monkeypatch.setattr(socket.socket, "connect_ex", self._guarded(self._real_connect_ex))

    def _violate(self, what: str) -> NetworkGuardViolation:
        self.violations.append(what)
        return NetworkGuardViolation(f"test tried to leave loopback: {what}")

    def _getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.lookups.append(name)
        if name in self.hosts:
            port_number = int(port or 0)
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (ip, port_number, 0, 0) if ":" in ip else (ip, port_number),
                )
                for ip in self.hosts[name]
            ]
        if _is_loopback(name):  # a literal, so no packet leaves
            return self._real_getaddrinfo(host, port, *args, **kwargs)
        raise self._violate(f"DNS lookup of {name!r}")

    def _guarded(self, real: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                host = str(address[0])
                if not _is_loopback(host):
                    raise guard._violate(f"connect to {host}:{address[1]}")
                guard.connects.append(host)
            return real(sock, address)

        return connect

    def check(self) -> None:
        if self.violations:
            pytest.fail("left loopback: " + "; ".join(self.violations), pytrace=False)


__all__ = [
    "Handler",
    "LocalHTTPServer",
    "NetworkGuard",
    "NetworkGuardViolation",
    "RecordedRequest",
    "Reply",
]
