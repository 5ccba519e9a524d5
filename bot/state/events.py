"""Slack events taken on, so each is answered exactly once.

Slack redelivers an event it believes failed (``X-Slack-Retry-Num`` 1–3, up to
about five minutes later) with the same ``event_id``, and Bolt does not
deduplicate. A worker *claims* the id with a lease before answering and marks it
*answered* only once the reply is posted. A redelivery of an answered event, or
of one whose claim is still held by a live worker, is not answered again; a
redelivery of one whose owner died (a kill between claim and post) or whose lease
ran out (a worker stuck or gone on another host) takes the claim over and answers.

Every change is one atomic statement: the first claim and the retake of an
expired lease are one ``INSERT … ON CONFLICT DO UPDATE … WHERE``; taking over
from a dead owner is a compare-and-set on that owner's token; marking answered and
releasing are conditional on still being the owner. Two workers can therefore
never both hold a claim, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from functools import cache

from pydantic import BaseModel, ConfigDict

from bot.state.database import StateDB

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


@cache
def _owner_for(pid: int) -> EventOwner:
    # Keyed by pid so a forked worker is its own owner, not its parent.
    return EventOwner(token=uuid.uuid4().hex, host=socket.gethostname(), pid=pid)


def this_process() -> EventOwner:
    return _owner_for(os.getpid())


def is_gone(owner: EventOwner) -> bool:
    """True only when certain: the owner ran on this host and its pid no longer exists.

    A reused pid looks alive; that claim then waits for its lease, which is safe.
    """
    if owner.host != socket.gethostname() or owner == this_process():
        return False
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    except OSError:
        return False
    return False


_CLAIM = """
INSERT INTO seen_events (event_id, seen_at, owner, owner_host, owner_pid, lease_until)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id) DO UPDATE SET
    owner = excluded.owner,
    owner_host = excluded.owner_host,
    owner_pid = excluded.owner_pid,
    lease_until = excluded.lease_until,
    attempts = seen_events.attempts + 1
WHERE seen_events.answered_at IS NULL AND seen_events.lease_until <= excluded.seen_at
"""

_TAKE_OVER = """
UPDATE seen_events
SET owner = ?, owner_host = ?, owner_pid = ?, lease_until = ?, attempts = attempts + 1
WHERE event_id = ? AND answered_at IS NULL AND owner = ?
"""


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

    def claim(self, event_id: str, *, now: float | None = None) -> bool:
        """True when this process now holds the event and should answer it.

        False while it is answered, or held by a live owner whose lease runs.
        """
        at = time.time() if now is None else now
        me = this_process()
        with self.db.connect() as con:
            cursor = con.execute(
                _CLAIM, (event_id, at, me.token, me.host, me.pid, at + self.lease_seconds)
            )
            if cursor.rowcount == 1:
                return True
            holder = self._unanswered_holder(event_id)
            if holder is None or not is_gone(holder):
                return False
            taken = con.execute(
                _TAKE_OVER,
                (me.token, me.host, me.pid, at + self.lease_seconds, event_id, holder.token),
            ).rowcount
        if taken:
            log.warning(
                "event %s: its claim's owner (pid %d) is gone; taken over", event_id, holder.pid
            )
        return taken == 1

    def mark_answered(self, event_id: str, *, now: float | None = None) -> bool:
        """Record that the reply was posted; False if the claim was lost meanwhile."""
        at = time.time() if now is None else now
        with self.db.connect() as con:
            return (
                con.execute(
                    "UPDATE seen_events SET answered_at = ? WHERE event_id = ? AND owner = ?",
                    (at, event_id, this_process().token),
                ).rowcount
                == 1
            )

    def release(self, event_id: str) -> bool:
        """Give up an unanswered claim (the reply could not be posted): the next
        delivery of the event takes it at once instead of waiting for the lease."""
        with self.db.connect() as con:
            return (
                con.execute(
                    "UPDATE seen_events SET lease_until = 0"
                    " WHERE event_id = ? AND owner = ? AND answered_at IS NULL",
                    (event_id, this_process().token),
                ).rowcount
                == 1
            )

    def is_answered(self, event_id: str) -> bool:
        with self.db.connect() as con:
            row = con.execute(
                "SELECT answered_at FROM seen_events WHERE event_id = ?", (event_id,)
            ).fetchone()
        return row is not None and row["answered_at"] is not None

    def purge(self, *, now: float | None = None) -> int:
        """Forget ids older than ``keep_seconds``; returns how many were dropped."""
        cutoff = (time.time() if now is None else now) - self.keep_seconds
        with self.db.connect() as con:
            return con.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,)).rowcount

    def _unanswered_holder(self, event_id: str) -> EventOwner | None:
        with self.db.connect() as con:
            row = con.execute(
                "SELECT owner, owner_host, owner_pid FROM seen_events"
                " WHERE event_id = ? AND answered_at IS NULL AND owner IS NOT NULL",
                (event_id,),
            ).fetchone()
        if row is None:
            return None
        return EventOwner(token=row["owner"], host=row["owner_host"], pid=row["owner_pid"])
