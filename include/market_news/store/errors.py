"""The store's one error type for "the database cannot be reached or used right now".

Callers (the command line, Airflow tasks) need one line naming the database, never a
driver traceback and never the password in its URL; the pass then stops, and the next
pass redoes what this one could not commit.
"""

from __future__ import annotations

from sqlalchemy.engine import URL


class StoreUnavailableError(RuntimeError):
    """The store's database refused or dropped the connection, or failed an operation."""

    def __init__(self, url: URL, error: BaseException) -> None:
        self.database = url.render_as_string(hide_password=True)
        self.reason = first_line(getattr(error, "orig", None) or error)
        super().__init__(f"store database {self.database} unavailable: {self.reason}")


def first_line(error: object) -> str:
    """The first non-empty line of an error's text (drivers add hints on further lines)."""
    for line in str(error).splitlines():
        if line.strip():
            return " ".join(line.split())
    return type(error).__name__


__all__ = ["StoreUnavailableError", "first_line"]
