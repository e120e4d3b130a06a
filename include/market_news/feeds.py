"""The feeds file and feed documents.

`load_feeds_file` reads the user's YAML (interface section 2) and turns every mistake into
one line naming the file. `parse_feed` runs feedparser on bytes we fetched ourselves
(feedparser fetching on its own would bypass the guarded client) and maps its entries to
`FeedEntry`, with a GUID that is never empty and links that are absolute.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
import yaml
from feedparser.encodings import convert_to_utf8

from market_news.fetch import FetchError, check_url
from market_news.models import FeedConfig, FeedEntry

log = logging.getLogger("market_news.feeds")

FEED_KEYS = ("name", "url", "language", "fetch_article")
_NAME_MAX = 100
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


class FeedsFileError(ValueError):
    """The feeds file is missing or wrong; the message is one line naming the file."""


class FeedParseError(ValueError):
    """The body is not a usable feed; the message is one line."""


# --- the feeds file -----------------------------------------------------------------------


def load_feeds_file(path: Path) -> list[FeedConfig]:
    """The feeds listed in `path`, checked; raises `FeedsFileError` on the first problem."""
    data = _read_yaml(path)
    if not isinstance(data, Mapping) or "feeds" not in data:
        raise FeedsFileError(f"{path}: no top-level 'feeds' list")
    unknown = sorted(str(key) for key in data if key != "feeds")
    if unknown:
        raise FeedsFileError(f"{path}: unknown top-level key {unknown[0]!r} (only 'feeds')")
    items = data["feeds"]
    if not isinstance(items, list):
        raise FeedsFileError(f"{path}: 'feeds' must be a list of feeds")
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        feed = _feed_config(path, number, item)
        if feed.name in seen:
            raise FeedsFileError(f"{path}: feed #{number}: duplicate name {feed.name!r}")
        seen.add(feed.name)
        feeds.append(feed)
    return feeds


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FeedsFileError(f"{path}: feeds file not found") from None
    except UnicodeDecodeError:
        raise FeedsFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise FeedsFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeedsFileError(f"{path}: invalid YAML{_yaml_where(exc)}") from None


def _yaml_where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or ""
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{where}: {' '.join(str(problem).split())}" if problem else where


def _feed_config(path: Path, number: int, item: object) -> FeedConfig:
    label = f"feed #{number}"
    if not isinstance(item, Mapping):
        raise FeedsFileError(f"{path}: {label}: expected a mapping with name and url")
    name = item.get("name")
    if isinstance(name, str) and name.strip() and name.strip().isprintable():
        label = f"{label} ({name.strip()[:_NAME_MAX]})"

    def fail(problem: str) -> FeedsFileError:
        return FeedsFileError(f"{path}: {label}: {problem}")

    unknown = sorted(str(key) for key in item if key not in FEED_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(FEED_KEYS)})")
    if not isinstance(name, str) or not name.strip():
        raise fail("missing 'name'")
    name = name.strip()
    if len(name) > _NAME_MAX or not name.isprintable():
        raise fail(f"'name' must be printable and at most {_NAME_MAX} characters")
    url = item.get("url")
    if not isinstance(url, str) or not url.strip():
        raise fail("missing 'url'")
    url = url.strip()
    try:
        check_url(url)
    except FetchError as exc:
        raise fail(f"bad url: {exc.reason}") from None
    language = item.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        raise fail("'language' must be a language code such as en or ja")
    fetch_article = item.get("fetch_article", True)
    if not isinstance(fetch_article, bool):
        raise fail("'fetch_article' must be true or false")
    return FeedConfig(
        name=name,
        url=url,
        language=language.lower().replace("_", "-") if language else None,
        fetch_article=fetch_article,
    )


# --- feed documents -----------------------------------------------------------------------


def parse_feed(body: bytes, feed: FeedConfig, *, base_url: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS, Atom or RDF document, in document order.

    `base_url` (the URL the body came from) makes relative links absolute. A document
    that is not a feed raises `FeedParseError`; a malformed feed whose entries could be
    recovered is returned with a warning, as feed readers do.
    """
    if not body.strip():
        raise FeedParseError("empty body, not a feed")
    _refuse_entity_declarations(body, base_url)
    # Always a stream: feedparser treats a bare string or bytes as a URL or file name.
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=_response_headers(base_url),
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except Exception as exc:
        # One hostile document must cost one error, never the pass.
        raise FeedParseError(f"feedparser failed on this document ({type(exc).__name__})") from None
    raw_entries: list[Any] = list(parsed.get("entries") or [])
    if not parsed.get("version") and not raw_entries:
        raise FeedParseError(f"not an RSS, Atom or RDF feed ({_why_not(body, parsed)})")
    if parsed.get("bozo") and raw_entries:
        log.warning(
            "feed %s is not well-formed (%s); using the %d entries recovered",
            feed.name,
            _one_line(parsed.get("bozo_exception")),
            len(raw_entries),
        )
    channel = parsed.get("feed") or {}
    base = base_url or _http_url(channel.get("link"))
    feed_language = _language(channel.get("language")) or _language(feed.language)
    if parsed.get("bozo") and raw_entries and _cut_off(raw_entries[-1], base):
        # A document cut short ends in a partial item; without an id or a link it has no
        # stable identity, and storing it would duplicate the story when the whole item
        # arrives on the next poll. The next poll picks it up.
        log.warning("feed %s: dropped the last entry, cut off with no id or link", feed.name)
        raw_entries.pop()
    entries: list[FeedEntry] = []
    for raw in raw_entries:
        entry = _entry(raw, feed, base, feed_language)
        if entry is not None:
            entries.append(entry)
    return entries


def _cut_off(raw: Mapping[str, Any], base: str | None) -> bool:
    """True for an entry with neither an id nor a usable link (what truncation leaves)."""
    return not _text(raw.get("id")) and not _absolute_link(raw.get("link"), base)


def _refuse_entity_declarations(body: bytes, base_url: str | None) -> None:
    """Refuse DTDs that declare entities, before any XML parser sees them.

    feedparser keeps "safe" internal entities, and expat's amplification limit only stops
    expansion at 100x the input: a 300 KB feed that repeats a 100 KB entity takes half a
    gigabyte before it gives up. Real feeds do not declare entities. The check runs on the
    body as feedparser will decode it, so UTF-16 or EBCDIC spellings are caught too.
    """
    try:
        decoded: bytes = convert_to_utf8(_response_headers(base_url), body, {})
    except Exception:  # feedparser internals: fall back to a cruder probe
        decoded = body.replace(b"\x00", b"")
    if _DOCTYPE.search(decoded) and _ENTITY_DECLARATION.search(decoded):
        raise FeedParseError("the document declares XML entities (refused: entity expansion)")


def _response_headers(base_url: str | None) -> dict[str, str]:
    """What feedparser would have seen over HTTP: a generic XML type lets the document's
    own declaration name its encoding (RFC 7303), and the URL is the base for links."""
    headers = {"content-type": "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    return headers


def _why_not(body: bytes, parsed: Mapping[str, Any]) -> str:
    if _HTML_START.match(body[:4096]):
        return "looks like an HTML page"
    problem = parsed.get("bozo_exception")
    return _one_line(problem) if problem else "no feed elements found"


def _entry(
    raw: Mapping[str, Any], feed: FeedConfig, base: str | None, feed_language: str | None
) -> FeedEntry | None:
    link = _absolute_link(raw.get("link"), base)
    title = _text(raw.get("title"))
    content_html = _content_html(raw)
    summary = _text(raw.get("summary"))
    if summary is not None and summary == content_html:
        summary = None  # feedparser copies content:encoded into summary when there is no teaser
    if not (link or title or summary or content_html):
        log.debug("feed %s: skipping an entry with no link, title or text", feed.name)
        return None
    return FeedEntry(
        feed_name=feed.name,
        guid=_guid(raw, link, title, summary, content_html),
        link=link,
        title=title,
        summary=summary,
        content_html=content_html,
        published=_published(raw),
        language=_entry_language(raw) or feed_language,
    )


def _guid(
    raw: Mapping[str, Any],
    link: str | None,
    title: str | None,
    summary: str | None,
    content_html: str | None,
) -> str:
    """The entry id, else its link, else a hash of what identifies it (stable across polls)."""
    entry_id = _text(raw.get("id"))
    if entry_id:
        return entry_id
    if link:
        return link
    when = _text(raw.get("published")) or _text(raw.get("updated")) or ""
    seed = "\x1f".join((title or "", when, "" if title else (summary or content_html or "")))
    return "urn:sha256:" + hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _published(raw: Mapping[str, Any]) -> datetime | None:
    """Aware UTC datetime; feedparser's parsed times are already UTC. Garbage gives None."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed,
        # with a DeprecationWarning each time.
        value = dict.get(raw, key) if isinstance(raw, dict) else raw.get(key)
        if value is None:
            continue
        try:
            year, month, day, hour, minute, second = tuple(value)[:6]
            second = min(second, 59)  # a leap second is still that minute
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            continue
    return None


def _content_html(raw: Mapping[str, Any]) -> str | None:
    """The longest HTML or plain content block (content:encoded, atom:content)."""
    best: str | None = None
    for block in raw.get("content") or []:
        value = _text(block.get("value"))
        if value and (best is None or len(value) > len(best)):
            best = value
    return best


def _entry_language(raw: Mapping[str, Any]) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        detail = raw.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if isinstance(detail, Mapping):
            language = _language(detail.get("language"))
            if language:
                return language
    return None


def _language(value: object) -> str | None:
    """The primary language subtag, lower case ("en-US" -> "en"); None if not a code."""
    if not isinstance(value, str) or not _LANGUAGE.match(value.strip()):
        return None
    return re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()


def _absolute_link(value: object, base: str | None) -> str | None:
    link = _text(value)
    if not link:
        return None
    if base:
        link = urljoin(base, link)
    return _http_url(link)


def _http_url(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL (javascript:, mailto: and the like are dropped)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in {"http", "https"} and parts.netloc else None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _one_line(value: object) -> str:
    """A parser complaint as one short line ("<unknown>:2:0: x" becomes "x at line 2")."""
    text = str(value)
    if isinstance(value, SAXParseException):
        text = f"{value.getMessage()} at line {value.getLineNumber()}"
    return " ".join(text.split())[:200]


__all__ = ["FEED_KEYS", "FeedParseError", "FeedsFileError", "load_feeds_file", "parse_feed"]
