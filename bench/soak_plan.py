"""What the soak publishes, and what a pipeline that loses nothing must end up with.

The plan is built from a seed before anything runs: which feed lists which story in
which 5-minute round, which stories are copies of others, which items are broken and
how. Expectations (articles stored, events alerted, errors by class) follow from the
plan alone, never from what the pipeline did.

- Feeds come in three tiers (busy, regular, slow); a slow feed often publishes nothing
  in a round, so its next poll is a 304.
- Duplicates: the same item in a second feed (same GUID and link), a syndicated copy
  (identical page under another URL and GUID), a reworded copy (one sentence and the
  headline changed: a near-duplicate), and reposts (the same GUID listed again later).
- Broken items, 5% of entries, each with the outcome the pipeline promises for it
  (`FAULTS`): an error of a given class and the entry given up after its retries, or
  a recovery on a later pass, or the article stored anyway from what could be read.
- Feed faults, one round each, on about 2% of feed polls.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bench.soak_corpus import EventKind, Story, make_story

Variant = Literal["original", "cross", "syndicated", "reworded"]
ErrorClass = Literal[
    "timeout",
    "http_status",
    "too_large",
    "decoding",
    "content_type",
    "redirect",
    "connection",
    "feed_parse",
    "extractor",
    "other",
]
ROUND_MINUTES = 5
#: A feed document lists the items of this many latest rounds (a time window).
WINDOW_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Fault:
    """A way an item (or a feed poll) is broken, and what the pipeline should do with it."""

    name: str
    level: Literal["page", "entry", "feed"]
    error: ErrorClass | None  # the class of the error it must cause; None: no error
    stored: bool  # the article must end up stored (after retries if transient)
    once: bool  # the fault happens on the first request only
    weight: float
    what: str


FAULTS: tuple[Fault, ...] = (
    Fault("http_500", "page", "http_status", False, False, 9, "page answers 500 every time"),
    Fault("http_404", "page", "http_status", False, False, 9, "page answers 404"),
    Fault("http_503_once", "page", "http_status", True, True, 9, "503 once, then the page"),
    Fault("timeout", "page", "timeout", False, False, 1.5, "page never answers"),
    Fault("timeout_once", "page", "timeout", True, True, 3, "stalls once, then the page"),
    Fault("too_large", "page", "too_large", False, False, 9, "2 MB body over a 1 MiB cap"),
    Fault("gzip_corrupt", "page", "decoding", False, False, 9, "gzip body with corrupt data"),
    Fault("gzip_truncated", "page", None, True, False, 9, "gzip body cut after the story"),
    Fault("wrong_type", "page", "content_type", False, False, 9, "application/pdf body"),
    Fault("redirect_loop", "page", "redirect", False, False, 9, "302 A -> B -> A"),
    Fault("reset", "page", "connection", False, False, 7.5, "connection closed unanswered"),
    Fault("no_content", "page", None, True, False, 9, "200 page with an empty <article>"),
    Fault("no_link", "entry", None, True, False, 8, "feed item with an empty <link>"),
)
FEED_FAULTS: tuple[Fault, ...] = (
    Fault("feed_503", "feed", "http_status", True, True, 3, "feed answers 503 for a round"),
    Fault("feed_timeout", "feed", "timeout", True, True, 1, "feed stalls for a round"),
    Fault("feed_not_a_feed", "feed", "feed_parse", True, True, 2, "HTML error page as RSS"),
    Fault("feed_truncated", "feed", None, True, True, 2, "feed cut short mid-item"),
    Fault("feed_redirect_loop", "feed", "redirect", True, True, 2, "feed redirects in a loop"),
)
FAULTS_BY_NAME = {fault.name: fault for fault in FAULTS + FEED_FAULTS}


@dataclass(frozen=True, slots=True)
class Listing:
    """One item in one feed: a feed entry (feed + GUID) pointing at a story's page."""

    feed: int
    round: int
    minute: float  # simulated minutes since the start of the hour
    guid: str
    path: str  # page path on the loopback server, "" for an item without a link
    story: int
    variant: Variant


@dataclass(frozen=True, slots=True)
class Repost:
    """An item listed again later under the same GUID (a new date and headline)."""

    listing: Listing
    round: int
    minute: float


@dataclass
class Plan:
    seed: int
    feeds: int
    rounds: int
    stories: dict[int, Story]
    listings: list[Listing]
    reposts: list[Repost]
    faults: dict[int, str]  # story -> fault name
    feed_faults: dict[tuple[int, int], str]  # (feed, round) -> fault name
    copies: dict[int, list[Listing]] = field(default_factory=dict)  # story -> its copies

    @property
    def entries(self) -> int:
        return len(self.listings)

    def fault_of(self, story: int) -> Fault | None:
        name = self.faults.get(story)
        return FAULTS_BY_NAME[name] if name else None

    def injected(self) -> Counter[str]:
        """Broken entries per fault name (copies are never broken: one entry per story)."""
        return Counter(self.faults.values())


def feed_name(feed: int) -> str:
    return f"soak-{feed:03d}"


def page_path(story: int, variant: Variant) -> str:
    if variant == "syndicated":
        return f"/syn/{story}.html"
    if variant == "reworded":
        return f"/rw/{story}.html"
    return f"/a/{story}.html"


def _feed_weights(feeds: int, rng: random.Random) -> list[float]:
    """10% busy, 40% regular, 50% slow feeds, shuffled over the feed numbers."""
    busy = max(1, feeds // 10)
    regular = max(1, feeds * 4 // 10)
    weights = [10.0] * busy + [2.0] * regular + [0.2] * (feeds - busy - regular)
    rng.shuffle(weights)
    return weights


def build(
    *,
    feeds: int,
    entries: int,
    rounds: int = 12,
    seed: int = 8,
    broken_share: float = 0.05,
    feed_fault_share: float = 0.02,
) -> Plan:
    """The plan for `entries` feed items over `feeds` feeds and `rounds` rounds."""
    rng = random.Random(seed)
    weights = _feed_weights(feeds, rng)
    cross = round(entries * 0.03)
    syndicated = round(entries * 0.02)
    reworded = round(entries * 0.01)
    originals = entries - cross - syndicated - reworded
    broken = round(entries * broken_share)

    def feed_for(excluding: int | None = None) -> int:
        while True:
            chosen = rng.choices(range(feeds), weights)[0]
            if chosen != excluding or feeds == 1:
                return chosen

    def when(first_round: int) -> tuple[int, float]:
        chosen = rng.randint(first_round, rounds - 1)
        return chosen, (chosen + rng.random()) * ROUND_MINUTES

    # Which stories get copies: chosen first, so that broken stories are never copied.
    numbers = list(range(originals))
    rng.shuffle(numbers)
    copied = numbers[: cross + syndicated + reworded]
    plain = numbers[cross + syndicated + reworded :]
    faults: dict[int, str] = {}
    fault_names = [fault.name for fault in FAULTS]
    fault_weights = [fault.weight for fault in FAULTS]
    for index, story in enumerate(plain[:broken]):
        # Every kind at least once (small runs too), then in proportion to the weights.
        faults[story] = (
            fault_names[index]
            if index < len(fault_names)
            else rng.choices(fault_names, fault_weights)[0]
        )

    stories: dict[int, Story] = {}
    for number in range(originals):
        fault = faults.get(number)
        if fault in ("no_content", "no_link"):
            kind: EventKind | None = None  # nothing on the page to report
        else:
            draw = rng.random()
            kind = "earnings" if draw < 0.10 else "ai" if draw < 0.15 else None
        stories[number] = make_story(number, kind, seed)

    listings: list[Listing] = []
    by_story: dict[int, Listing] = {}
    for number in range(originals):
        round_, minute = when(0)
        listing = Listing(
            feed=feed_for(),
            round=round_,
            minute=minute,
            guid=f"soak:{number}",
            path="" if faults.get(number) == "no_link" else page_path(number, "original"),
            story=number,
            variant="original",
        )
        listings.append(listing)
        by_story[number] = listing

    copies: dict[int, list[Listing]] = {}
    counts: tuple[tuple[Variant, int], ...] = (
        ("cross", cross),
        ("syndicated", syndicated),
        ("reworded", reworded),
    )
    kinds = [variant for variant, count in counts for _ in range(count)]
    for number, variant in zip(copied, kinds, strict=True):
        original = by_story[number]
        round_, minute = when(original.round)
        guid = original.guid if variant == "cross" else f"soak:{variant}:{number}"
        path = original.path if variant == "cross" else page_path(number, variant)
        copy = Listing(feed_for(original.feed), round_, minute, guid, path, number, variant)
        listings.append(copy)
        copies.setdefault(number, []).append(copy)

    reposts: list[Repost] = []
    candidates = [item for item in listings if item.round < rounds - 1]
    for listing in rng.sample(candidates, k=min(len(candidates), round(entries * 0.02))):
        round_, minute = when(listing.round + 1)
        reposts.append(Repost(listing, round_, minute))

    feed_faults: dict[tuple[int, int], str] = {}
    feed_names = [fault.name for fault in FEED_FAULTS]
    feed_weights = [fault.weight for fault in FEED_FAULTS]
    polls = [(feed, round_) for feed in range(feeds) for round_ in range(rounds)]
    wanted = max(len(feed_names), round(len(polls) * feed_fault_share))
    for feed, round_ in rng.sample(polls, k=min(len(polls), 2 * wanted)):
        # Never two rounds in a row: the feed window (3 rounds) must still hold the items.
        if (feed, round_ - 1) in feed_faults or (feed, round_ + 1) in feed_faults:
            continue
        index = len(feed_faults)
        feed_faults[(feed, round_)] = (
            feed_names[index]
            if index < len(feed_names)
            else rng.choices(feed_names, feed_weights)[0]
        )
        if len(feed_faults) == wanted:
            break

    listings.sort(key=lambda item: (item.round, item.minute))
    return Plan(seed, feeds, rounds, stories, listings, reposts, faults, feed_faults, copies)


__all__ = [
    "FAULTS",
    "FAULTS_BY_NAME",
    "FEED_FAULTS",
    "ROUND_MINUTES",
    "WINDOW_ROUNDS",
    "ErrorClass",
    "Fault",
    "Listing",
    "Plan",
    "Repost",
    "Variant",
    "build",
    "feed_name",
    "page_path",
]
