"""`Store`: the pipeline's only door to the database.

Each method is one short transaction and returns plain values (see `records`). Dedupe
is left to the unique constraints: inserts are `INSERT ... ON CONFLICT DO NOTHING`
(PostgreSQL or SQLite dialect, chosen by the engine), and "did I insert it?" is answered
by `RETURNING`, so two workers racing on the same entry, article, event or claim end up
with exactly one row and exactly one queued alert.

`atomic()` groups several calls into one transaction (processing one entry writes its
article, events, claims and status together or not at all), and any failure to reach or
use the database surfaces as `StoreUnavailableError`, one line naming the database.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from market_news.models import AIClaim, EarningsItem, Extraction, FeedConfig, FeedEntry
from market_news.store.canonical import canonical_url, content_fingerprint
from market_news.store.database import create_store_engine, migrate
from market_news.store.errors import StoreUnavailableError
from market_news.store.events import (
    EventGroup,
    claim_key,
    group_items,
    merge_metrics,
    new_event_metrics,
)
from market_news.store.lookup import find_stored
from market_news.store.near_duplicates import find_near_duplicate, index_bands
from market_news.store.records import (
    AlertKind,
    AlertStatus,
    ArticleResult,
    ClaimedAlert,
    CorrectionRecord,
    EntryStatus,
    FeedState,
    PendingEntry,
    QueuedAlert,
    StoredArticle,
)
from market_news.store.schema import (
    ALERT_STATUSES,
    ENTRY_STATUSES,
    AIClaimRow,
    Alert,
    Article,
    Base,
    Correction,
    Entry,
    Event,
    Feed,
    utcnow,
)
from market_news.store.similarity import signature

#: A failed entry is retried on later passes until it has failed this many times.
MAX_ENTRY_ATTEMPTS = 5
#: Claims of one entry that ended without any result (the worker died) before it is
#: given up as failed, so an entry that kills its worker cannot do so forever.
MAX_LOST_CLAIMS = 3
#: How long a processing worker holds the entries it claimed.
ENTRY_LEASE_SECONDS = 300
#: A published date further ahead than this is a feed's mistake, stored as unknown.
FUTURE_DATE_TOLERANCE = timedelta(days=1)
#: Backoff after a failed poll: 1, 2, 4 ... minutes, never more than an hour.
POLL_BACKOFF_BASE = timedelta(minutes=1)
POLL_BACKOFF_CAP = timedelta(hours=1)
#: Error texts are kept for people to read, not to archive whole HTML error pages.
MAX_ERROR_CHARS = 2000
#: Parent statuses after which a correction can be posted into the parent's thread.
_DELIVERED = ("sent", "dry_run")

BodyKind = Literal["html", "text"]


class Store:
    """The pipeline's store; construct with an `Engine`, or `Store.open(url)`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._local = threading.local()
        self._insert_statements: dict[tuple[Any, ...], Any] = {}

    @classmethod
    def open(cls, url: str) -> Store:
        """Create the engine for `url` and migrate the schema to the newest revision."""
        engine = create_store_engine(url)
        try:
            migrate(engine)
        except (OperationalError, InterfaceError) as exc:
            engine.dispose()
            raise StoreUnavailableError(engine.url, exc) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        """Release the connection pool."""
        self._engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A session in a transaction: the `atomic()` one when inside it, else a new one."""
        outer: Session | None = getattr(self._local, "session", None)
        if outer is not None:
            yield outer
            return
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailableError(self._engine.url, exc) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction, for maintenance SQL these methods do not cover.

        Joins an enclosing `atomic()` block; database failures become
        `StoreUnavailableError` as everywhere else.
        """
        with self._transaction() as session:
            yield session

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run the store calls inside this block in one transaction (nested blocks join it).

        Either everything written in the block commits, or nothing does: a database that
        goes away half-way leaves no article without its events, and no event without
        its alert.
        """
        if getattr(self._local, "session", None) is not None:
            yield
            return
        with self._transaction() as session:
            self._local.session = session
            try:
                yield
            finally:
                self._local.session = None

    @contextmanager
    def _reading(self) -> Iterator[Session | Connection]:
        """Where a single read statement runs: the `atomic()` session when inside one,
        else a Core connection, lighter than an ORM session for one statement. On
        PostgreSQL it is in autocommit (no BEGIN and COMMIT round trips around one
        statement, which is atomic by itself); on SQLite a short transaction."""
        outer: Session | None = getattr(self._local, "session", None)
        if outer is not None:
            yield outer
            return
        try:
            if self.dialect == "postgresql":
                with self._engine.connect() as connection:
                    yield connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                with self._engine.begin() as connection:
                    yield connection
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailableError(self._engine.url, exc) from exc

    def _insert(self, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that understands ON CONFLICT on this engine's dialect."""
        if self.dialect == "postgresql":
            return postgresql.insert(model)
        return sqlite.insert(model)

    def _insert_ignore(
        self, session: Session, model: type[Base], values: Mapping[str, Any], *conflict: str
    ) -> int | None:
        """Insert one row unless a unique key already holds it; the new id, or None.

        With no `conflict` columns, any unique constraint counts (articles have two).
        """
        key = (model, conflict, tuple(values))
        statement = self._insert_statements.get(key)
        if statement is None:
            # Built once per shape and executed with the row as parameters: building and
            # cache-keying a statement with the values inside cost as much as running it.
            statement = (
                self._insert(model)
                .on_conflict_do_nothing(index_elements=list(conflict) or None)
                .returning(model.__table__.c.id)
            )
            self._insert_statements[key] = statement
        new_id = session.execute(statement, dict(values)).scalar_one_or_none()
        return cast(int | None, new_id)

    # -- feeds ---------------------------------------------------------------------------

    def ensure_feed(self, feed: FeedConfig) -> int:
        """Register a feed (or update its URL and language); returns its id.

        A changed URL forgets the conditional-GET validators and backoff, which belonged
        to the old address.
        """
        with self._transaction() as session:
            return self._upsert_feed(session, feed)

    def _upsert_feed(self, session: Session, feed: FeedConfig) -> int:
        table = Feed.__table__
        statement = self._insert(Feed).values(name=feed.name, url=feed.url, language=feed.language)
        changed = table.c.url != statement.excluded.url
        reset = {
            "etag": _unless(changed, table.c.etag),
            "last_modified": _unless(changed, table.c.last_modified),
            "next_poll_at": _unless(changed, table.c.next_poll_at),
        }
        upsert = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={**reset, "url": statement.excluded.url, "language": statement.excluded.language},
        )
        return cast(int, session.execute(upsert.returning(table.c.id)).scalar_one())

    def feed_state(self, name: str) -> FeedState:
        """The feed's polling state; an empty state for a feed never polled."""
        with self._transaction() as session:
            return _feed_states(session, [name]).get(name, FeedState())

    def prepare_feeds(self, feeds: Sequence[FeedConfig]) -> dict[str, FeedState]:
        """`ensure_feed` for every feed, then each one's polling state, in one transaction.

        A poll pass starts here: one read of all the feeds, and an upsert only for a feed
        that is new or whose URL or language changed, instead of three transactions per
        feed before its fetch even starts.
        """
        names = list(dict.fromkeys(feed.name for feed in feeds))
        with self._transaction() as session:
            known = {
                row.name: (row.url, row.language)
                for chunk in _chunks(names)
                for row in session.execute(
                    select(Feed.name, Feed.url, Feed.language).where(Feed.name.in_(chunk))
                )
            }
            for feed in feeds:
                if known.get(feed.name) != (feed.url, feed.language):
                    self._upsert_feed(session, feed)
                    known[feed.name] = (feed.url, feed.language)
            return _feed_states(session, names)

    def record_poll_success(
        self, name: str, *, etag: str | None, last_modified: str | None, not_modified: bool
    ) -> None:
        """Remember the validators of a good poll and clear the failure streak.

        A 304 answer need not repeat the validators; the stored ones are then kept.
        """
        values: dict[str, Any] = {
            "consecutive_failures": 0,
            "last_error": None,
            "last_success_at": utcnow(),
            "next_poll_at": None,
            "polls": Feed.polls + 1,
            "etag": etag,
            "last_modified": last_modified,
        }
        if not_modified:
            values["not_modified_count"] = Feed.not_modified_count + 1
            values["etag"] = func.coalesce(etag, Feed.etag)
            values["last_modified"] = func.coalesce(last_modified, Feed.last_modified)
        self._update_feed(name, values)

    def record_polls_not_modified(self, names: Sequence[str]) -> None:
        """`record_poll_success(..., not_modified=True)` for many feeds in one statement.

        A 304 repeats no validators the poller did not send, so the stored ones stay;
        feeds that are not (or no longer) registered are ignored.
        """
        if not names:
            return
        values = {
            "consecutive_failures": 0,
            "last_error": None,
            "last_success_at": utcnow(),
            "next_poll_at": None,
            "polls": Feed.polls + 1,
            "not_modified_count": Feed.not_modified_count + 1,
        }
        with self._transaction() as session:
            for chunk in _chunks(list(dict.fromkeys(names))):
                session.execute(update(Feed).where(Feed.name.in_(chunk)).values(**values))

    def record_poll_failure(self, name: str, error: str) -> None:
        """Count a failed poll and push the next poll back (1 min doubling, 1 h cap)."""
        with self._transaction() as session:
            failures = session.execute(
                update(Feed)
                .where(Feed.name == name)
                .values(
                    consecutive_failures=Feed.consecutive_failures + 1,
                    polls=Feed.polls + 1,
                    last_error=error[:MAX_ERROR_CHARS],
                )
                .returning(Feed.consecutive_failures)
            ).scalar_one_or_none()
            if failures is None:
                raise LookupError(f"unknown feed {name!r}")
            session.execute(
                update(Feed)
                .where(Feed.name == name)
                .values(next_poll_at=utcnow() + poll_backoff(failures))
            )

    def _update_feed(self, name: str, values: Mapping[str, Any]) -> None:
        with self._transaction() as session:
            updated = session.execute(
                update(Feed).where(Feed.name == name).values(**values).returning(Feed.id)
            ).scalar_one_or_none()
            if updated is None:
                raise LookupError(f"unknown feed {name!r}")

    # -- entries -------------------------------------------------------------------------

    def add_entry(self, feed_name: str, entry: FeedEntry) -> int | None:
        """Store a feed entry as pending work; None when this feed already had its GUID.

        The same link arriving from another feed is still stored (it is that feed's
        entry); the article-level keys catch the duplicate later.
        """
        return self.add_entries(feed_name, [entry])[0]

    def add_entries(self, feed_name: str, entries: Sequence[FeedEntry]) -> list[int | None]:
        """`add_entry` for each entry, in one transaction and a few multi-row INSERTs.

        Returns, per entry, its new id or None (its GUID was already stored, or came
        earlier in `entries`). A polled feed lists dozens of entries it listed before;
        one statement per entry cost more than fetching and parsing the feed.
        """
        rows: dict[str, dict[str, Any]] = {}
        guids: list[str] = []
        for entry in entries:
            guid = (entry.guid or entry.link or "").strip() or _content_guid(entry)
            guids.append(guid)
            rows.setdefault(guid, _entry_row(entry, guid))
        with self._transaction() as session:
            feed_id = session.scalar(select(Feed.id).where(Feed.name == feed_name))
            if feed_id is None:
                raise LookupError(f"unknown feed {feed_name!r}")
            table = Entry.__table__
            new: dict[str, int] = {}
            batch = list(rows.values())
            for start in range(0, len(batch), _ENTRY_ROWS_PER_INSERT):
                chunk = [
                    {**row, "feed_id": feed_id}
                    for row in batch[start : start + _ENTRY_ROWS_PER_INSERT]
                ]
                statement = (
                    self._insert(Entry)
                    .values(chunk)
                    .on_conflict_do_nothing(index_elements=["feed_id", "guid"])
                    .returning(table.c.guid, table.c.id)
                )
                new.update((row.guid, row.id) for row in session.execute(statement))
        # Only the first occurrence of a GUID gets its id; a repeat within `entries` is
        # a duplicate, as it would have been if added one by one.
        return [new.pop(guid, None) for guid in guids]

    def pending_entries(self, limit: int = 500) -> list[PendingEntry]:
        """Entries to process: pending ones, and failed ones with retries left, oldest first."""
        query = (
            select(Entry, Feed.name)
            .join(Feed, Feed.id == Entry.feed_id)
            .where(
                or_(
                    Entry.status == "pending",
                    and_(Entry.status == "failed", Entry.attempts < MAX_ENTRY_ATTEMPTS),
                )
            )
            .order_by(Entry.id)
            .limit(limit)
        )
        with self._transaction() as session:
            return [_pending(entry, feed_name) for entry, feed_name in session.execute(query)]

    def claim_entries(
        self,
        limit: int,
        *,
        lease_seconds: float = ENTRY_LEASE_SECONDS,
        touched_before: datetime | None = None,
    ) -> list[PendingEntry]:
        """Take up to `limit` entries to process, each under a lease no other worker shares.

        Claimable: pending entries and failed ones with retries left, whose lease is free
        or ran out (the worker holding it died; the entry is simply processed again, and
        the article, event and alert keys make that harmless). `touched_before` skips
        entries marked since then, so a pass does not retry in a loop what it just saw
        fail. An entry whose claims ended without a result `MAX_LOST_CLAIMS` times is
        marked failed instead of being handed out again. On PostgreSQL the chosen rows are
        locked with `FOR UPDATE SKIP LOCKED`, so concurrent workers get disjoint batches.
        """
        if limit <= 0:
            return []
        now = utcnow()
        lease_free = or_(Entry.lease_until.is_(None), Entry.lease_until < now)
        retryable = or_(
            Entry.status == "pending",
            and_(Entry.status == "failed", Entry.attempts < MAX_ENTRY_ATTEMPTS),
        )
        abandon = (
            update(Entry)
            .where(retryable, lease_free, Entry.claims - Entry.attempts >= MAX_LOST_CLAIMS)
            .values(
                status="failed",
                attempts=MAX_ENTRY_ATTEMPTS,
                lease_until=None,
                last_error=f"given up: {MAX_LOST_CLAIMS} claims ended without a result "
                "(worker killed or crashed)",
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        candidates = select(Entry.id).where(retryable, lease_free).order_by(Entry.id).limit(limit)
        if touched_before is not None:
            candidates = candidates.where(
                or_(Entry.updated_at.is_(None), Entry.updated_at < touched_before)
            )
        claim = (
            update(Entry)
            .values(lease_until=now + timedelta(seconds=lease_seconds), claims=Entry.claims + 1)
            .returning(Entry.id)
            .execution_options(synchronize_session=False)
        )
        with self._transaction() as session:
            session.execute(abandon)
            if self.dialect == "postgresql":
                ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                claim = claim.where(Entry.id.in_(ids))
            else:  # BEGIN IMMEDIATE already holds SQLite's write lock
                claim = claim.where(Entry.id.in_(candidates))
            claimed = list(session.scalars(claim))
            rows = session.execute(
                select(Entry, Feed.name)
                .join(Feed, Feed.id == Entry.feed_id)
                .where(Entry.id.in_(claimed))
                .order_by(Entry.id)
            )
            return [_pending(entry, feed_name) for entry, feed_name in rows]

    def release_entries(self, entry_ids: Sequence[int]) -> None:
        """Hand claimed entries back unprocessed (the pass stopped early, nothing crashed)."""
        if not entry_ids:
            return
        with self._transaction() as session:
            session.execute(
                update(Entry)
                .where(Entry.id.in_(list(entry_ids)), Entry.lease_until.is_not(None))
                .values(lease_until=None, claims=Entry.claims - 1)
            )

    def mark_entry(self, entry_id: int, status: EntryStatus, error: str | None = None) -> None:
        """Record the outcome of processing an entry; 'done' and 'failed' count an attempt."""
        if status not in ENTRY_STATUSES:
            raise ValueError(f"unknown entry status {status!r}")
        attempts = Entry.attempts if status == "pending" else Entry.attempts + 1
        with self._transaction() as session:
            session.execute(
                update(Entry)
                .where(Entry.id == entry_id)
                .values(
                    status=status,
                    attempts=attempts,
                    last_error=error[:MAX_ERROR_CHARS] if error else None,
                    updated_at=utcnow(),
                    lease_until=None,
                )
            )

    # -- articles ------------------------------------------------------------------------

    def add_article(
        self,
        entry_id: int | None,
        *,
        url: str,
        extraction: Extraction,
        raw_body: bytes | None,
        parser_version: str,
        feed_name: str | None,
        body_kind: BodyKind | None = None,
    ) -> ArticleResult:
        """Store an extracted article unless its canonical URL or its text is known.

        The raw body is kept zlib-compressed so articles can be re-extracted when the
        parser improves, at a fraction of the size; `body_kind` says how ('html' or
        'text'). A new article is then compared with stored ones by MinHash: a reworded
        copy is stored but returned as a near-duplicate of the article it copies.
        """
        canonical = canonical_url(url)
        fingerprint = content_fingerprint(extraction.text)
        minhash = signature(extraction.text)
        values = {
            "canonical_url": canonical,
            "url": url,
            "fingerprint": fingerprint,
            "entry_id": entry_id,
            "feed_name": feed_name,
            "language": extraction.language,
            "title": extraction.title,
            "published": plausible_date(parse_timestamp(extraction.published)),
            "extraction": extraction.to_dict(),
            "raw_body": zlib.compress(raw_body) if raw_body is not None else None,
            "parser_version": parser_version,
            "body_kind": body_kind,
            "minhash": minhash,
        }
        with self._transaction() as session:
            article_id = self._insert_ignore(session, Article, values)
            if article_id is None:
                return _existing_article(session, entry_id, canonical, fingerprint)
            if minhash is None:
                return ArticleResult(article_id)
            match = find_near_duplicate(session, article_id, minhash)
            index_bands(session, article_id, minhash)
            if match is None:
                return ArticleResult(article_id)
            original, _score = match
            session.execute(
                update(Article).where(Article.id == article_id).values(near_duplicate_of=original)
            )
            return ArticleResult(article_id, duplicate_of=original, reason="near_duplicate")

    def find_article(self, canonical: str, fingerprint: str | None) -> StoredArticle | None:
        """The article stored under this canonical URL, else this text fingerprint.

        The exact-duplicate decision in one indexed statement (one round trip on
        PostgreSQL). `add_article` needs no call first: its INSERT makes the same decision
        atomically and asks this only when it was refused.
        """
        with self._reading() as executor:
            return find_stored(executor, canonical, fingerprint)

    def article_raw_body(self, article_id: int) -> bytes | None:
        """The article's body as fetched, decompressed; None when none was kept."""
        with self._transaction() as session:
            body = session.scalar(select(Article.raw_body).where(Article.id == article_id))
        return zlib.decompress(body) if body is not None else None

    # -- earnings events -----------------------------------------------------------------

    def record_earnings(
        self,
        article_id: int | None,
        items: Sequence[EarningsItem],
        *,
        article_url: str,
        article_title: str | None,
        published: datetime | str | None,
        language: str | None,
        company: str | None,
    ) -> list[QueuedAlert]:
        """Fold an article's earnings items into events; returns the alerts it queued.

        A report seen for the first time queues one top-level alert. A known report
        whose figures this article changes or extends queues one correction for the
        parent's thread. The same figures again (syndication, translation) queue nothing.
        """
        context = {
            "article_url": article_url,
            "article_title": article_title,
            "published": _iso(published),
            "language": language,
        }
        queued: list[QueuedAlert] = []
        with self._transaction() as session:
            for group in group_items(items, company):
                alert = self._record_event(session, article_id, group, company, context)
                if alert is not None:
                    queued.append(alert)
        return queued

    def _record_event(
        self,
        session: Session,
        article_id: int | None,
        group: EventGroup,
        company: str | None,
        context: Mapping[str, Any],
    ) -> QueuedAlert | None:
        metrics = new_event_metrics(group.items, context["article_url"])
        header = {
            "event_key": group.event_key,
            "ticker": group.ticker,
            "period": group.period,
            "fiscal_year": group.fiscal_year,
        }
        event_id = self._insert_ignore(
            session,
            Event,
            {**header, "company": company, "metrics": metrics, "first_article_id": article_id},
            "event_key",
        )
        if event_id is not None:
            payload = {
                **header,
                "company": company,
                "metrics": [dict(value) for value in metrics.values()],
                **context,
            }
            return self._queue(session, group.event_key, "earnings", payload, article_id)
        # Known report (possibly inserted a moment ago by another worker): lock and compare.
        event = session.scalars(
            select(Event).where(Event.event_key == group.event_key).with_for_update()
        ).one()
        merged, changes = merge_metrics(event.metrics, group.items, context["article_url"])
        if not changes:
            return None
        revision = event.revision + 1
        session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(metrics=merged, revision=revision, updated_at=utcnow())
        )
        payload = {**header, "company": event.company, "changes": changes, **context}
        alert_key = f"correction:{group.event_key}:{revision}"
        queued = self._queue(
            session,
            alert_key,
            "correction",
            payload,
            article_id,
            event_key=group.event_key,
            thread_of=group.event_key,
        )
        session.execute(
            insert(Correction),
            [
                {
                    "event_id": event.id,
                    "event_key": group.event_key,
                    "revision": revision,
                    "metric": change["metric"],
                    "basis": change["basis"],
                    "field": change["field"],
                    "old_value": change["old"],
                    "new_value": change["new"],
                    "currency": change["currency"],
                    "article_id": article_id,
                    "article_url": context["article_url"],
                    "alert_key": alert_key if queued is not None else None,
                }
                for change in changes
            ],
        )
        return queued

    def corrections(self, event_key: str) -> list[CorrectionRecord]:
        """The event's history of changed figures, oldest first."""
        with self._transaction() as session:
            rows = session.scalars(
                select(Correction)
                .where(Correction.event_key == event_key)
                .order_by(Correction.revision, Correction.id)
            )
            return [
                CorrectionRecord(
                    event_key=row.event_key,
                    revision=row.revision,
                    metric=row.metric,
                    basis=row.basis,
                    field=row.field,
                    old_value=row.old_value,
                    new_value=row.new_value,
                    currency=row.currency,
                    article_url=row.article_url,
                    alert_key=row.alert_key,
                    created_at=row.created_at,
                )
                for row in rows
            ]

    # -- AI claims -----------------------------------------------------------------------

    def record_ai_claims(
        self,
        article_id: int | None,
        claims: Sequence[AIClaim],
        *,
        article_url: str,
        article_title: str | None,
        published: datetime | str | None,
        language: str | None,
        tickers: Sequence[str],
        queue_alert: bool = True,
    ) -> list[QueuedAlert]:
        """Keep the claims nobody made before; one alert for this article if there are any.

        With `queue_alert` False the claims are recorded (so later articles know them)
        but no alert is queued: a near-duplicate's reworded claims are not news.
        """
        fresh: list[dict[str, Any]] = []
        with self._transaction() as session:
            seen: set[str] = set()
            for claim in claims:
                key = claim_key(claim)
                if key in seen:
                    continue
                seen.add(key)
                row = {
                    "kind": claim.kind,
                    "value": float(claim.value),
                    "unit": claim.unit,
                    "qualifier": claim.qualifier,
                    "subject": claim.subject,
                    "evidence": claim.evidence,
                }
                values = {**row, "claim_key": key, "article_id": article_id}
                if self._insert_ignore(session, AIClaimRow, values, "claim_key") is not None:
                    fresh.append(row)
            if not fresh or not queue_alert:
                return []
            alert_key = f"ai:{canonical_url(article_url)}"
            payload = {
                "article_url": article_url,
                "article_title": article_title,
                "published": _iso(published),
                "language": language,
                "tickers": list(tickers),
                "claims": fresh,
            }
            alert = self._queue(session, alert_key, "ai_claims", payload, article_id)
        return [alert] if alert is not None else []

    # -- outbox --------------------------------------------------------------------------

    def _queue(
        self,
        session: Session,
        alert_key: str,
        kind: AlertKind,
        payload: Mapping[str, Any],
        article_id: int | None,
        *,
        event_key: str | None = None,
        thread_of: str | None = None,
    ) -> QueuedAlert | None:
        """Write an alert to the outbox unless its key is already there.

        The payload carries `alert_key` and `event_key` so the sender can put them in the
        message metadata and find the message again after a crash.
        """
        event_key = event_key or alert_key
        values = {
            "alert_key": alert_key,
            "event_key": event_key,
            "kind": kind,
            "payload": {**payload, "alert_key": alert_key, "event_key": event_key},
            "thread_of_alert_key": thread_of,
            "article_id": article_id,
        }
        alert_id = self._insert_ignore(session, Alert, values, "alert_key")
        if alert_id is None:
            return None
        return QueuedAlert(id=alert_id, alert_key=alert_key, kind=kind, event_key=event_key)

    def claim_pending_alerts(self, limit: int, lease_seconds: int = 120) -> list[ClaimedAlert]:
        """Take up to `limit` alerts for sending, each under a lease no other sender shares.

        Claimable: pending alerts, and alerts still 'sending' whose lease ran out (their
        sender died; they come back with `outcome_unknown`). A correction waits until
        its parent is delivered, so it always has a thread to go to. Oldest first, so a
        parent is claimed before its corrections.
        """
        if limit <= 0:
            return []
        now = utcnow()
        lease_until = now + timedelta(seconds=lease_seconds)
        parent = aliased(Alert)
        parent_delivered = exists().where(
            parent.alert_key == Alert.thread_of_alert_key, parent.status.in_(_DELIVERED)
        )
        candidates = (
            select(Alert.id)
            .where(
                or_(
                    Alert.status == "pending",
                    and_(Alert.status == "sending", Alert.lease_until < now),
                ),
                or_(Alert.thread_of_alert_key.is_(None), parent_delivered),
            )
            .order_by(Alert.id)
            .limit(limit)
        )
        parent_ts = (
            select(parent.ts).where(parent.alert_key == Alert.thread_of_alert_key).scalar_subquery()
        )
        claim = (
            update(Alert)
            .values(
                status="sending",
                claimed_from=Alert.status,
                lease_until=lease_until,
                attempts=Alert.attempts + 1,
                thread_ts=parent_ts,
            )
            .returning(
                Alert.id,
                Alert.alert_key,
                Alert.event_key,
                Alert.kind,
                Alert.payload,
                Alert.attempts,
                Alert.claimed_from,
                Alert.thread_of_alert_key,
                Alert.thread_ts,
            )
            .execution_options(synchronize_session=False)
        )
        with self._transaction() as session:
            if self.dialect == "postgresql":
                # Lock the chosen rows first; rows another sender holds are skipped, not
                # waited for, so concurrent senders get disjoint batches.
                ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                claim = claim.where(Alert.id.in_(ids))
            else:
                # BEGIN IMMEDIATE already holds SQLite's write lock: one statement suffices.
                claim = claim.where(Alert.id.in_(candidates))
            rows = session.execute(claim).all()
        claimed = [
            ClaimedAlert(
                id=row.id,
                alert_key=row.alert_key,
                event_key=row.event_key,
                kind=cast(AlertKind, row.kind),
                payload=dict(row.payload),
                attempts=row.attempts,
                previous_status=cast(AlertStatus, row.claimed_from),
                outcome_unknown=row.claimed_from == "sending",
                thread_of_alert_key=row.thread_of_alert_key,
                thread_ts=row.thread_ts,
                lease_until=lease_until,
            )
            for row in rows
        ]
        return sorted(claimed, key=lambda alert: alert.id)

    def mark_alert_sent(
        self, alert_id: int, *, channel: str, ts: str | None, dry_run: bool
    ) -> None:
        """Record delivery (or its dry-run rendering); the alert is never claimed again."""
        with self._transaction() as session:
            session.execute(
                update(Alert)
                .where(Alert.id == alert_id)
                .values(
                    status="dry_run" if dry_run else "sent",
                    channel=channel,
                    ts=ts,
                    sent_at=utcnow(),
                    lease_until=None,
                    last_error=None,
                )
            )

    def mark_alert_failed(self, alert_id: int, error: str, *, permanent: bool) -> None:
        """Release a claimed alert after a failed post; it stays pending for a later pass.

        Transient failures (rate limits, 5xx, timeouts) and permanent ones (a channel
        the bot is not in, a revoked token) both leave the alert pending: the message is
        still owed once the configuration is fixed. A permanent error is marked as such
        in `last_error` for the operator.
        """
        message = f"permanent: {error}" if permanent else error
        with self._transaction() as session:
            session.execute(
                update(Alert)
                .where(Alert.id == alert_id, Alert.status == "sending")
                .values(status="pending", lease_until=None, last_error=message[:MAX_ERROR_CHARS])
            )

    def alert_counts(self) -> dict[str, int]:
        """Number of alerts in each status (every status present, zero when none)."""
        counts = dict.fromkeys(ALERT_STATUSES, 0)
        with self._transaction() as session:
            rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
            for status, count in rows:
                counts[status] = count
        return counts


def _existing_article(
    session: Session, entry_id: int | None, canonical: str, fingerprint: str | None
) -> ArticleResult:
    """Which stored article blocked an insert, and by which key."""
    found = find_stored(session, canonical, fingerprint)
    if found is None:
        raise RuntimeError(f"article insert for {canonical!r} conflicted with no stored article")
    if entry_id is not None and found.entry_id == entry_id:
        # The same entry again: a retry, not a duplicate (but still a copy if it was one).
        if found.near_duplicate_of is not None:
            return ArticleResult(found.id, found.near_duplicate_of, "near_duplicate")
        return ArticleResult(found.id)
    return ArticleResult(None, duplicate_of=found.id, reason=found.matched)


#: Names per `IN (...)` list: well under SQLite's bound-parameter limit.
_IN_CHUNK = 500


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _feed_states(session: Session, names: list[str]) -> dict[str, FeedState]:
    """Polling state of the named feeds that are registered (one query per 500 names)."""
    states: dict[str, FeedState] = {}
    for chunk in _chunks(names):
        rows = session.execute(
            select(
                Feed.name,
                Feed.etag,
                Feed.last_modified,
                Feed.next_poll_at,
                Feed.consecutive_failures,
                Feed.last_success_at,
                Feed.last_error,
            ).where(Feed.name.in_(chunk))
        )
        for row in rows:
            states[row.name] = FeedState(
                etag=row.etag,
                last_modified=row.last_modified,
                next_poll_at=row.next_poll_at,
                consecutive_failures=row.consecutive_failures,
                last_success_at=row.last_success_at,
                last_error=row.last_error,
            )
    return states


#: Rows per multi-row INSERT of entries (9 values each, far below any bind limit).
_ENTRY_ROWS_PER_INSERT = 200


def _entry_row(entry: FeedEntry, guid: str) -> dict[str, Any]:
    return {
        "guid": guid,
        "link": entry.link,
        "canonical_link": canonical_url(entry.link) if entry.link else None,
        "title": entry.title,
        "summary": entry.summary,
        "content_html": entry.content_html,
        "published": plausible_date(entry.published),
        "language": entry.language,
    }


def _pending(entry: Entry, feed_name: str) -> PendingEntry:
    return PendingEntry(
        id=entry.id,
        feed_name=feed_name,
        guid=entry.guid,
        link=entry.link,
        title=entry.title,
        summary=entry.summary,
        content_html=entry.content_html,
        published=entry.published,
        language=entry.language,
        attempts=entry.attempts,
    )


def _content_guid(entry: FeedEntry) -> str:
    """A stable id for an entry with neither GUID nor link: a hash of what it says.

    The same item polled again hashes the same, so it is still stored once per feed.
    """
    text = "\x1f".join((entry.title or "", entry.summary or "", entry.content_html or ""))
    if not text.strip("\x1f").strip():
        raise ValueError("a feed entry needs a guid, a link, a title or some text")
    return "urn:sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def plausible_date(value: datetime | None) -> datetime | None:
    """The date, or None when it lies more than a day in the future (a feed's mistake).

    Left as is, such a date would sort the entry above every real one for months.
    """
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return None if aware > utcnow() + FUTURE_DATE_TOLERANCE else value


def _unless(changed: ColumnElement[bool], column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL `CASE WHEN changed THEN NULL ELSE column END`."""
    return case((changed, null()), else_=column)


def poll_backoff(consecutive_failures: int) -> timedelta:
    """Delay before the next poll after `consecutive_failures` failures in a row."""
    exponent = max(consecutive_failures - 1, 0)
    if exponent >= 6:  # 2**6 minutes already exceeds the cap; avoid huge numbers
        return POLL_BACKOFF_CAP
    return min(POLL_BACKOFF_BASE * (1 << exponent), POLL_BACKOFF_CAP)


def parse_timestamp(value: datetime | str | None) -> datetime | None:
    """An ISO 8601 text (as extraction gives) as a datetime; None when it is not one."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


__all__ = [
    "ENTRY_LEASE_SECONDS",
    "MAX_ENTRY_ATTEMPTS",
    "MAX_LOST_CLAIMS",
    "BodyKind",
    "Store",
    "parse_timestamp",
    "plausible_date",
    "poll_backoff",
]
