"""Reports uploaded in Slack, and the audit log of what was done with them.

SQLite files of the release that added these tables without migrations keep them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "uploads" not in existing:
        op.create_table(
            "uploads",
            sa.Column("upload_id", sa.Text, primary_key=True),
            sa.Column("file_name", sa.Text, nullable=False),
            sa.Column("checksum", sa.Text, nullable=False),
            sa.Column("stored_path", sa.Text, nullable=False),
            sa.Column("user_id", sa.Text, nullable=False),
            sa.Column("channel_id", sa.Text, nullable=False),
            sa.Column("thread_ts", sa.Text, nullable=False),
            sa.Column("preview", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("decided_by", sa.Text),
            sa.Column("decided_at", sa.Float),
        )
    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.Float, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("user_id", sa.Text),
            sa.Column("file_name", sa.Text),
            sa.Column("checksum", sa.Text),
            sa.Column("detail", sa.Text, nullable=False, server_default=""),
        )
        op.create_index("audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("uploads")
