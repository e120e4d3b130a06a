"""One line for a failure of the store, for people running `market-news run`.

A database that stops, a full disk or a read-only SQLite file surface as SQLAlchemy or
sqlite3 exceptions whose text spans lines (SQL, parameters, a documentation link) and
whose URL may carry a password. The operator needs the database, hidden password, and
the driver's first line; the traceback helps nobody and the password must never print.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from market_news.store.errors import StoreUnavailableError

#: OS errors that mean "the store's disk refused": worth a clear line, not a traceback.
STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG}
)
MAX_DETAIL_CHARS = 300


def is_store_failure(exc: BaseException) -> bool:
    """True for the errors `store_failure_line` describes (database and disk failures)."""
    if isinstance(exc, StoreUnavailableError | SQLAlchemyError | sqlite3.Error):
        return True
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def safe_database_url(url: str) -> str:
    """The store URL with its password masked (the whole URL masked if it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unparsable database URL)"


def store_failure_line(exc: BaseException, database_url: str) -> str:
    """`store <url> failed: <driver's first line>`, password hidden, one line."""
    if isinstance(exc, StoreUnavailableError):  # the store's own line: URL already masked
        return _scrub(str(exc), database_url)
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig
    detail = _scrub(_first_line(str(cause)) or type(cause).__name__, database_url)
    return f"store {safe_database_url(database_url)} failed: {detail[:MAX_DETAIL_CHARS]}"


def _scrub(text: str, database_url: str) -> str:
    """`text` on one line without the URL's password, should a driver ever echo it."""
    password = _password(database_url)
    line = _first_line(text)
    return line.replace(password, "***") if password else line


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        return None


__all__ = ["STORAGE_ERRNOS", "is_store_failure", "safe_database_url", "store_failure_line"]
