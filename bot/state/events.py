"""Slack events taken on, so each is answered exactly once.

Slack redelivers an event it believes failed (``X-Slack-Retry-Num`` 1–3, up to
about five minutes later) with the same ``event_id``, to whichever replica the load
balancer picks, and Bolt does not deduplicate. A worker *claims* the id with a lease
before answering and marks it *answered* only once the reply is posted. A redelivery
of an answered event, or of one whose claim is still held by a live worker, is not
answered again; a redelivery of one whose owner died (a kill between claim and post)
or whose lease ran out (a worker stuck or gone on another host) takes the claim over.

Every change is one atomic statement: the first claim and the retake of an expired
lease are one ``INSERT … ON CONFLICT DO UPDATE … WHERE``; taking over from a dead
owner is a compare-and-set on that owner's token; marking answered and releasing are
conditional on still being the owner. Two workers can therefore never both hold a
claim, on SQLite as on PostgreSQL. Each claim has its own token (two threads of one
process given the same event are two claimants), so a claim statement retried after
a lost connection recognises its own row instead of losing to itself.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from bot.state.database import StateDB
from bot.state.schema import seen_events

log = logging.getLogger(__name__)

#: Slack's last retry comes about 5 minutes after the event; a day is ample margin
#: and still keeps the table to a few thousand rows.
KEEP_SECONDS = 24 * 60 * 60
#: An answer takes seconds (queries stop at PLANBOT_QUERY_TIMEOUT, 429s wait as Slack
#: asks); a lease well above that but below Slack's five-minute retry lets that retry
#: take over from a worker that vanished on another host.
LEASE_SECONDS = 120.0


class EventOwner(BaseModel):
    """The process holding a claim: a token unique to it, where it runs, its pid."""

    model_config = ConfigDict(frozen=True)

    token: str
    host: str
    pid: int


def new_claimant() -> EventOwner:
    """A fresh token for one claim, with this process's host and pid."""
    return EventOwner(token=uuid.uuid4().hex, host=socket.gethostname(), pid=os.getpid())


def is_gone(owner: EventOwner) -> bool:
    """True only when certain: the owner ran on this host and its pid no longer exists.

    A reused pid looks alive; that claim then waits for its lease, which is safe.
    """
    if owner.host != socket.gethostname() or owner.pid == os.getpid():
        return False
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # PermissionError: alive, another user's
    return False


class SeenEvents:
    def __init__(
        self,
        db: StateDB,
        *,
        keep_seconds: float = KEEP_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.db = db
        self.keep_seconds = keep_seconds
        self.lease_seconds = lease_seconds
        # The token of each claim this instance holds, until answered or released.
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()

    def claim(self, event_id: str, *, now: float | None = None) -> bool:
        """True when this caller now holds the event and should answer it.

        False while it is answered, or held by a live owner whose lease runs.
        """
        at = time.time() if now is None else now
        me = new_claimant()
        t = seen_events.c
        mine = {
            "owner": me.token,
            "owner_host": me.host,
            "owner_pid": me.pid,
            "lease_until": at + self.lease_seconds,
        }
        stmt = self.db.insert(seen_events).values(event_id=event_id, seen_at=at, **mine)
        expired = t.lease_until <= stmt.excluded.seen_at
        # The same token again is this claim's statement retried after a lost connection.
        stmt = stmt.on_conflict_do_update(
            index_elements=["event_id"],
            set_={**{k: stmt.excluded[k] for k in mine}, "attempts": t.attempts + 1},
            where=t.answered_at.is_(None) & (expired | (t.owner == me.token)),
        ).returning(t.event_id)
        won = self.db.execute(stmt) == 1 or self._take_from_gone(event_id, mine)
        if won:
            with self._lock:
                self._held[event_id] = me.token
        return won

    def _take_from_gone(self, event_id: str, mine: dict[str, object]) -> bool:
        holder = self._unanswered_holder(event_id)
        if holder is None or not is_gone(holder):
            return False
        t = seen_events.c
        taken = self.db.execute(
            sa.update(seen_events)
            .where((t.event_id == event_id) & t.answered_at.is_(None) & (t.owner == holder.token))
            .values(**mine, attempts=t.attempts + 1)
        )
        if taken:
            log.warning(
                "event %s: its claim's owner (pid %d) is gone; taken over", event_id, holder.pid
            )
        return taken == 1

    def mark_answered(self, event_id: str, *, now: float | None = None) -> bool:
        """Record that the reply was posted; False if the claim was lost meanwhile."""
        at = time.time() if now is None else now
        t = seen_events.c
        token = self._let_go(event_id)
        if token is None:
            return False
        return (
            self.db.execute(
                sa.update(seen_events)
                .where((t.event_id == event_id) & (t.owner == token))
                .values(answered_at=at)
            )
            == 1
        )

    def release(self, event_id: str) -> bool:
        """Give up an unanswered claim (the reply could not be posted): the next
        delivery of the event takes it at once instead of waiting for the lease."""
        t = seen_events.c
        token = self._let_go(event_id)
        if token is None:
            return False
        return (
            self.db.execute(
                sa.update(seen_events)
                .where((t.event_id == event_id) & (t.owner == token) & t.answered_at.is_(None))
                .values(lease_until=0)
            )
            == 1
        )

    def _let_go(self, event_id: str) -> str | None:
        with self._lock:
            return self._held.pop(event_id, None)

    def is_answered(self, event_id: str) -> bool:
        t = seen_events.c
        row = self.db.one(sa.select(t.answered_at).where(t.event_id == event_id))
        return row is not None and row.answered_at is not None

    def lease_until(self, event_id: str) -> float | None:
        t = seen_events.c
        return self.db.scalar(sa.select(t.lease_until).where(t.event_id == event_id))

    def purge(self, *, now: float | None = None) -> int:
        """Forget ids older than ``keep_seconds``; returns how many were dropped."""
        cutoff = (time.time() if now is None else now) - self.keep_seconds
        return self.db.execute(sa.delete(seen_events).where(seen_events.c.seen_at < cutoff))

    def _unanswered_holder(self, event_id: str) -> EventOwner | None:
        t = seen_events.c
        row = self.db.one(
            sa.select(t.owner, t.owner_host, t.owner_pid).where(
                (t.event_id == event_id) & t.answered_at.is_(None) & t.owner.is_not(None)
            )
        )
        if row is None:
            return None
        return EventOwner(token=row.owner, host=row.owner_host, pid=row.owner_pid)
