"""Fetching feeds and article pages: one guarded HTTP client.

`fetch(url, policy)` is the only way the pipeline reads from the network. It refuses
private and special addresses (checked on the address connected to, after every
redirect), caps the decompressed body, checks the content type and bounds the time.
"""

from market_news.fetch.client import fetch, parse_content_type
from market_news.fetch.errors import (
    BlockedAddressError,
    BodyTooLargeError,
    ConnectionFailedError,
    ContentDecodingError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    InvalidURLError,
    TooManyRedirectsError,
    UnsupportedContentTypeError,
    redact_url,
)
from market_news.fetch.guard import check_address, check_url
from market_news.fetch.policy import (
    ARTICLE_CONTENT_TYPES,
    DEFAULT_USER_AGENT,
    FEED_CONTENT_TYPES,
    FetchPolicy,
    FetchResult,
)

__all__ = [
    "ARTICLE_CONTENT_TYPES",
    "DEFAULT_USER_AGENT",
    "FEED_CONTENT_TYPES",
    "BlockedAddressError",
    "BodyTooLargeError",
    "ConnectionFailedError",
    "ContentDecodingError",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTimeoutError",
    "HTTPStatusError",
    "InvalidURLError",
    "TooManyRedirectsError",
    "UnsupportedContentTypeError",
    "check_address",
    "check_url",
    "fetch",
    "parse_content_type",
    "redact_url",
]
