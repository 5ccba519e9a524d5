"""Seen events become leases: who answers (a claim's token, host, pid), until when,
how many attempts, and whether it was answered.

A replica that takes an event and dies before answering leaves a lease that expires
or an owner known to be gone; Slack's next delivery (on any replica) takes it over.
Rows from before were answered at once, so they count as answered. SQLite files of
the release that added these columns without migrations already have them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("owner", sa.Text),
    sa.Column("owner_host", sa.Text),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("lease_until", sa.Float, nullable=False, server_default="0"),
    sa.Column("answered_at", sa.Float),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
)


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("seen_events")}
    missing = [c for c in COLUMNS if c.name not in present]
    if not missing:
        return
    with op.batch_alter_table("seen_events") as batch:
        for column in missing:
            batch.add_column(column)
    op.execute("UPDATE seen_events SET answered_at = seen_at WHERE owner IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("seen_events") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column.name)
