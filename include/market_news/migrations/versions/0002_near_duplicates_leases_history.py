"""Near-duplicate signatures, entry leases, corrections history, monitoring indexes.

Only additions, so an existing store upgrades in place without a table rebuild (which on
SQLite would copy every article and, with foreign keys on, null the references to them):
new nullable or defaulted columns, two new tables, three indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("entries", sa.Column("lease_until", _TZ, nullable=True))
    op.add_column("entries", sa.Column("claims", sa.Integer(), server_default="0", nullable=False))
    op.add_column("articles", sa.Column("body_kind", sa.String(8), nullable=True))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    op.add_column("articles", sa.Column("near_duplicate_of", sa.Integer(), nullable=True))
    op.create_index("ix_articles_created_at", "articles", ["created_at"])
    op.create_index("ix_events_updated_at", "events", ["updated_at"])
    op.create_table(
        "article_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band_hash", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "band_hash", name="pk_article_bands"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_bands_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_article_bands_band_hash", "article_bands", ["band_hash"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(300), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(16), nullable=True),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old_value", sa.Double(), nullable=True),
        sa.Column("new_value", sa.Double(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("article_url", sa.Text(), nullable=False),
        sa.Column("alert_key", sa.Text(), nullable=True),
        sa.Column("created_at", _TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_corrections_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_corrections_article_id_articles",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_corrections_event_id", "corrections", ["event_id"])


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_table("article_bands")
    op.drop_index("ix_events_updated_at", table_name="events")
    op.drop_index("ix_articles_created_at", table_name="articles")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would null references to articles.
    for table, column in (
        ("articles", "near_duplicate_of"),
        ("articles", "minhash"),
        ("articles", "body_kind"),
        ("entries", "claims"),
        ("entries", "lease_until"),
    ):
        op.drop_column(table, column)
