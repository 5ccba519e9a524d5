"""Subscriptions and the delivery ledger, in SQLite under the state directory.

The ledger is keyed by (subscription, scheduled fire time). A delivery is *claimed* in a
transaction before anything is posted and *completed* after, and each message part is
recorded as it is posted, so:
- two clock processes racing for the same fire time: one claim wins, the other skips;
- a crash between composing and posting: the claim goes stale and the next run retries,
  continuing after the last part recorded as posted;
- a post that keeps failing: the attempts are counted and the failure reported once.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.digest.schedule import Schedule
from bot.render.text import goal_label, pick
from bot.state.database import enable_wal
from bot.state.private import private_file

CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    schedule TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_value TEXT,
    holiday_rule TEXT NOT NULL,
    language TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS deliveries (
    subscription_id TEXT NOT NULL,
    fire_time TEXT NOT NULL,
    status TEXT NOT NULL,          -- claimed | posted | failed | missed | skipped
    claimed_by TEXT,
    claimed_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    parts_posted INTEGER NOT NULL DEFAULT 0,
    message_ts TEXT,
    state TEXT,                    -- the digest's data fingerprint, for "what changed"
    error TEXT,
    completed_at TEXT,
    PRIMARY KEY (subscription_id, fire_time)
);
"""


class Subscription(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    channel: str
    schedule: Schedule
    scope_kind: Literal["plan", "department", "goal"] = "plan"
    scope_value: str | None = None
    holiday_rule: Literal["skip", "next_business_day"] = "skip"
    language: Literal["ja", "en"] = "ja"
    created_by: str | None = None
    created_at: str = ""
    active: bool = True

    def scope_label(self) -> str:
        if self.scope_kind == "plan":
            return pick(self.language, "計画全体", "whole plan")
        if self.scope_kind == "goal" and self.scope_value:
            # As answers name goals: 基本目標Ⅲ, goal III.
            return goal_label(int(self.scope_value), self.language)
        return str(self.scope_value)


class Delivery(BaseModel):
    subscription_id: str
    fire_time: str
    status: str
    attempts: int
    parts_posted: int
    message_ts: str | None
    state: dict[str, Any] | None
    error: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        private_file(path)
        self.path = path
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        with self._connect() as con:
            enable_wal(con)  # persistent: set once per database file
            con.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: the ledger is used from scheduler threads and processes.
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            yield con
        finally:
            con.close()

    # --- subscriptions ---------------------------------------------------------------
    def save(self, sub: Subscription) -> Subscription:
        sub = sub.model_copy(update={"created_at": sub.created_at or _now()})
        with self._connect() as con:
            con.execute(
                "INSERT INTO subscriptions (id, channel, schedule, scope_kind, scope_value,"
                " holiday_rule, language, created_by, created_at, active)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET channel=excluded.channel,"
                " schedule=excluded.schedule, scope_kind=excluded.scope_kind,"
                " scope_value=excluded.scope_value, holiday_rule=excluded.holiday_rule,"
                " language=excluded.language, active=excluded.active",
                (
                    sub.id,
                    sub.channel,
                    sub.schedule.model_dump_json(),
                    sub.scope_kind,
                    sub.scope_value,
                    sub.holiday_rule,
                    sub.language,
                    sub.created_by,
                    sub.created_at,
                    int(sub.active),
                ),
            )
        return sub

    def subscriptions(self, *, active_only: bool = True) -> list[Subscription]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM subscriptions"
                + (" WHERE active = 1" if active_only else "")
                + " ORDER BY created_at, id"
            ).fetchall()
        return [
            Subscription(
                id=r["id"],
                channel=r["channel"],
                schedule=Schedule.model_validate_json(r["schedule"]),
                scope_kind=r["scope_kind"],
                scope_value=r["scope_value"],
                holiday_rule=r["holiday_rule"],
                language=r["language"],
                created_by=r["created_by"],
                created_at=r["created_at"],
                active=bool(r["active"]),
            )
            for r in rows
        ]

    def get(self, sub_id: str) -> Subscription | None:
        return next((s for s in self.subscriptions(active_only=False) if s.id == sub_id), None)

    def deactivate(self, sub_id: str) -> bool:
        with self._connect() as con:
            cur = con.execute(
                "UPDATE subscriptions SET active = 0 WHERE id = ? AND active = 1", (sub_id,)
            )
            return cur.rowcount > 0

    # --- deliveries --------------------------------------------------------------------
    def claim(self, sub_id: str, fire_time: datetime) -> Delivery | None:
        """Take the right to post this digest; None when another process has it or it is done."""
        key = (sub_id, fire_time.astimezone(UTC).isoformat())
        stale = (datetime.now(UTC) - CLAIM_LEASE).isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? AND fire_time = ?", key
            ).fetchone()
            if row is None:
                con.execute(
                    "INSERT INTO deliveries (subscription_id, fire_time, status,"
                    " claimed_by, claimed_at, attempts) VALUES (?, ?, 'claimed', ?, ?, 1)",
                    (*key, self.owner, _now()),
                )
            elif (row["status"] == "failed" and row["attempts"] < MAX_ATTEMPTS) or (
                row["status"] == "claimed"
                and ((row["claimed_at"] or "") < stale or _owner_dead(row["claimed_by"]))
            ):
                con.execute(
                    "UPDATE deliveries SET status = 'claimed', claimed_by = ?,"
                    " claimed_at = ?, attempts = attempts + 1 WHERE subscription_id = ?"
                    " AND fire_time = ?",
                    (self.owner, _now(), *key),
                )
            else:
                con.execute("COMMIT")
                return None
            con.execute("COMMIT")
            row = con.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? AND fire_time = ?", key
            ).fetchone()
        return _delivery(row)

    def part_posted(self, sub_id: str, fire_time: datetime, part: int, ts: str) -> None:
        with self._connect() as con:
            con.execute(
                "UPDATE deliveries SET parts_posted = ?, message_ts = COALESCE("
                "message_ts, ?) WHERE subscription_id = ? AND fire_time = ?",
                (part + 1, ts, sub_id, fire_time.astimezone(UTC).isoformat()),
            )

    def complete(self, sub_id: str, fire_time: datetime, state: dict[str, Any]) -> None:
        fired = fire_time.astimezone(UTC).isoformat()
        with self._connect() as con:
            con.execute(
                "UPDATE deliveries SET status = 'posted', state = ?, completed_at = ?,"
                " error = NULL WHERE subscription_id = ? AND fire_time = ?",
                (json.dumps(state, ensure_ascii=False), _now(), sub_id, fired),
            )
            # Only the newest posted digest is ever compared against; a national
            # fingerprint is tens of MB, so older ones are not kept week after week.
            con.execute(
                "UPDATE deliveries SET state = NULL WHERE subscription_id = ?"
                " AND status = 'posted' AND fire_time < ? AND state IS NOT NULL",
                (sub_id, fired),
            )

    def fail(self, sub_id: str, fire_time: datetime, error: str) -> Delivery:
        key = (sub_id, fire_time.astimezone(UTC).isoformat())
        with self._connect() as con:
            con.execute(
                "UPDATE deliveries SET status = 'failed', error = ? WHERE"
                " subscription_id = ? AND fire_time = ?",
                (error[:500], *key),
            )
            row = con.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? AND fire_time = ?", key
            ).fetchone()
        return _delivery(row)

    def mark(self, sub_id: str, fire_time: datetime, status: str, note: str = "") -> bool:
        """Record a fire time that will not be posted (missed, skipped); True if new."""
        with self._connect() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO deliveries (subscription_id, fire_time,"
                " status, error, completed_at) VALUES (?, ?, ?, ?, ?)",
                (sub_id, fire_time.astimezone(UTC).isoformat(), status, note, _now()),
            )
            return cur.rowcount > 0

    def last_posted(self, sub_id: str) -> Delivery | None:
        with self._connect() as con:
            row = con.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? AND"
                " status = 'posted' ORDER BY fire_time DESC LIMIT 1",
                (sub_id,),
            ).fetchone()
        return _delivery(row) if row else None

    def deliveries(self, sub_id: str | None = None) -> list[Delivery]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM deliveries"
                + (" WHERE subscription_id = ?" if sub_id else "")
                + " ORDER BY fire_time",
                (sub_id,) if sub_id else (),
            ).fetchall()
        return [_delivery(r) for r in rows]


def _owner_dead(owner: str | None) -> bool:
    """A claim held by a process of this host that no longer exists (killed mid-post)."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's claim: only the lease can expire it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        subscription_id=row["subscription_id"],
        fire_time=row["fire_time"],
        status=row["status"],
        attempts=row["attempts"],
        parts_posted=row["parts_posted"],
        message_ts=row["message_ts"],
        state=json.loads(row["state"]) if row["state"] else None,
        error=row["error"],
    )
