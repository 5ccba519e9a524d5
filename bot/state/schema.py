"""Every table of the state database, defined once for SQLite and PostgreSQL.

The state is what planbot must remember between requests and share between processes
(and, with ``DATABASE_URL``, between hosts): Slack events taken on, the question log,
digest subscriptions and their delivery ledger, the clock's jobs. The warehouse (reports)
is not here.

Adding a table:
1. define it below on ``metadata`` (SQLAlchemy Core; portable column types only,
   uniqueness as a primary key or ``UniqueConstraint`` so the database enforces it);
2. add a migration ``bot/state/migrations/versions/NNNN_what.py`` whose
   ``down_revision`` is the current head, creating the table with ``op.create_table``
   (copy the columns; migrations never import this module, so they stay as written);
3. write to it through ``StateDB`` (``bot/state/database.py``) with single statements:
   ``insert_ignoring`` / ``upsert`` for writes that must happen once.
Every process applies pending migrations at start; ``tests/state`` checks that the
migrations produce exactly these tables on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Slack events taken on. A claim is a lease: ``owner`` (one claim's token, on
#: ``owner_host`` in process ``owner_pid``) answers until ``lease_until``;
#: ``answered_at`` is set once the reply is posted, after which the id is never retaken.
seen_events = sa.Table(
    "seen_events",
    metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.Column("owner", sa.Text),
    sa.Column("owner_host", sa.Text),
    sa.Column("owner_pid", sa.Integer),
    sa.Column("lease_until", sa.Float, nullable=False, server_default="0"),
    sa.Column("answered_at", sa.Float),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Index("seen_events_seen_at", "seen_at"),
)

question_log = sa.Table(
    "question_log",
    metadata,
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
    sa.Index("question_log_asked_at", "asked_at"),
    sa.Index("question_log_key", "question_key"),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
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

#: What an answer answered (its menu carries only ``ref``), and the latest answer in
#: each thread, which a follow-up question there continues.
answered = sa.Table(
    "answered",
    metadata,
    sa.Column("ref", sa.Text, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
    sa.Index("answered_at", "answered_at"),
)

answer_threads = sa.Table(
    "answer_threads",
    metadata,
    sa.Column("channel_id", sa.Text, primary_key=True),
    sa.Column("thread_ts", sa.Text, primary_key=True),
    sa.Column("ref", sa.Text, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
)

#: Reports uploaded in Slack: previewed, then confirmed (once) or cancelled.
uploads = sa.Table(
    "uploads",
    metadata,
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

#: Uploads, refusals, confirmations and rollbacks, for /plan stats.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text),
    sa.Column("file_name", sa.Text),
    sa.Column("checksum", sa.Text),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Index("audit_log_at", "at"),
)

#: One row per (subscription, scheduled fire time): the key makes each digest post once.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("subscription_id", sa.Text, primary_key=True),
    sa.Column("fire_time", sa.Text, primary_key=True),
    # claimed | posted | failed | missed | skipped
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("claimed_by", sa.Text),
    sa.Column("claimed_at", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("parts_posted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message_ts", sa.Text),
    # The digest's data fingerprint (JSON), for "what changed" next time.
    sa.Column("state", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("completed_at", sa.Text),
)

#: Evaluation rounds (bot/round): times as ISO-8601 text with their offset, which both
#: databases keep as written.
TIME = sa.String(40)

round_rounds = sa.Table(
    "round_rounds",
    metadata,
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

round_members = sa.Table(
    "round_members",
    metadata,
    sa.Column("round_id", sa.String(40), nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.PrimaryKeyConstraint("round_id", "department", "user_id", "role"),
    sa.ForeignKeyConstraint(["round_id"], ["round_rounds.id"]),
)

round_evaluations = sa.Table(
    "round_evaluations",
    metadata,
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

round_drafts = sa.Table(
    "round_drafts",
    metadata,
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
        ["round_evaluations.round_id", "round_evaluations.item_no", "round_evaluations.department"],
    ),
)

round_audit = sa.Table(
    "round_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(40), nullable=False),
    sa.Column("at", TIME, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("item_no", sa.Integer),
    sa.Column("department", sa.Text),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Index("round_audit_round", "round_id", "id"),
)

#: APScheduler's job store (the clock's cron jobs, pickled), as its SQLAlchemyJobStore
#: declares it: the clock finds it made by the migrations, so it never creates a table of
#: its own. The names are APScheduler's; 191 and 25 are its key length and float precision.
scheduler_jobs = sa.Table(
    "apscheduler_jobs",
    metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
