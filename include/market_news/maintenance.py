"""Store upkeep from the command line: retention (`prune`) and replay (`reprocess`).

Retention keeps what dedupe and history need forever (articles' URL and fingerprint keys,
events, AI claims, alerts, corrections) and drops what only costs space: raw bodies,
near-duplicate signatures and finished feed entries older than the cut-off.

Replay re-extracts the stored raw bodies with the current parser after an extractor
upgrade and reports, per article, which items it would add, remove or change. Applied,
only the added and changed items go through the event logic, so an unchanged figure can
never produce an alert again, while a really different one becomes a correction.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.engine import Result

from market_news.extract import PARSER_VERSION, extract_html, extract_text
from market_news.models import Extraction
from market_news.store import Store
from market_news.store.repository import MAX_ENTRY_ATTEMPTS
from market_news.store.schema import Article, ArticleBand, Entry, utcnow

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: Articles read per query while replaying, so raw bodies never all sit in memory.
REPLAY_CHUNK = 200
#: Fields that identify an item; any other field differing (but `evidence`) is a change.
EARNINGS_KEY = ("ticker", "period", "fiscal_year", "metric", "basis")
CLAIM_KEY = ("kind", "unit", "subject")
_IGNORED = frozenset({"evidence"})
_MARKUP = re.compile(rb"<\s*(html|head|body|article|p|div|main)\b", re.IGNORECASE)


def parse_age(text: str) -> timedelta:
    """'90d', '12h', '4w' (also 's' and 'm') as a timedelta; ValueError otherwise."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an age like 90d, 12h or 4w")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


# -- retention ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What `prune` removed; `to_dict` is the JSON line the command prints."""

    older_than: str
    cutoff: datetime
    raw_bodies: int
    signatures: int
    entries: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "older_than": self.older_than,
            "cutoff": self.cutoff.isoformat(),
            "raw_bodies": self.raw_bodies,
            "signatures": self.signatures,
            "entries": self.entries,
        }


def prune(store: Store, older_than: timedelta, *, label: str | None = None) -> PruneReport:
    """Drop raw bodies, signatures and finished entries created before now - `older_than`.

    One transaction. Entries still owed work (pending, failed with retries left, or
    leased) are kept whatever their age. A deleted entry's GUID, if its feed still lists
    it, comes back as a new entry whose article the URL key then finds: one refetch,
    no second alert.
    """
    now = utcnow()
    cutoff = now - older_than
    old_articles = select(Article.id).where(Article.created_at < cutoff)
    finished = or_(
        Entry.status == "done",
        (Entry.status == "failed") & (Entry.attempts >= MAX_ENTRY_ATTEMPTS),
    )
    lease_free = or_(Entry.lease_until.is_(None), Entry.lease_until < now)
    with store.session() as session:
        bodies = _rowcount(
            session.execute(
                update(Article)
                .where(Article.created_at < cutoff, Article.raw_body.is_not(None))
                .values(raw_body=None)
                .execution_options(synchronize_session=False)
            )
        )
        session.execute(
            delete(ArticleBand)
            .where(ArticleBand.article_id.in_(old_articles))
            .execution_options(synchronize_session=False)
        )
        signatures = _rowcount(
            session.execute(
                update(Article)
                .where(Article.created_at < cutoff, Article.minhash.is_not(None))
                .values(minhash=None)
                .execution_options(synchronize_session=False)
            )
        )
        entries = _rowcount(
            session.execute(
                delete(Entry)
                .where(Entry.created_at < cutoff, finished, lease_free)
                .execution_options(synchronize_session=False)
            )
        )
    return PruneReport(
        older_than=label or f"{older_than.total_seconds():.0f}s",
        cutoff=cutoff,
        raw_bodies=bodies,
        signatures=signatures,
        entries=entries,
    )


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (DML results are cursor results)."""
    return max(cast(CursorResult[Any], result).rowcount, 0)


# -- replay ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemDiff:
    """How one list of items (earnings or AI claims) differs between two extractions.

    `added` and `changed` hold indexes into the new list (so the new items can be
    replayed); `removed` the old items themselves; `changed_from` the old item each
    changed one replaced.
    """

    added: tuple[int, ...] = ()
    removed: tuple[dict[str, Any], ...] = ()
    changed: tuple[int, ...] = ()
    changed_from: tuple[dict[str, Any], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_items(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> ItemDiff:
    """Pair old and new items: equal ones first, then by `key`; the rest are added/removed.

    The evidence sentence is not compared: a parser that quotes a sentence differently
    has not changed what the article says.
    """
    left = [dict(item) for item in old]
    unmatched_new: list[int] = []
    for index, item in enumerate(new):
        same = next((n for n, o in enumerate(left) if _facts(o) == _facts(item)), None)
        if same is None:
            unmatched_new.append(index)
        else:
            left.pop(same)
    added: list[int] = []
    changed: list[int] = []
    changed_from: list[dict[str, Any]] = []
    for index in unmatched_new:
        wanted = tuple(new[index].get(name) for name in key)
        match = next(
            (n for n, o in enumerate(left) if tuple(o.get(name) for name in key) == wanted), None
        )
        if match is None:
            added.append(index)
        else:
            changed.append(index)
            changed_from.append(left.pop(match))
    return ItemDiff(tuple(added), tuple(left), tuple(changed), tuple(changed_from))


def _facts(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name not in _IGNORED}


@dataclass(frozen=True, slots=True)
class ArticleReplay:
    """One article re-extracted: what changed, and what applying it queued."""

    article_id: int
    url: str
    parser_version: str
    earnings: ItemDiff
    claims: ItemDiff
    extraction: Extraction = field(repr=False)
    alerts_queued: int = 0

    @property
    def changed(self) -> bool:
        return not (self.earnings.empty and self.claims.empty)

    def to_dict(self) -> dict[str, Any]:
        """The JSON line printed for this article."""
        new = self.extraction.to_dict()
        return {
            "article_id": self.article_id,
            "url": self.url,
            "parser_version": {"old": self.parser_version, "new": PARSER_VERSION},
            "earnings": _diff_dict(self.earnings, new["earnings"]),
            "ai_claims": _diff_dict(self.claims, new["ai_claims"]),
            "alerts_queued": self.alerts_queued,
        }


def _diff_dict(diff: ItemDiff, new: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "added": [new[index] for index in diff.added],
        "removed": list(diff.removed),
        "changed": [
            {"old": old, "new": new[index]}
            for old, index in zip(diff.changed_from, diff.changed, strict=True)
        ],
    }


@dataclass(slots=True)
class ReplaySummary:
    """Totals of a replay; `to_dict` is its last JSON line."""

    apply: bool
    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    items_added: int = 0
    items_removed: int = 0
    items_changed: int = 0
    alerts_queued: int = 0

    def count(self, replay: ArticleReplay) -> None:
        self.articles += 1
        if not replay.changed:
            self.unchanged += 1
            return
        self.changed += 1
        for diff in (replay.earnings, replay.claims):
            self.items_added += len(diff.added)
            self.items_removed += len(diff.removed)
            self.items_changed += len(diff.changed)
        self.alerts_queued += replay.alerts_queued

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": True,
            "parser_version": PARSER_VERSION,
            "applied": self.apply,
            "articles": self.articles,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "items_added": self.items_added,
            "items_removed": self.items_removed,
            "items_changed": self.items_changed,
            "alerts_queued": self.alerts_queued,
        }


def reprocess(
    store: Store, summary: ReplaySummary, *, limit: int | None = None
) -> Iterator[ArticleReplay]:
    """Re-extract every stored article with a raw body; yield those whose items changed.

    With `summary.apply`, each changed article's new extraction is stored and its added
    and changed items are recorded (one transaction per article). Articles without a raw
    body (pruned, or stored before bodies were kept) count as skipped.
    """
    last_id = 0
    seen = 0
    while limit is None or seen < limit:
        chunk = _article_chunk(store, last_id, REPLAY_CHUNK)
        if not chunk:
            return
        for row in chunk:
            last_id = row["id"]
            if limit is not None and seen >= limit:
                return
            seen += 1
            if row["raw_body"] is None:
                summary.skipped += 1
                continue
            replay = _replay(row)
            if replay.changed and summary.apply:
                replay = replace(replay, alerts_queued=_apply(store, row, replay))
            summary.count(replay)
            if replay.changed:
                yield replay


def _article_chunk(store: Store, after_id: int, size: int) -> list[dict[str, Any]]:
    columns = (
        Article.id,
        Article.url,
        Article.raw_body,
        Article.body_kind,
        Article.extraction,
        Article.title,
        Article.language,
        Article.parser_version,
        Article.near_duplicate_of,
    )
    query = select(*columns).where(Article.id > after_id).order_by(Article.id).limit(size)
    with store.session() as session:
        return [dict(row._mapping) for row in session.execute(query)]


def _replay(row: Mapping[str, Any]) -> ArticleReplay:
    extraction = re_extract(
        zlib.decompress(row["raw_body"]),
        body_kind=row["body_kind"],
        title=row["title"],
        published=row["extraction"].get("published"),
        language=row["language"],
    )
    old = row["extraction"]
    new = extraction.to_dict()
    return ArticleReplay(
        article_id=row["id"],
        url=row["url"],
        parser_version=row["parser_version"],
        earnings=diff_items(old.get("earnings", []), new["earnings"], EARNINGS_KEY),
        claims=diff_items(old.get("ai_claims", []), new["ai_claims"], CLAIM_KEY),
        extraction=extraction,
    )


def re_extract(
    body: bytes,
    *,
    body_kind: str | None,
    title: str | None,
    published: str | None,
    language: str | None,
) -> Extraction:
    """Extract a stored raw body again, the way processing first did.

    Rows from before `body_kind` was recorded are sniffed: markup means a page.
    """
    kind = body_kind or ("html" if _MARKUP.search(body[:4096]) else "text")
    if kind == "html":
        extraction = extract_html(body, language_hint=language)
        return replace(
            extraction,
            title=extraction.title or title,
            published=extraction.published or published,
        )
    text = body.decode("utf-8", errors="replace")
    return extract_text(text, title=title, published=published, language_hint=language)


def _apply(store: Store, row: Mapping[str, Any], replay: ArticleReplay) -> int:
    """Store the new extraction and record only what is new or different; alerts queued."""
    extraction = replay.extraction
    earnings = [extraction.earnings[i] for i in (*replay.earnings.added, *replay.earnings.changed)]
    claims = [extraction.ai_claims[i] for i in (*replay.claims.added, *replay.claims.changed)]
    context = {
        "article_url": row["url"],
        "article_title": extraction.title,
        "published": extraction.published,
        "language": extraction.language,
    }
    with store.atomic(), store.session() as session:
        session.execute(
            update(Article)
            .where(Article.id == row["id"])
            .values(
                extraction=extraction.to_dict(),
                parser_version=PARSER_VERSION,
                language=extraction.language,
                title=extraction.title,
            )
        )
        queued = store.record_earnings(row["id"], earnings, company=None, **context)
        queued += store.record_ai_claims(
            row["id"],
            claims,
            tickers=list(extraction.tickers),
            queue_alert=row["near_duplicate_of"] is None,
            **context,
        )
    return len(queued)


__all__ = [
    "CLAIM_KEY",
    "EARNINGS_KEY",
    "ArticleReplay",
    "ItemDiff",
    "PruneReport",
    "ReplaySummary",
    "diff_items",
    "parse_age",
    "prune",
    "re_extract",
    "reprocess",
]
