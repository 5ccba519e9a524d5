"""Subscriptions and the delivery ledger, in the state database (SQLite or PostgreSQL).

The ledger is keyed by (subscription, scheduled fire time). A delivery is *claimed* by one
statement before anything is posted and *completed* after, and each message part is
recorded as it is posted, so:
- two clock processes racing for the same fire time: one claim wins, the other skips;
- a crash between composing and posting: the claim goes stale and the next run retries,
  continuing after the last part recorded as posted;
- a post that keeps failing: the attempts are counted and the failure reported once.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection, Row

from bot.digest.schedule import Schedule
from bot.render.text import goal_label, pick
from bot.state.database import StateDB
from bot.state.events import new_claimant
from bot.state.schema import deliveries, subscriptions

CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5


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
    """Subscriptions and deliveries in the state database (SQLite or PostgreSQL)."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    # --- subscriptions ---------------------------------------------------------------
    def save(self, sub: Subscription) -> Subscription:
        sub = sub.model_copy(update={"created_at": sub.created_at or _now()})
        values = {
            "id": sub.id,
            "channel": sub.channel,
            "schedule": sub.schedule.model_dump_json(),
            "scope_kind": sub.scope_kind,
            "scope_value": sub.scope_value,
            "holiday_rule": sub.holiday_rule,
            "language": sub.language,
            "created_by": sub.created_by,
            "created_at": sub.created_at,
            "active": sub.active,
        }
        self.db.execute(
            self.db.upsert(
                subscriptions,
                values,
                update=[k for k in values if k not in ("id", "created_by", "created_at")],
            )
        )
        return sub

    def subscriptions(self, *, active_only: bool = True) -> list[Subscription]:
        stmt = sa.select(subscriptions).order_by(subscriptions.c.created_at, subscriptions.c.id)
        if active_only:
            stmt = stmt.where(subscriptions.c.active.is_(True))
        return [_subscription(r) for r in self.db.rows(stmt)]

    def get(self, sub_id: str) -> Subscription | None:
        row = self.db.one(sa.select(subscriptions).where(subscriptions.c.id == sub_id))
        return _subscription(row) if row is not None else None

    def deactivate(self, sub_id: str) -> bool:
        s = subscriptions.c
        stmt = (
            sa.update(subscriptions)
            .where((s.id == sub_id) & s.active.is_(True))
            .values(active=False)
        )
        return self.db.execute(stmt) > 0

    # --- deliveries --------------------------------------------------------------------
    def claim(self, sub_id: str, fire_time: datetime) -> Delivery | None:
        """Take the right to post this digest; None when another process has it or it is done.

        One statement: the first claim inserts the row; a later one takes it over only if
        it failed (attempts left) or its claim went stale. A claim retried after a lost
        connection carries the same token and finds its own row.
        """
        token = _claim_token()
        now = datetime.now(UTC)
        stale = (now - CLAIM_LEASE).isoformat(timespec="seconds")
        d = deliveries.c
        insert = self.db.insert(deliveries).values(
            subscription_id=sub_id,
            fire_time=_key(fire_time),
            status="claimed",
            claimed_by=token,
            claimed_at=now.isoformat(timespec="seconds"),
            attempts=1,
        )
        retry_failed = (d.status == "failed") & (d.attempts < MAX_ATTEMPTS)
        stale_or_own = (d.status == "claimed") & ((d.claimed_at < stale) | (d.claimed_by == token))
        takeover = retry_failed | stale_or_own
        stmt = insert.on_conflict_do_update(
            index_elements=["subscription_id", "fire_time"],
            set_={
                "status": "claimed",
                "claimed_by": insert.excluded.claimed_by,
                "claimed_at": insert.excluded.claimed_at,
                # The same token again is a retried statement, not a new attempt.
                "attempts": d.attempts + sa.case((d.claimed_by == token, 0), else_=1),
            },
            where=takeover,
        ).returning(*deliveries.c)
        row = self.db.one(stmt)
        if row is None:
            row = self._take_from_dead_owner(sub_id, fire_time, token)
        return _delivery(row) if row is not None else None

    def _take_from_dead_owner(self, sub_id: str, fire_time: datetime, token: str) -> Row | None:
        """A claim held by a process of this host that was killed mid-post is taken at once."""
        d = deliveries.c
        key = (d.subscription_id == sub_id) & (d.fire_time == _key(fire_time))
        holder = self.db.one(sa.select(d.claimed_by).where(key & (d.status == "claimed")))
        if holder is None or not _owner_dead(holder.claimed_by):
            return None
        # Compare-and-set on the dead holder: of two racing successors one wins.
        stmt = (
            sa.update(deliveries)
            .where(key & (d.status == "claimed") & (d.claimed_by == holder.claimed_by))
            .values(
                claimed_by=token,
                claimed_at=_now(),
                attempts=d.attempts + 1,
            )
            .returning(*deliveries.c)
        )
        return self.db.one(stmt)

    def part_posted(self, sub_id: str, fire_time: datetime, part: int, ts: str) -> None:
        d = deliveries.c
        self.db.execute(
            sa.update(deliveries)
            .where((d.subscription_id == sub_id) & (d.fire_time == _key(fire_time)))
            .values(parts_posted=part + 1, message_ts=sa.func.coalesce(d.message_ts, ts))
        )

    def complete(self, sub_id: str, fire_time: datetime, state: dict[str, Any]) -> None:
        fired = _key(fire_time)
        d = deliveries.c

        def work(con: Connection) -> None:
            con.execute(
                sa.update(deliveries)
                .where((d.subscription_id == sub_id) & (d.fire_time == fired))
                .values(
                    status="posted",
                    state=json.dumps(state, ensure_ascii=False),
                    completed_at=_now(),
                    error=None,
                )
            )
            # Only the newest posted digest is ever compared against; a national
            # fingerprint is tens of MB, so older ones are not kept week after week.
            con.execute(
                sa.update(deliveries)
                .where(
                    (d.subscription_id == sub_id)
                    & (d.status == "posted")
                    & (d.fire_time < fired)
                    & d.state.is_not(None)
                )
                .values(state=None)
            )

        self.db.run(work)

    def fail(self, sub_id: str, fire_time: datetime, error: str) -> Delivery:
        d = deliveries.c
        stmt = (
            sa.update(deliveries)
            .where((d.subscription_id == sub_id) & (d.fire_time == _key(fire_time)))
            .values(status="failed", error=error[:500])
            .returning(*deliveries.c)
        )
        row = self.db.one(stmt)
        assert row is not None, f"no delivery {sub_id} at {fire_time} to fail"
        return _delivery(row)

    def mark(self, sub_id: str, fire_time: datetime, status: str, note: str = "") -> bool:
        """Record a fire time that will not be posted (missed, skipped); True if new."""
        stmt = self.db.insert_ignoring(
            deliveries,
            {
                "subscription_id": sub_id,
                "fire_time": _key(fire_time),
                "status": status,
                "error": note,
                "completed_at": _now(),
            },
        )
        return self.db.execute(stmt) > 0

    def last_posted(self, sub_id: str) -> Delivery | None:
        d = deliveries.c
        row = self.db.one(
            sa.select(deliveries)
            .where((d.subscription_id == sub_id) & (d.status == "posted"))
            .order_by(d.fire_time.desc())
            .limit(1)
        )
        return _delivery(row) if row else None

    def deliveries(self, sub_id: str | None = None) -> list[Delivery]:
        stmt = sa.select(deliveries).order_by(deliveries.c.fire_time)
        if sub_id:
            stmt = stmt.where(deliveries.c.subscription_id == sub_id)
        return [_delivery(r) for r in self.db.rows(stmt)]


def _claim_token() -> str:
    """host:pid:random, unique per claim; _owner_dead reads the host and pid back."""
    me = new_claimant()
    return f"{me.host}:{me.pid}:{me.token[:12]}"


def _key(fire_time: datetime) -> str:
    return fire_time.astimezone(UTC).isoformat()


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


def _delivery(row: Row) -> Delivery:
    # Delivery ignores the ledger's bookkeeping columns (claimed_by, completed_at …).
    fields = dict(row._mapping)
    return Delivery.model_validate(
        {**fields, "state": json.loads(fields["state"]) if fields["state"] else None}
    )


def _subscription(row: Row) -> Subscription:
    fields = dict(row._mapping)
    return Subscription.model_validate(
        {**fields, "schedule": Schedule.model_validate_json(fields["schedule"])}
    )
