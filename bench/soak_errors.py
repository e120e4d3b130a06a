"""Sort the pipeline's failure log lines into error classes, as an operator reading logs would.

The pipeline counts errors in its pass summaries but logs each one as a line naming the
feed or the article and the reason (`pipeline/poll.py`, `pipeline/process.py`). The
soak worker keeps those records; this module turns one into (where, key, class). The
exception itself is used when the record carries it, else the reason text, whose
wording comes from `market_news.fetch` (one-line reasons are part of its contract).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bench.soak_plan import ErrorClass

_BY_TYPE: dict[str, ErrorClass] = {
    "FetchTimeoutError": "timeout",
    "HTTPStatusError": "http_status",
    "BodyTooLargeError": "too_large",
    "ContentDecodingError": "decoding",
    "UnsupportedContentTypeError": "content_type",
    "TooManyRedirectsError": "redirect",
    "ConnectionFailedError": "connection",
    "FeedParseError": "feed_parse",
}
#: Checked in order: a reason may end with "(after redirect to ...)" whatever its class.
_BY_REASON: tuple[tuple[re.Pattern[str], ErrorClass], ...] = (
    (re.compile(r"timed out|read timeout|total deadline"), "timeout"),
    (re.compile(r"^HTTP \d{3}\b"), "http_status"),
    (re.compile(r"larger than the \d+-byte cap"), "too_large"),
    (re.compile(r"corrupt \w+ body|Content-Encoding"), "decoding"),
    (re.compile(r"^content type .* refused"), "content_type"),
    (re.compile(r"^redirect loop|^more than \d+ redirects"), "redirect"),
    (re.compile(r"^connection failed|^cannot connect|^TLS failed"), "connection"),
    (re.compile(r"not an RSS, Atom or RDF feed|not a feed|feedparser failed"), "feed_parse"),
)
_FEED = re.compile(r"^feed (?P<key>\S+) failed: (?P<reason>.*)$", re.S)
_ARTICLE = re.compile(r"^article (?P<key>\S+) failed: (?P<reason>.*)$", re.S)
_ENTRY = re.compile(r"^entry (?P<key>\S+) failed: (?P<type>\w+): (?P<reason>.*)$", re.S)
#: Any other warning about a feed ("is not well-formed ...; using the entries recovered",
#: "dropped the last entry, cut off ..."): the feed was read, no error was counted.
_FEED_NOTE = re.compile(r"^feed (?P<key>[^\s:]+):? ")


@dataclass(frozen=True, slots=True)
class Failure:
    where: str  # "feed", "page", "entry", "feed_recovered", "other"
    key: str  # the feed name or the article link
    error: str  # an ErrorClass, or "recovered" for a feed read despite being malformed
    reason: str


def reason_class(reason: str) -> ErrorClass:
    """The class of a fetch or parse failure from its one-line reason."""
    for pattern, name in _BY_REASON:
        if pattern.search(reason):
            return name
    return "other"


def classify(record: logging.LogRecord) -> Failure | None:
    """The failure a pipeline log record reports, or None when it reports none."""
    if record.levelno < logging.WARNING:
        return None
    message = record.getMessage()
    args = record.args if isinstance(record.args, tuple) else ()
    if match := _FEED.match(message):
        exc = args[1] if len(args) > 1 else None
        kind = _BY_TYPE.get(type(exc).__name__) if isinstance(exc, Exception) else None
        reason = match["reason"]
        # The reason of a FetchError reads "<url>: <reason>"; the class is in the tail.
        tail = reason.split(": ", 1)[1] if ": " in reason else reason
        return Failure("feed", match["key"], kind or reason_class(tail), reason)
    if match := _ARTICLE.match(message):
        return Failure("page", match["key"], reason_class(match["reason"]), match["reason"])
    if match := _ENTRY.match(message):
        return Failure("entry", match["key"], "extractor", f"{match['type']}: {match['reason']}")
    if record.name.startswith("market_news.feeds") and (match := _FEED_NOTE.match(message)):
        return Failure("feed_recovered", match["key"], "recovered", message)
    return Failure("other", record.name, "other", message[:300])


__all__ = ["Failure", "classify", "reason_class"]
