"""Finding and indexing near-duplicate articles inside a store transaction.

The arithmetic lives in `similarity`; this module is the SQL around it: look up the
articles sharing a band hash with the new one (an indexed `IN` on `article_bands`), keep
the few sharing the most bands, compare their stored signatures, then index the new
article's bands so later copies find it.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from market_news.store.schema import Article, ArticleBand
from market_news.store.similarity import band_hashes, best_match

#: Candidates compared per lookup: those sharing the most bands are the likely copies.
MAX_CANDIDATES = 8


_shared = func.count().label("shared")
# Built once, bound per call (expanding IN lists): building them per article cost more
# than the indexed lookups themselves.
_RANKED = (
    select(ArticleBand.article_id, _shared)
    .where(
        ArticleBand.band_hash.in_(bindparam("bands", expanding=True)),
        ArticleBand.article_id != bindparam("article_id"),
    )
    .group_by(ArticleBand.article_id)
    .order_by(_shared.desc(), ArticleBand.article_id)
    .limit(MAX_CANDIDATES)
)
_SIGNATURES = select(Article.id, Article.minhash).where(
    Article.id.in_(bindparam("ids", expanding=True)), Article.minhash.is_not(None)
)


def find_near_duplicate(
    session: Session, article_id: int, signature: bytes
) -> tuple[int, float] | None:
    """(id, estimated similarity) of the stored article the new one copies, or None."""
    bands = band_hashes(signature)
    ranked = session.execute(_RANKED, {"bands": bands, "article_id": article_id})
    ids = [row.article_id for row in ranked]
    if not ids:
        return None
    stored = session.execute(_SIGNATURES, {"ids": ids})
    return best_match(signature, [(row.id, row.minhash) for row in stored])


def index_bands(session: Session, article_id: int, signature: bytes) -> None:
    """Store the article's band hashes (duplicates within one signature collapse)."""
    rows = [{"article_id": article_id, "band_hash": h} for h in sorted(set(band_hashes(signature)))]
    session.execute(insert(ArticleBand), rows)


__all__ = ["MAX_CANDIDATES", "find_near_duplicate", "index_bands"]
