"""Seen events, question log, subscriptions and delivery ledger.

The first two tables already exist in SQLite state databases made before migrations
(same columns, ``PRAGMA user_version`` 1): they are adopted as they are.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "seen_events" not in existing:
        op.create_table(
            "seen_events",
            sa.Column("event_id", sa.Text, primary_key=True),
            sa.Column("seen_at", sa.Float, nullable=False),
        )
        op.create_index("seen_events_seen_at", "seen_events", ["seen_at"])
    if "question_log" not in existing:
        op.create_table(
            "question_log",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("asked_at", sa.Float, nullable=False),
            sa.Column("user_id", sa.Text),
            sa.Column("channel_id", sa.Text),
            sa.Column("surface", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("question_key", sa.Text, nullable=False),
            sa.Column("intent", sa.Text),
            sa.Column("result_count", sa.Integer),
            sa.Column("latency_ms", sa.Float),
            sa.Column("ok", sa.Boolean, nullable=False),
            sa.Column("problem", sa.Text),
        )
        op.create_index("question_log_asked_at", "question_log", ["asked_at"])
        op.create_index("question_log_key", "question_log", ["question_key"])
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("schedule", sa.Text, nullable=False),
        sa.Column("scope_kind", sa.Text, nullable=False),
        sa.Column("scope_value", sa.Text),
        sa.Column("holiday_rule", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "deliveries",
        sa.Column("subscription_id", sa.Text, primary_key=True),
        sa.Column("fire_time", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("claimed_by", sa.Text),
        sa.Column("claimed_at", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("parts_posted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message_ts", sa.Text),
        sa.Column("state", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("completed_at", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
    op.drop_table("question_log")
    op.drop_table("seen_events")
