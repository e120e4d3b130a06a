"""Finding and indexing near-duplicate articles inside a store transaction.

The arithmetic lives in `similarity`; this module is the SQL around it: look up the
articles sharing a band hash with the new one (an indexed `IN` on `article_bands`), keep
the few sharing the most bands, compare their stored signatures, then index the new
article's bands so later copies find it.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from market_news.store.schema import Article, ArticleBand
from market_news.store.similarity import band_hashes, best_match

#: Candidates compared per lookup: those sharing the most bands are the likely copies.
MAX_CANDIDATES = 8


def find_near_duplicate(
    session: Session, article_id: int, signature: bytes
) -> tuple[int, float] | None:
    """(id, estimated similarity) of the stored article the new one copies, or None."""
    bands = band_hashes(signature)
    shared = func.count().label("shared")
    ranked = (
        select(ArticleBand.article_id, shared)
        .where(ArticleBand.band_hash.in_(bands), ArticleBand.article_id != article_id)
        .group_by(ArticleBand.article_id)
        .order_by(shared.desc(), ArticleBand.article_id)
        .limit(MAX_CANDIDATES)
    )
    ids = [row.article_id for row in session.execute(ranked)]
    if not ids:
        return None
    stored = session.execute(
        select(Article.id, Article.minhash).where(Article.id.in_(ids), Article.minhash.is_not(None))
    )
    return best_match(signature, [(row.id, row.minhash) for row in stored])


def index_bands(session: Session, article_id: int, signature: bytes) -> None:
    """Store the article's band hashes (duplicates within one signature collapse)."""
    rows = [{"article_id": article_id, "band_hash": h} for h in sorted(set(band_hashes(signature)))]
    session.execute(insert(ArticleBand), rows)


__all__ = ["MAX_CANDIDATES", "find_near_duplicate", "index_bands"]
