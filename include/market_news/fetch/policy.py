"""What a fetch may do (`FetchPolicy`) and what it returns (`FetchResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from market_news import __version__

DEFAULT_USER_AGENT = f"market-news/{__version__} (+https://github.com/market-news/market-news)"
DEFAULT_MAX_BODY_BYTES = 15 * 1024 * 1024

#: Feed documents. text/plain is accepted because misconfigured servers send feeds that way
#: and `parse_feed` refuses anything that is not a feed anyway; text/html is refused: an HTML
#: page where a feed was expected means a wrong URL, and saying so early is clearer.
FEED_CONTENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
        "text/plain",
    }
)
#: Linked article pages (interface section 2).
ARTICLE_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


class _SettingsLike(Protocol):
    @property
    def connect_timeout_s(self) -> float: ...
    @property
    def read_timeout_s(self) -> float: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def allow_private_hosts(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one fetch; the address check is on unless `allow_private_hosts`.

    `read_timeout_s` bounds each wait for data; `total_deadline_s` bounds the whole fetch
    (all redirects, headers and body), so a server dripping a byte at a time still ends.
    """

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_deadline_s: float = 30.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = 5
    allowed_content_types: frozenset[str] = FEED_CONTENT_TYPES
    allow_private_hosts: bool = False
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        for name in ("connect_timeout_s", "read_timeout_s", "total_deadline_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"FetchPolicy.{name} must be positive")
        if self.max_body_bytes <= 0:
            raise ValueError("FetchPolicy.max_body_bytes must be positive")
        if self.max_redirects < 0:
            raise ValueError("FetchPolicy.max_redirects must not be negative")
        if not self.allowed_content_types:
            raise ValueError("FetchPolicy.allowed_content_types must not be empty")
        normalised = frozenset(t.strip().lower() for t in self.allowed_content_types)
        object.__setattr__(self, "allowed_content_types", normalised)

    @classmethod
    def from_settings(
        cls, settings: _SettingsLike, *, kind: Literal["feed", "article"]
    ) -> FetchPolicy:
        """The policy for feeds or article pages from the run's settings."""
        return cls(
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            total_deadline_s=settings.connect_timeout_s + 2 * settings.read_timeout_s,
            max_body_bytes=settings.max_body_bytes,
            allowed_content_types=FEED_CONTENT_TYPES if kind == "feed" else ARTICLE_CONTENT_TYPES,
            allow_private_hosts=settings.allow_private_hosts,
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched document. For a 304, `not_modified` is set and `body` is empty.

    `etag`/`last_modified` are the validators to store for the next conditional GET; on a
    304 without new validators they are the ones that were sent.
    """

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


__all__ = [
    "ARTICLE_CONTENT_TYPES",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_USER_AGENT",
    "FEED_CONTENT_TYPES",
    "FetchPolicy",
    "FetchResult",
]
