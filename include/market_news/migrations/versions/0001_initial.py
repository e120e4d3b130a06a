"""Initial store: feeds, entries, articles, events, AI claims and the alert outbox.

Written by hand to match `market_news.store.schema`; `tests/store` checks that
Alembic's autogenerate finds no difference between the two on both databases.
Constraint names follow the naming convention in the schema's MetaData.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def _created_at() -> sa.Column[datetime]:
    return sa.Column("created_at", _TZ, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_success_at", _TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_poll_at", _TZ, nullable=True),
        sa.Column("polls", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_modified_count", sa.Integer(), server_default="0", nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("name", name="uq_feeds_name"),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("canonical_link", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("content_html", sa.Text(), nullable=True),
        sa.Column("published", _TZ, nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _created_at(),
        sa.Column("updated_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name="fk_entries_feed_id_feeds", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("feed_id", "guid", name="uq_entries_feed_id_guid"),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_entries_status"),
    )
    op.create_index("ix_entries_canonical_link", "entries", ["canonical_link"])
    op.create_index("ix_entries_status_id", "entries", ["status", "id"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("feed_name", sa.String(200), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", _TZ, nullable=True),
        sa.Column("extraction", sa.JSON(), nullable=False),
        sa.Column("raw_body", sa.LargeBinary(), nullable=True),
        sa.Column("parser_version", sa.String(64), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name="fk_articles_entry_id_entries", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("canonical_url", name="uq_articles_canonical_url"),
        sa.UniqueConstraint("fingerprint", name="uq_articles_fingerprint"),
    )
    op.create_index("ix_articles_entry_id", "articles", ["entry_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(300), nullable=False),
        sa.Column("ticker", sa.String(32), nullable=True),
        sa.Column("period", sa.String(8), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_article_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("updated_at", _TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["first_article_id"],
            ["articles.id"],
            name="fk_events_first_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("event_key", name="uq_events_event_key"),
    )
    op.create_index("ix_events_ticker", "events", ["ticker"])
    op.create_table(
        "ai_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("qualifier", sa.String(32), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_ai_claims"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_ai_claims_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("claim_key", name="uq_ai_claims_claim_key"),
    )
    op.create_index("ix_ai_claims_article_id", "ai_claims", ["article_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.Text(), nullable=False),
        sa.Column("event_key", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claimed_from", sa.String(16), nullable=True),
        sa.Column("lease_until", _TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("ts", sa.String(64), nullable=True),
        sa.Column("thread_of_alert_key", sa.Text(), nullable=True),
        sa.Column("thread_ts", sa.String(64), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("sent_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_alerts_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("alert_key", name="uq_alerts_alert_key"),
        sa.CheckConstraint(
            "kind IN ('earnings', 'ai_claims', 'correction')", name="ck_alerts_kind"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'dry_run', 'failed')",
            name="ck_alerts_status",
        ),
    )
    op.create_index("ix_alerts_event_key", "alerts", ["event_key"])
    op.create_index("ix_alerts_status_id", "alerts", ["status", "id"])
    op.create_index("ix_alerts_thread_of_alert_key", "alerts", ["thread_of_alert_key"])


def downgrade() -> None:
    for table in ("alerts", "ai_claims", "events", "articles", "entries", "feeds"):
        op.drop_table(table)
