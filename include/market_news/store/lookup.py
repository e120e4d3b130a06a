"""The exact-duplicate lookup: is an article stored under this URL or this text?

Both keys have unique indexes, so each half is one index probe; asking both in one
`UNION ALL` statement makes the decision one round trip to the database instead of two
(on PostgreSQL each round trip, not the probe, is most of the cost). The URL wins when
both match, as it did when the two were asked in turn.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from sqlalchemy import CompoundSelect, Connection, bindparam, literal_column, select, union_all
from sqlalchemy.orm import Session

from market_news.store.records import StoredArticle
from market_news.store.schema import Article

_COLUMNS = (Article.id, Article.entry_id, Article.near_duplicate_of)
_FIND: CompoundSelect[*tuple[Any, ...]] = (
    union_all(
        select(*_COLUMNS, literal_column("0").label("rank")).where(
            Article.canonical_url == bindparam("canonical")
        ),
        select(*_COLUMNS, literal_column("1").label("rank")).where(
            Article.fingerprint == bindparam("fingerprint")
        ),
    )
    .order_by("rank")
    .limit(1)
)
_MATCHED: tuple[Literal["url"], Literal["fingerprint"]] = ("url", "fingerprint")


def find_stored(
    executor: Session | Connection, canonical: str, fingerprint: str | None
) -> StoredArticle | None:
    """The article stored under `canonical` (a canonical URL), else under `fingerprint`."""
    params: dict[str, Any] = {"canonical": canonical, "fingerprint": fingerprint}
    row = executor.execute(_FIND, params).first()
    if row is None:
        return None
    return StoredArticle(
        id=int(row.id),
        entry_id=cast(int | None, row.entry_id),
        near_duplicate_of=cast(int | None, row.near_duplicate_of),
        matched=_MATCHED[int(row.rank)],
    )


__all__ = ["find_stored"]
