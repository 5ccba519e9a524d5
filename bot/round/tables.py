"""The round's tables, in SQLAlchemy Core so that the same statements run on SQLite and
PostgreSQL. Uniqueness that matters (one round per plan and year, one evaluation per
item and department, one draft per person) is a database constraint, not a check in
Python, so several processes writing at once cannot break it.

Times are stored as ISO-8601 text with their offset: both databases keep it as written,
and it sorts as time within one offset (the state always writes UTC).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

TIME = String(40)

rounds = Table(
    "round_rounds",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("municipality", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("source_fiscal_year", Integer, nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("opened_at", TIME, nullable=False),
    Column("closed_by", Text),
    Column("closed_at", TIME),
    UniqueConstraint("municipality", "plan", "fiscal_year", name="round_rounds_year"),
)

members = Table(
    "round_members",
    metadata,
    Column("round_id", String(40), nullable=False),
    Column("department", Text, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    PrimaryKeyConstraint("round_id", "department", "user_id", "role"),
    ForeignKeyConstraint(["round_id"], ["round_rounds.id"]),
)

evaluations = Table(
    "round_evaluations",
    metadata,
    Column("round_id", String(40), nullable=False),
    Column("item_no", Integer, nullable=False),
    Column("department", Text, nullable=False),
    Column("sheet_department", Text, nullable=False),
    Column("position", Integer, nullable=False),
    #: The item (name, hierarchy, category) as the source report had it: a JSON Item.
    Column("item", Text, nullable=False),
    Column("prefill_plan_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    #: The submitted answer: a JSON Entry (the prefilled plan until someone submits).
    Column("entry", Text, nullable=False),
    #: Bumped by every change of the answer or its status; a submission names the
    #: version it started from, and a different one means someone else changed it.
    Column("version", Integer, nullable=False),
    Column("updated_by", Text),
    Column("updated_at", TIME),
    Column("review_comment", Text),
    Column("reviewed_by", Text),
    Column("reviewed_at", TIME),
    PrimaryKeyConstraint("round_id", "item_no", "department"),
    ForeignKeyConstraint(["round_id"], ["round_rounds.id"]),
)

drafts = Table(
    "round_drafts",
    metadata,
    Column("round_id", String(40), nullable=False),
    Column("item_no", Integer, nullable=False),
    Column("department", Text, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("entry", Text, nullable=False),
    Column("base_version", Integer, nullable=False),
    Column("saved_at", TIME, nullable=False),
    #: A JSON Conflict when the draft is a submission that met a newer answer.
    Column("conflict", Text),
    PrimaryKeyConstraint("round_id", "item_no", "department", "user_id"),
    ForeignKeyConstraint(
        ["round_id", "item_no", "department"],
        ["round_evaluations.round_id", "round_evaluations.item_no", "round_evaluations.department"],
    ),
)

audit = Table(
    "round_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", String(40), nullable=False),
    Column("at", TIME, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_no", Integer),
    Column("department", Text),
    Column("before", Text),
    Column("after", Text),
    Index("round_audit_round", "round_id", "id"),
)
