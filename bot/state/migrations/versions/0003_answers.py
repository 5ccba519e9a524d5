"""What each answer answered, and the latest answer of each thread.

SQLite files of the release that added these tables without migrations keep them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "answered" not in existing:
        op.create_table(
            "answered",
            sa.Column("ref", sa.Text, primary_key=True),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("answered_at", sa.Float, nullable=False),
        )
        op.create_index("answered_at", "answered", ["answered_at"])
    if "answer_threads" not in existing:
        op.create_table(
            "answer_threads",
            sa.Column("channel_id", sa.Text, primary_key=True),
            sa.Column("thread_ts", sa.Text, primary_key=True),
            sa.Column("ref", sa.Text, nullable=False),
            sa.Column("answered_at", sa.Float, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("answer_threads")
    op.drop_table("answered")
