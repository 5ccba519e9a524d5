"""Evaluation rounds: rounds, their members, evaluations, drafts and audit.

SQLite files of the release that created these tables without migrations keep them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIME = sa.String(40)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "round_rounds" not in existing:
        op.create_table(
            "round_rounds",
            sa.Column("id", sa.String(40), primary_key=True),
            sa.Column("municipality", sa.Text, nullable=False),
            sa.Column("plan", sa.Text, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("fiscal_year", sa.Integer, nullable=False),
            sa.Column("source_fiscal_year", sa.Integer, nullable=False),
            sa.Column("deadline", sa.String(10), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("opened_by", sa.Text, nullable=False),
            sa.Column("opened_at", TIME, nullable=False),
            sa.Column("closed_by", sa.Text),
            sa.Column("closed_at", TIME),
            sa.UniqueConstraint("municipality", "plan", "fiscal_year", name="round_rounds_year"),
        )
    if "round_members" not in existing:
        op.create_table(
            "round_members",
            sa.Column("round_id", sa.String(40), nullable=False),
            sa.Column("department", sa.Text, nullable=False),
            sa.Column("user_id", sa.String(64), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.PrimaryKeyConstraint("round_id", "department", "user_id", "role"),
            sa.ForeignKeyConstraint(["round_id"], ["round_rounds.id"]),
        )
    if "round_evaluations" not in existing:
        op.create_table(
            "round_evaluations",
            sa.Column("round_id", sa.String(40), nullable=False),
            sa.Column("item_no", sa.Integer, nullable=False),
            sa.Column("department", sa.Text, nullable=False),
            sa.Column("sheet_department", sa.Text, nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            #: The item (name, hierarchy, category) as the source report had it: a JSON Item.
            sa.Column("item", sa.Text, nullable=False),
            sa.Column("prefill_plan_text", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            #: The submitted answer: a JSON Entry (the prefilled plan until someone submits).
            sa.Column("entry", sa.Text, nullable=False),
            #: Bumped by every change of the answer or its status; a submission names the
            #: version it started from, and a different one means someone else changed it.
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("updated_by", sa.Text),
            sa.Column("updated_at", TIME),
            sa.Column("review_comment", sa.Text),
            sa.Column("reviewed_by", sa.Text),
            sa.Column("reviewed_at", TIME),
            sa.PrimaryKeyConstraint("round_id", "item_no", "department"),
            sa.ForeignKeyConstraint(["round_id"], ["round_rounds.id"]),
        )
    if "round_drafts" not in existing:
        op.create_table(
            "round_drafts",
            sa.Column("round_id", sa.String(40), nullable=False),
            sa.Column("item_no", sa.Integer, nullable=False),
            sa.Column("department", sa.Text, nullable=False),
            sa.Column("user_id", sa.String(64), nullable=False),
            sa.Column("entry", sa.Text, nullable=False),
            sa.Column("base_version", sa.Integer, nullable=False),
            sa.Column("saved_at", TIME, nullable=False),
            #: A JSON Conflict when the draft is a submission that met a newer answer.
            sa.Column("conflict", sa.Text),
            sa.PrimaryKeyConstraint("round_id", "item_no", "department", "user_id"),
            sa.ForeignKeyConstraint(
                ["round_id", "item_no", "department"],
                [
                    "round_evaluations.round_id",
                    "round_evaluations.item_no",
                    "round_evaluations.department",
                ],
            ),
        )
    if "round_audit" not in existing:
        op.create_table(
            "round_audit",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("round_id", sa.String(40), nullable=False),
            sa.Column("at", TIME, nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("item_no", sa.Integer),
            sa.Column("department", sa.Text),
            sa.Column("before", sa.Text),
            sa.Column("after", sa.Text),
        )
        op.create_index("round_audit_round", "round_audit", ["round_id", "id"])


def downgrade() -> None:
    for table in (
        "round_audit",
        "round_drafts",
        "round_evaluations",
        "round_members",
        "round_rounds",
    ):
        op.drop_table(table)
