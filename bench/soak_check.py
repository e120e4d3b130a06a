"""The soak's verdicts: nothing lost, nothing doubled, every error where it was injected.

Expectations come from the plan (`bench.soak_plan`); observations from the store's
tables, the Slack stand-in's channel and the failures the worker saw in the pipeline's
log. Keys are compared in the store's own normal form (`canonical_url`), the form the
interface promises for article-level dedupe.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from market_news.store.canonical import canonical_url
from market_news.store.schema import Alert, Article, Entry, Feed
from sqlalchemy import Connection, create_engine, func, select

from bench.soak_plan import FAULTS_BY_NAME, FEED_FAULTS, Listing, Plan, feed_name


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    canonical_url: str
    title: str | None
    near_duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    feed: str
    guid: str
    status: str


@dataclass
class StoreSnapshot:
    articles: list[StoredArticle]
    entries: list[StoredEntry]
    alert_statuses: Counter[str]


def read_store(url: str) -> StoreSnapshot:
    """The rows the check needs, read after the worker has closed the store."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            articles = [
                StoredArticle(row.id, row.canonical_url, row.title, row.near_duplicate_of)
                for row in connection.execute(
                    select(
                        Article.id, Article.canonical_url, Article.title, Article.near_duplicate_of
                    )
                )
            ]
            entries = [
                StoredEntry(row.name, row.guid, row.status)
                for row in connection.execute(
                    select(Feed.name, Entry.guid, Entry.status).join(Feed, Feed.id == Entry.feed_id)
                )
            ]
            alert_statuses = _status_counts(connection, Alert.status)
    finally:
        engine.dispose()
    return StoreSnapshot(articles, entries, alert_statuses)


def _status_counts(connection: Connection, column: Any) -> Counter[str]:
    rows = connection.execute(select(column, func.count()).group_by(column)).all()
    return Counter({str(row[0]): int(row[1]) for row in rows})


@dataclass
class Verdict:
    """What was expected, what was found, and the differences (empty lists: all good)."""

    figures: dict[str, Any] = field(default_factory=dict)
    lost_articles: list[int] = field(default_factory=list)  # story numbers
    doubled_articles: list[int] = field(default_factory=list)
    #: Articles under no published URL (e.g. built from a cut-off feed item): a story
    #: stored a second time if its title is a story's, else something made up.
    extra_articles: list[str] = field(default_factory=list)
    extra_entries: list[str] = field(default_factory=list)  # (feed, GUID) never published
    stored_but_broken: list[int] = field(default_factory=list)
    lost_alerts: list[int] = field(default_factory=list)
    doubled_alerts: list[int] = field(default_factory=list)
    unexpected_alerts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.lost_articles
            or self.doubled_articles
            or self.extra_articles
            or self.stored_but_broken
            or self.lost_alerts
            or self.doubled_alerts
            or self.problems
        )


def _must_store(plan: Plan, story: int) -> bool:
    fault = plan.fault_of(story)
    return fault is None or fault.stored


def check_store(
    plan: Plan, store: StoreSnapshot, final_url: Callable[[Listing], str], verdict: Verdict
) -> dict[int, set[str]]:
    """Articles: one per valid story (and one per reworded copy), none for broken ones.

    Returns, per story, the canonical URLs its alerts may name (any copy may be the one
    stored first).
    """
    by_url: dict[str, list[StoredArticle]] = defaultdict(list)
    for article in store.articles:
        by_url[article.canonical_url].append(article)
    originals = {item.story: item for item in plan.listings if item.variant == "original"}
    urls_of: dict[int, set[str]] = {}
    matched: set[int] = set()
    expected = near_flagged = reworded = 0
    for story, listing in originals.items():
        group = {canonical_url(final_url(listing))}
        reworded_url: str | None = None
        for copy in plan.copies.get(story, []):
            if copy.variant == "syndicated":
                group.add(canonical_url(final_url(copy)))
            elif copy.variant == "reworded":
                reworded_url = canonical_url(final_url(copy))
        rows = [row for url in group for row in by_url.get(url, [])]
        matched.update(row.id for row in rows)
        if _must_store(plan, story):
            expected += 1
            if not rows:
                verdict.lost_articles.append(story)
            elif len(rows) > 1:
                verdict.doubled_articles.append(story)
        elif rows:
            verdict.stored_but_broken.append(story)
        urls_of[story] = set(group)
        if reworded_url is not None:
            reworded += 1
            expected += 1
            copies = by_url.get(reworded_url, [])
            matched.update(row.id for row in copies)
            if not copies:
                verdict.lost_articles.append(story)
            elif len(copies) > 1:
                verdict.doubled_articles.append(story)
            pair = copies + rows
            if any(row.near_duplicate_of is not None for row in pair):
                near_flagged += 1
            urls_of[story].add(reworded_url)
    titles = {told.title: number for number, told in plan.stories.items()}
    for row in store.articles:
        if row.id in matched:
            continue
        copied = titles.get(row.title or "")
        owner = f"a second copy of story {copied}" if copied is not None else "no story"
        verdict.extra_articles.append(f"{row.canonical_url} ({owner}: {row.title!r})")
    _check_entries(plan, store, verdict)
    verdict.figures.update(
        {
            "articles_expected": expected,
            "articles_stored": len(store.articles),
            "reworded_copies": reworded,
            "reworded_flagged_near_duplicate": near_flagged,
        }
    )
    return urls_of


def _check_entries(plan: Plan, store: StoreSnapshot, verdict: Verdict) -> None:
    """One entry per published (feed, GUID): done, or failed when its page is broken."""
    wanted: dict[tuple[str, str], str] = {}
    for listing in plan.listings:
        status = "done" if _must_store(plan, listing.story) else "failed"
        wanted[(feed_name(listing.feed), listing.guid)] = status
    found = {(entry.feed, entry.guid): entry.status for entry in store.entries}
    missing = [key for key in wanted if key not in found]
    wrong = [key for key, status in wanted.items() if key in found and found[key] != status]
    verdict.extra_entries = [f"{feed} {guid}" for feed, guid in found if (feed, guid) not in wanted]
    statuses = Counter(found.values())
    failed = sum(1 for status in wanted.values() if status == "failed")
    verdict.figures.update(
        {
            "entries_expected": len(wanted),
            "entries_stored": len(found),
            "entries_done": statuses.get("done", 0),
            "entries_done_expected": len(wanted) - failed,
            "entries_failed": statuses.get("failed", 0),
            "entries_failed_expected": failed,
            "entries_pending": statuses.get("pending", 0),
            "entries_extra": len(verdict.extra_entries),
        }
    )
    if missing:
        verdict.problems.append(f"{len(missing)} published entries never stored, e.g. {missing[0]}")
    if wrong:
        key = wrong[0]
        verdict.problems.append(
            f"{len(wrong)} entries ended in the wrong status, e.g. {key}: {found[key]}, "
            f"expected {wanted[key]}"
        )


def check_alerts(
    plan: Plan,
    messages: Sequence[dict[str, Any]],
    urls_of: dict[int, set[str]],
    store: StoreSnapshot,
    verdict: Verdict,
) -> None:
    """Every expected event in the channel exactly once, nothing else, the outbox empty."""
    owner: dict[str, int] = {}
    expected: set[int] = set()
    for story_number, told in plan.stories.items():
        event = told.event
        if event is None or not _must_store(plan, story_number):
            continue
        expected.add(story_number)
        if event.kind == "earnings":
            owner[event.earnings_key] = story_number
        else:
            for url in urls_of.get(story_number, ()):
                owner[f"ai:{url}"] = story_number
    seen: Counter[int] = Counter()
    replies = 0
    for message in messages:
        if message.get("thread_ts") not in (None, message.get("ts")):
            replies += 1
            continue
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        key = str(payload.get("event_key"))
        owned = owner.get(key)
        if owned is None:
            verdict.unexpected_alerts.append(key)
        else:
            seen[owned] += 1
    verdict.lost_alerts = sorted(story for story in expected if seen[story] == 0)
    verdict.doubled_alerts = sorted(story for story, count in seen.items() if count > 1)
    kinds = Counter(plan.stories[story].event.kind for story in expected)  # type: ignore[union-attr]
    verdict.figures.update(
        {
            "events_expected": len(expected),
            "events_expected_earnings": kinds.get("earnings", 0),
            "events_expected_ai": kinds.get("ai", 0),
            "events_alerted_once": sum(1 for count in seen.values() if count == 1),
            "slack_messages": len(messages),
            "slack_replies": replies,
            "alerts_outbox": dict(store.alert_statuses),
        }
    )
    undelivered = sum(n for status, n in store.alert_statuses.items() if status != "sent")
    if undelivered:
        verdict.problems.append(f"{undelivered} alert(s) left undelivered in the outbox")
    if replies:
        verdict.problems.append(f"{replies} thread replies (corrections), none expected")


@dataclass
class ClassRow:
    injected_items: int = 0
    items_with_error: int = 0
    events: int = 0
    unexpected_events: int = 0


def check_errors(
    plan: Plan,
    failures: Iterable[tuple[int, list[Any]]],
    story_of: Callable[[str], int | None],
    feed_of: Callable[[str], int | None],
) -> tuple[dict[str, ClassRow], dict[str, dict[str, Any]], list[str]]:
    """Errors by class against the faults injected, and per fault kind what was seen.

    `failures` are (round, [where, key, class, reason]) from the worker. Returns the
    per-class rows, the per-fault rows, and samples of errors nobody injected.
    """
    classes: dict[str, ClassRow] = defaultdict(ClassRow)
    kinds: dict[str, dict[str, Any]] = {}
    for name, count in plan.injected().items():
        fault = FAULTS_BY_NAME[name]
        kinds[name] = {"level": fault.level, "injected": count, "errors": Counter(), "items": 0}
        if fault.error:
            classes[fault.error].injected_items += count
    feed_injected = Counter(plan.feed_faults.values())
    for fault in FEED_FAULTS:
        kinds[fault.name] = {
            "level": "feed",
            "injected": feed_injected.get(fault.name, 0),
            "errors": Counter(),
            "items": 0,
        }
        if fault.error:
            classes[fault.error].injected_items += feed_injected.get(fault.name, 0)
    items: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    kind_items: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    strays: list[str] = []
    for round_, (where, key, error, reason) in failures:
        fault_name: str | None = None
        item: tuple[Any, ...]
        if where in ("feed", "feed_recovered"):
            feed = feed_of(key)
            fault_name = plan.feed_faults.get((feed, round_)) if feed is not None else None
            item = ("feed", feed, round_)
        else:
            story = story_of(key)
            fault_name = plan.faults.get(story) if story is not None else None
            item = ("story", story if story is not None else key)
        if where == "feed_recovered":
            if fault_name is not None:
                kinds[fault_name]["errors"]["recovered"] += 1
                kind_items[fault_name].add(item)
            continue
        row = classes[error]
        row.events += 1
        expected_class = FAULTS_BY_NAME[fault_name].error if fault_name else None
        if expected_class != error:
            row.unexpected_events += 1
            if len(strays) < 10:
                strays.append(f"round {round_}: {where} {key}: {reason}")
        else:
            items[error].add(item)
        if fault_name is not None:
            kinds[fault_name]["errors"][error] += 1
            kind_items[fault_name].add(item)
    for error, seen in items.items():
        classes[error].items_with_error = len(seen)
    for name, seen in kind_items.items():
        kinds[name]["items"] = len(seen)
    for described in kinds.values():
        described["errors"] = dict(described["errors"])
    return dict(classes), kinds, strays


__all__ = [
    "ClassRow",
    "StoreSnapshot",
    "Verdict",
    "check_alerts",
    "check_errors",
    "check_store",
    "read_store",
]
