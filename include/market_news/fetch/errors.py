"""The fetch errors: one hierarchy, one-line reasons, no secrets.

Callers count and log these (`str(exc)` is "<url>: <reason>"), so the text must be safe to
print: credentials and secret-looking query values are masked, header values never appear.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAM = re.compile(
    r"(token|secret|passw|pwd|api[-_]?key|apikey|key|sig|signature|auth|session|credential)",
    re.IGNORECASE,
)
_MASK = "***"


def redact_url(url: str) -> str:
    """`url` with user info and secret-looking query values masked, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _one_line(url)[:200]
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_MASK}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(name) for name, _ in pairs):
            query = urlencode(
                [(n, _MASK if _SECRET_PARAM.search(n) else v) for n, v in pairs], safe="*"
            )
    return _one_line(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def _one_line(text: str) -> str:
    return " ".join(text.split())


class FetchError(Exception):
    """A feed or page could not be fetched; `.url` is the URL asked for (redacted)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = redact_url(url)
        self.reason = _one_line(reason)
        super().__init__(f"{self.url}: {self.reason}")

    def _extra_args(self) -> tuple[Any, ...]:
        return ()

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through `args` by default, which does not fit this __init__.
        return (type(self), (self.url, self.reason, *self._extra_args()))

    def after_redirect(self, original_url: str, hop_url: str) -> FetchError:
        """The same error, reported against the URL asked for and naming the redirect hop."""
        reason = f"{self.reason} (after redirect to {redact_url(hop_url)})"
        return type(self)(original_url, reason, *self._extra_args())


class InvalidURLError(FetchError):
    """The URL is not an http(s) URL with a host this client accepts."""


class BlockedAddressError(FetchError):
    """The host is, or resolves to, an address the policy refuses (SSRF guard)."""


class FetchTimeoutError(FetchError):
    """Connecting, waiting for data, or the whole fetch took longer than the policy allows."""


class BodyTooLargeError(FetchError):
    """The (decompressed) body is larger than the policy's cap."""


class UnsupportedContentTypeError(FetchError):
    """The response's Content-Type is not in the policy's allowlist."""

    def __init__(self, url: str, reason: str, content_type: str = "") -> None:
        super().__init__(url, reason)
        self.content_type = content_type

    def _extra_args(self) -> tuple[Any, ...]:
        return (self.content_type,)


class ContentDecodingError(FetchError):
    """The Content-Encoding is unsupported or the compressed body is corrupt."""


class HTTPStatusError(FetchError):
    """The server answered with a status that is neither success, redirect nor 304."""

    def __init__(self, url: str, reason: str, status: int = 0) -> None:
        super().__init__(url, reason)
        self.status = status

    def _extra_args(self) -> tuple[Any, ...]:
        return (self.status,)


class TooManyRedirectsError(FetchError):
    """More redirects than the policy allows, or a redirect loop."""


class ConnectionFailedError(FetchError):
    """DNS, TCP, TLS or HTTP protocol failure."""


__all__ = [
    "BlockedAddressError",
    "BodyTooLargeError",
    "ConnectionFailedError",
    "ContentDecodingError",
    "FetchError",
    "FetchTimeoutError",
    "HTTPStatusError",
    "InvalidURLError",
    "TooManyRedirectsError",
    "UnsupportedContentTypeError",
    "redact_url",
]
