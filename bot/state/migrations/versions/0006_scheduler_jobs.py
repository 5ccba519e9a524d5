"""The clock's job store (APScheduler's table), versioned with the rest of the state.

Databases where an earlier clock let APScheduler create it keep it and its jobs: the
table is the same.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "apscheduler_jobs"
INDEX = "ix_apscheduler_jobs_next_run_time"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if TABLE not in inspector.get_table_names():
        op.create_table(
            TABLE,
            sa.Column("id", sa.Unicode(191), primary_key=True),
            sa.Column("next_run_time", sa.Float(25)),
            sa.Column("job_state", sa.LargeBinary, nullable=False),
        )
    if INDEX not in {i["name"] for i in inspector.get_indexes(TABLE)}:
        op.create_index(INDEX, TABLE, ["next_run_time"])


def downgrade() -> None:
    op.drop_table(TABLE)
