"""Article dedupe at scale: the decision for a new article against 1,000,000 stored ones.

The store (schema and migrations from `market_news.store`) is filled once with bulk
inserts straight into `articles` through SQLAlchemy Core and kept: an SQLite file under
`.bench/`, and the PostgreSQL database `market_news_bench` on 127.0.0.1:5432 (reused when
it already holds the rows). Rows are deterministic, so any row's keys can be recomputed.

Measured, each as a median over many new articles:
- lookup: `Store.find_article`, the store's exact-duplicate decision: one statement
  asking both unique indexes (canonical URL, else content fingerprint), both missing;
  also the old shape, the same two lookups as two queries in one transaction;
- `Store.add_article` of a new article (INSERT ... ON CONFLICT DO NOTHING RETURNING on
  both unique keys, JSON, zlib of the page, commit) and of a duplicate URL (the conflict,
  then the lookup that names the stored article).
Naive: the same lookups with the unique indexes out of play (SQLite `NOT INDEXED`;
PostgreSQL comparing `column || ''`, which no index covers): a full table scan.
Inserted rows are deleted afterwards, so the cached store keeps exactly its N rows.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from market_news.extract import PARSER_VERSION
from market_news.models import Extraction
from market_news.store import Store, canonical_url, content_fingerprint
from market_news.store.schema import Article
from psycopg import sql
from sqlalchemy import Engine, delete, func, select, text

from bench.common import (
    BENCH_DIR,
    Options,
    Section,
    fmt,
    median,
    progress,
    ratio,
    rounded,
)
from bench.corpus import html_pages, text_articles

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
FULL_ROWS = 1_000_000
QUICK_ROWS = 20_000
CHUNK = 20_000
TARGET_MS = 1.0
_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
_SITES = ("markets-wire", "tech-desk", "tokyo-market-news", "benzinga-like", "wire-service")
_EXTRACTION = {
    "title": None,
    "published": None,
    "language": "en",
    "tickers": ["META", "NVDA"],
    "earnings": [
        {
            "ticker": "META",
            "period": "Q3",
            "fiscal_year": 2024,
            "metric": "eps",
            "basis": "adjusted",
            "actual": 6.03,
            "estimate": 5.25,
            "currency": "USD",
            "surprise_pct": 14.86,
            "verdict": "beat",
            "evidence": "Adjusted earnings came to $6.03 per share, ahead of the $5.25 expected.",
        }
    ],
    "ai_claims": [],
}


def row_keys(index: int) -> tuple[str, str]:
    """(canonical URL, fingerprint) of generated row `index`."""
    site = _SITES[index % len(_SITES)]
    url = f"https://{site}.example/news/{2019 + index % 6}/story-{index:08d}"
    fingerprint = hashlib.sha256(f"bench article body {index}".encode()).hexdigest()
    return url, fingerprint


def _rows(start: int, stop: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(start, stop):
        url, fingerprint = row_keys(index)
        published = _EPOCH + timedelta(minutes=3 * index)
        rows.append(
            {
                "canonical_url": url,
                "url": url + "?utm_source=rss&utm_medium=feed",
                "fingerprint": fingerprint,
                "entry_id": None,
                "feed_name": _SITES[index % len(_SITES)],
                "language": "en",
                "title": f"Company {index} reports third-quarter results above estimates",
                "published": published,
                "extraction": {**_EXTRACTION, "title": f"Company {index} results"},
                "raw_body": None,
                "parser_version": PARSER_VERSION,
                "created_at": published,
            }
        )
    return rows


def _bulk_insert(engine: Engine, start: int, stop: int, label: str) -> float:
    """Insert rows [start, stop) in chunks; returns the seconds it took."""
    table = Article.__table__
    began = time.perf_counter()
    for chunk_start in range(start, stop, CHUNK):
        chunk_stop = min(stop, chunk_start + CHUNK)
        with engine.begin() as connection:
            connection.execute(table.insert(), _rows(chunk_start, chunk_stop))
        if (chunk_stop - start) % 200_000 == 0:
            progress(f"dedupe: {label}: {chunk_stop - start:,} rows inserted")
    return time.perf_counter() - began


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Article)).scalar_one())


def _pg_admin_ensure(database: str, *, fresh: bool) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if exists and fresh:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database))
            )
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


@dataclass
class Backend:
    name: str  # "sqlite" or "postgresql"
    url: str
    scratch_url: str
    database: str = ""  # PostgreSQL: the database name


def _backend(kind: str, rows: int) -> Backend:
    suffix = "" if rows == FULL_ROWS else "_quick"
    if kind == "sqlite":
        BENCH_DIR.mkdir(exist_ok=True)
        path = BENCH_DIR / f"dedupe-{rows}.sqlite"
        scratch = BENCH_DIR / "dedupe-scratch.sqlite"
        return Backend("sqlite", f"sqlite:///{path}", f"sqlite:///{scratch}")
    database = f"market_news_bench{suffix}"
    _pg_admin_ensure(database, fresh=False)
    _pg_admin_ensure("market_news_bench_scratch", fresh=True)
    return Backend(
        "postgresql",
        PG_URL.format(database=database),
        PG_URL.format(database="market_news_bench_scratch"),
        database,
    )


def _size_bytes(store: Store) -> int:
    """On-disk size of the articles data: the SQLite file, or the PostgreSQL relation
    with its indexes and TOAST."""
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            # Logical size as this transaction sees it (WAL frames included), free pages not.
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            free = connection.exec_driver_sql("PRAGMA freelist_count").scalar_one()
            size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
            return (int(pages) - int(free)) * int(size)
        return int(
            connection.execute(text("SELECT pg_total_relation_size('articles')")).scalar_one()
        )


#: Bump when `_rows` or `row_keys` change: a cache made by another version is rebuilt.
GENERATOR_VERSION = 2


def _marker(backend: Backend, rows: int) -> Path:
    """Written only once generation finished: a cache without it is partial or stale."""
    return BENCH_DIR / f"dedupe-{backend.name}-{rows}.done.json"


def _cache_valid(store: Store, backend: Backend, rows: int) -> bool:
    """The store holds exactly the generated rows of this generator version."""
    marker = _marker(backend, rows)
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    if recorded != {"version": GENERATOR_VERSION, "rows": rows}:
        return False
    with store.engine.begin() as connection:  # leftovers of an interrupted run
        connection.execute(delete(Article).where(Article.feed_name == "bench"))
    if _count(store.engine) != rows:
        return False
    for index in (0, rows // 2, rows - 1):  # spot checks: the rows are the generator's
        canonical, fingerprint = row_keys(index)
        found = store.find_article(canonical, None)
        if found is None or store.find_article("-", fingerprint) != replace(
            found, matched="fingerprint"
        ):
            return False
    return True


def _prepare(backend: Backend, rows: int) -> tuple[Store, float | None]:
    """The store with exactly `rows` generated articles; generation seconds when built now.

    A cache is reused only when its completion marker names this generator version and
    the rows check out; anything else (an interrupted build, an older generator, rows
    changed by hand) is dropped and built again from scratch.
    """
    store = Store.open(backend.url)
    if _cache_valid(store, backend, rows):
        return store, None
    store.close()
    _marker(backend, rows).unlink(missing_ok=True)
    if backend.name == "sqlite":
        path = Path(backend.url.removeprefix("sqlite:///"))
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    else:
        _pg_admin_ensure(backend.database, fresh=True)
    store = Store.open(backend.url)
    progress(f"dedupe: generating {rows:,} articles in {backend.name} (cached for later runs)")
    seconds = _bulk_insert(store.engine, 0, rows, backend.name)
    if backend.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE articles")
    BENCH_DIR.mkdir(exist_ok=True)
    _marker(backend, rows).write_text(json.dumps({"version": GENERATOR_VERSION, "rows": rows}))
    return store, seconds


def _lookup(connection: Any, canonical: str, fingerprint: str | None, naive: bool) -> bool:
    """The store's two dedupe lookups. Naive: the same queries with the index out of play
    (SQLite `NOT INDEXED`; PostgreSQL compares an expression of the column, which no
    index covers, whatever plan a prepared statement cached)."""
    sqlite_naive = naive and connection.dialect.name == "sqlite"
    pg_naive = naive and not sqlite_naive
    table = "articles NOT INDEXED" if sqlite_naive else "articles"
    url_column = "(canonical_url || '')" if pg_naive else "canonical_url"
    fp_column = "(fingerprint || '')" if pg_naive else "fingerprint"
    found = connection.execute(
        text(f"SELECT id, entry_id FROM {table} WHERE {url_column} = :u"), {"u": canonical}
    ).first()
    if found is None and fingerprint is not None:
        found = connection.execute(
            text(f"SELECT id, entry_id FROM {table} WHERE {fp_column} = :f"), {"f": fingerprint}
        ).first()
    return found is not None


def _time_decisions(store: Store, keys: list[tuple[str, str]]) -> list[float]:
    """The store's own decision, `Store.find_article`: one statement, on a connection
    taken from the pool for the call (PostgreSQL: pre-ping included, autocommit)."""
    durations: list[float] = []
    for canonical, fingerprint in keys:
        start = time.perf_counter()
        found = store.find_article(canonical, fingerprint)
        durations.append(time.perf_counter() - start)
        assert found is None, "a new article's keys must not be stored already"
    return durations


def _time_lookups(store: Store, keys: list[tuple[str, str]], naive: bool) -> list[float]:
    durations: list[float] = []
    with store.engine.connect() as connection:
        for canonical, fingerprint in keys:
            start = time.perf_counter()
            with connection.begin():
                hit = _lookup(connection, canonical, fingerprint, naive)
            durations.append(time.perf_counter() - start)
            assert not hit, "a new article's keys must not be stored already"
    return durations


def _new_articles(count: int, seed: int) -> Iterator[tuple[str, Extraction, bytes]]:
    texts = text_articles(16, seed=seed)
    pages = html_pages(16, seed=seed)
    rng = random.Random(seed)
    for number in range(count):
        body = f"{texts[number % len(texts)]}\n\nBench unique line {seed}-{number}-{rng.random()}."
        extraction = Extraction(
            title=f"New story {number}", published=None, language="en", text=body
        )
        url = f"https://fresh.example/news/{seed}/{number}?utm_source=rss"
        yield url, extraction, pages[number % len(pages)].html


def _time_add_article(store: Store, articles: list[tuple[str, Extraction, bytes]]) -> list[float]:
    durations: list[float] = []
    for url, extraction, body in articles:
        start = time.perf_counter()
        store.add_article(
            None,
            url=url,
            extraction=extraction,
            raw_body=body,
            parser_version=PARSER_VERSION,
            feed_name="bench",
        )
        durations.append(time.perf_counter() - start)
    return durations


def _measure(backend: Backend, rows: int, options: Options) -> dict[str, Any]:
    store, generated = _prepare(backend, rows)
    samples = 300 if options.quick else 2000
    naive_samples = 20 if options.quick else 5
    rng = random.Random(1)
    try:
        # Keys of articles that are not stored: the common case for a new feed entry.
        fresh_keys = [
            (canonical_url(f"https://fresh.example/x/{rng.random()}"), rng.randbytes(32).hex())
            for _ in range(samples)
        ]
        _time_decisions(store, fresh_keys[:50])  # warm the cache
        _time_lookups(store, fresh_keys[:50], naive=False)
        lookups: list[float] = []
        two_queries: list[float] = []
        for first in range(0, len(fresh_keys), 100):  # interleaved: load drift hits both
            chunk = fresh_keys[first : first + 100]
            lookups += _time_decisions(store, chunk)
            two_queries += _time_lookups(store, chunk, naive=False)
        naive = _time_lookups(store, fresh_keys[:naive_samples], naive=True)

        # Python side of the decision: the two keys of a ~6 KB article.
        texts = text_articles(50, seed=3)
        start = time.perf_counter()
        for number, body in enumerate(texts):
            canonical_url(f"https://fresh.example/news/{number}?utm_source=rss&utm_medium=x")
            content_fingerprint(body)
        keys_ms = (time.perf_counter() - start) / len(texts) * 1e3

        articles = list(_new_articles(samples // 2, seed=rows % 97))
        new_times = _time_add_article(store, articles)
        duplicate_times = _time_add_article(store, articles[: samples // 4])  # same URLs again
        with store.engine.begin() as connection:
            connection.execute(delete(Article).where(Article.feed_name == "bench"))
        size = _size_bytes(store)
    finally:
        store.close()

    insert = _insert_throughput(backend, options)
    return {
        "lookup_ms": median(lookups) * 1e3,
        "two_queries_ms": median(two_queries) * 1e3,
        "naive_ms": median(naive) * 1e3,
        "keys_ms": keys_ms,
        "add_new_ms": median(new_times) * 1e3,
        "add_dup_ms": median(duplicate_times) * 1e3,
        "size_per_100k_mb": size / rows * 100_000 / 1e6,
        "generated_s": generated,
        "samples": samples,
        "naive_samples": naive_samples,
        **insert,
    }


def _insert_throughput(backend: Backend, options: Options) -> dict[str, float]:
    """Bulk Core inserts and per-article `add_article` into a fresh scratch store."""
    bulk_rows = 10_000 if options.quick else 100_000
    single = 200 if options.quick else 1000
    if backend.name == "sqlite":
        path = Path(backend.scratch_url.removeprefix("sqlite:///"))
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    store = Store.open(backend.scratch_url)
    try:
        before = _size_bytes(store)
        bulk_s = _bulk_insert(store.engine, 0, bulk_rows, "scratch")
        after_bulk = _size_bytes(store)
        articles = list(_new_articles(single, seed=7))
        single_times = _time_add_article(store, articles)
        after_single = _size_bytes(store)
    finally:
        store.close()
    return {
        "bulk_rows_per_s": bulk_rows / bulk_s,
        "add_article_per_s": len(single_times) / sum(single_times),
        "scratch_per_100k_mb": (after_bulk - before) / bulk_rows * 100_000 / 1e6,
        "with_body_per_100k_mb": (after_single - after_bulk) / single * 100_000 / 1e6,
        "bulk_rows": bulk_rows,
        "single_rows": single,
    }


def run(options: Options) -> Section:
    rows = QUICK_ROWS if options.quick else FULL_ROWS
    section = Section(f"3. Dedupe at {rows:,} articles")
    label = "1m" if rows == FULL_ROWS else f"{rows // 1000}k"
    for kind in options.databases:
        if kind == "postgresql" and not postgres_available():
            section.notes.append("PostgreSQL at 127.0.0.1:5432 unreachable: skipped.")
            continue
        progress(f"dedupe: {kind}, {rows:,} rows")
        backend = _backend(kind, rows)
        r = _measure(backend, rows, options)
        tag = "SQLite" if kind == "sqlite" else "PostgreSQL"
        section.add(
            f"{tag}: dedupe lookup, median ms",
            fmt(r["lookup_ms"]),
            f"{fmt(r['naive_ms'])} (no index)",
            f"{ratio(r['naive_ms'], r['lookup_ms']):,.0f}x",
        )
        section.add(
            f"{tag}:   two queries in a transaction (the old shape), ms", fmt(r["two_queries_ms"])
        )
        section.add(
            f"{tag}:   add_article new / duplicate, ms",
            f"{fmt(r['add_new_ms'])} / {fmt(r['add_dup_ms'])}",
        )
        section.add(f"{tag}:   canonical URL + fingerprint in Python, ms", fmt(r["keys_ms"]))
        section.add(
            f"{tag}: inserts/s, bulk Core / add_article",
            f"{fmt(r['bulk_rows_per_s'])} / {fmt(r['add_article_per_s'])}",
        )
        section.add(
            f"{tag}: MB per 100k articles, metadata / with page",
            f"{fmt(r['size_per_100k_mb'])} / {fmt(r['with_body_per_100k_mb'])}",
        )
        built = (
            f"built now in {r['generated_s']:.0f} s"
            if r["generated_s"] is not None
            else "reused from an earlier run"
        )
        section.notes.append(
            f"{tag}: {rows:,} generated articles ({built}); lookup = median of "
            f"{r['samples']} new articles, naive = median of {r['naive_samples']}; add_article "
            f"medians over {r['samples'] // 2} new and {r['samples'] // 4} duplicate articles "
            "(the inserted rows are deleted afterwards)."
        )
        section.notes.append(
            f"{tag}: size per 100k from the {rows:,}-row store (metadata rows: no raw page); "
            f"'with page' = growth per add_article of a real 5-50 KB page (zlib-compressed) "
            f"over {r['single_rows']:,} articles; bulk rate over {r['bulk_rows']:,} rows into a "
            "fresh store, add_article one transaction per article."
        )
        prefix = "dedupe" if kind == "sqlite" else "dedupe_pg"
        section.metrics.update(
            {
                f"{prefix}_lookup_ms_{label}": rounded(r["lookup_ms"], 4),
                f"{prefix}_naive_ms_{label}": rounded(r["naive_ms"], 3),
                f"{prefix}_two_queries_ms": rounded(r["two_queries_ms"], 4),
                f"{prefix}_vs_naive": rounded(ratio(r["naive_ms"], r["lookup_ms"]), 1),
                f"{prefix}_add_article_new_ms": rounded(r["add_new_ms"], 4),
                f"{prefix}_add_article_dup_ms": rounded(r["add_dup_ms"], 4),
                f"{prefix}_keys_python_ms": rounded(r["keys_ms"], 4),
                f"{prefix}_bulk_inserts_per_s": rounded(r["bulk_rows_per_s"], 0),
                f"{prefix}_add_article_per_s": rounded(r["add_article_per_s"], 1),
                f"{prefix}_mb_per_100k": rounded(r["size_per_100k_mb"], 2),
                f"{prefix}_mb_per_100k_with_page": rounded(r["with_body_per_100k_mb"], 2),
            }
        )
    section.notes.append(
        f"Target < {TARGET_MS:g} ms median: "
        + ", ".join(
            f"{key.split('_lookup')[0]} {'met' if value < TARGET_MS else 'MISSED'}"
            for key, value in section.metrics.items()
            if "_lookup_ms_" in key
        )
        + "."
    )
    return section
