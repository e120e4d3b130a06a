"""Turn pending entries into articles, events and queued alerts.

The article text comes from the feed's own content when it carries the whole story,
else from the linked page, else from the summary. A fetch that fails marks the entry
failed (retried on later passes) and the pass goes on.

Entries are claimed in small batches under a lease, so two workers never process the same
entry and one killed mid-entry leaves it claimable again once its lease runs out. What an
entry produces (article, events, claims, alerts, its 'done' status) is written in one
transaction: a database that goes away mid-pass stops the pass with no half-written
entry, and the next pass redoes it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from market_news.extract import PARSER_VERSION, extract_html, extract_text
from market_news.fetch import FetchError, FetchPolicy, fetch
from market_news.models import Extraction, FeedConfig, PassSummary
from market_news.settings import Settings
from market_news.store import BodyKind, PendingEntry, Store, StoreUnavailableError
from market_news.store.schema import utcnow

log = logging.getLogger("market_news.pipeline")


@dataclass(frozen=True, slots=True)
class _Article:
    url: str
    extraction: Extraction
    raw_body: bytes | None
    body_kind: BodyKind


#: Entries claimed at a time: small, so a batch is done well within its lease.
CLAIM_BATCH = 5


def process_pending(
    *,
    settings: Settings,
    store: Store,
    feeds: Sequence[FeedConfig],
    limit: int = 500,
    batch: int = CLAIM_BATCH,
) -> PassSummary:
    """Turn up to `limit` pending entries into articles, events and queued alerts.

    Raises `StoreUnavailableError` when the database fails mid-pass, after handing the
    unfinished entries back when it still can.
    """
    by_name = {feed.name: feed for feed in feeds}
    started = utcnow()
    summary = PassSummary()
    handled = 0
    while handled < limit:
        claimed = store.claim_entries(min(batch, limit - handled), touched_before=started)
        if not claimed:
            break
        for index, entry in enumerate(claimed):
            log.info("article %d: %s", handled + index + 1, entry.link or entry.guid)
            try:
                summary += _process_entry(entry, by_name.get(entry.feed_name), settings, store)
            except StoreUnavailableError:
                _release_quietly(store, [left.id for left in claimed[index:]])
                raise
        handled += len(claimed)
    return summary


def _release_quietly(store: Store, entry_ids: list[int]) -> None:
    """Give unfinished entries back at once; if the database is still away, their leases
    run out instead."""
    try:
        store.release_entries(entry_ids)
    except StoreUnavailableError:
        log.debug("could not release %d entries; their leases will expire", len(entry_ids))


def _process_entry(
    entry: PendingEntry, feed: FeedConfig | None, settings: Settings, store: Store
) -> PassSummary:
    try:
        article = _read_article(entry, feed, settings)
    except FetchError as exc:
        store.mark_entry(entry.id, "failed", str(exc))
        log.warning("article %s failed: %s", entry.link, exc.reason)
        return PassSummary(errors=1)
    except Exception as exc:  # one malformed entry (an extractor bug) must not stop the pass
        store.mark_entry(entry.id, "failed", f"{type(exc).__name__}: {exc}")
        log.warning("entry %s failed: %s: %s", entry.link or entry.guid, type(exc).__name__, exc)
        return PassSummary(errors=1)
    with store.atomic():
        return _store_article(entry, article, store)


def _store_article(entry: PendingEntry, article: _Article, store: Store) -> PassSummary:
    """Article, events, claims and the entry's status, inside the caller's transaction.

    A near-duplicate (a reworded copy) counts as a duplicate, but its figures still go
    through event dedupe, so a figure it changes becomes a correction; its AI claims are
    recorded without an alert, the original's alert having said the same.
    """
    added = store.add_article(
        entry.id,
        url=article.url,
        extraction=article.extraction,
        raw_body=article.raw_body,
        parser_version=PARSER_VERSION,
        feed_name=entry.feed_name,
        body_kind=article.body_kind,
    )
    if added.article_id is None:
        store.mark_entry(entry.id, "done")
        log.info("article %s is a duplicate (%s)", article.url, added.reason)
        return PassSummary(duplicates=1)
    if added.is_near_duplicate:
        log.info("article %s is a near-duplicate of article %s", article.url, added.duplicate_of)
    extraction = article.extraction
    title = extraction.title or entry.title
    published = extraction.published or _iso(entry)
    store.record_earnings(
        added.article_id,
        extraction.earnings,
        article_url=article.url,
        article_title=title,
        published=published,
        language=extraction.language,
        company=None,
    )
    store.record_ai_claims(
        added.article_id,
        extraction.ai_claims,
        article_url=article.url,
        article_title=title,
        published=published,
        language=extraction.language,
        tickers=list(extraction.tickers),
        queue_alert=not added.is_near_duplicate,
    )
    store.mark_entry(entry.id, "done")
    return PassSummary(duplicates=1) if added.is_near_duplicate else PassSummary(new_articles=1)


def _iso(entry: PendingEntry) -> str | None:
    return entry.published.isoformat() if entry.published else None


def _read_article(entry: PendingEntry, feed: FeedConfig | None, settings: Settings) -> _Article:
    """The article's text: the feed's own content, else the linked page, else the summary."""
    url = entry.link or entry.guid
    hint = (feed.language if feed else None) or entry.language
    if entry.content_html and len(entry.content_html) > 2 * len(entry.summary or ""):
        extraction = extract_html(entry.content_html, url=url, language_hint=hint)
        return _Article(url, _titled(extraction, entry), entry.content_html.encode(), "html")
    if entry.link and (feed is None or feed.fetch_article):
        page = fetch(entry.link, FetchPolicy.from_settings(settings, kind="article"))
        if page.content_type == "text/plain":
            text = page.body.decode(page.charset or "utf-8", errors="replace")
            extraction = extract_text(text, title=entry.title, published=_iso(entry))
            kind: BodyKind = "text"
        else:
            extraction = extract_html(page.body, url=page.final_url, language_hint=hint)
            kind = "html"
        return _Article(page.final_url, _titled(extraction, entry), page.body, kind)
    text = entry.summary or entry.title or ""
    extraction = extract_text(text, title=entry.title, published=_iso(entry), language_hint=hint)
    return _Article(url, extraction, text.encode(), "text")


def _titled(extraction: Extraction, entry: PendingEntry) -> Extraction:
    """Fill title/published from the feed entry when the page did not carry them."""
    return replace(
        extraction,
        title=extraction.title or entry.title,
        published=extraction.published or _iso(entry),
    )
