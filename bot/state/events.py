"""Slack events already taken on, so each is answered once.

Slack redelivers an event it believes failed (``X-Slack-Retry-Num`` 1–3, up to
about five minutes later) with the same ``event_id``, and Bolt does not
deduplicate. The first process to insert the id wins; the primary key makes the
check-and-insert one atomic statement, so two workers cannot both answer.
"""

from __future__ import annotations

import time

from bot.state.database import StateDB

#: Slack's last retry comes about 5 minutes after the event; a day is ample margin
#: and still keeps the table to a few thousand rows.
KEEP_SECONDS = 24 * 60 * 60


class SeenEvents:
    def __init__(self, db: StateDB, *, keep_seconds: float = KEEP_SECONDS) -> None:
        self.db = db
        self.keep_seconds = keep_seconds

    def claim(self, event_id: str, *, now: float | None = None) -> bool:
        """True for the first caller with this event id; False for every later one."""
        seen_at = time.time() if now is None else now
        with self.db.connect() as con:
            cursor = con.execute(
                "INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
                (event_id, seen_at),
            )
            return cursor.rowcount == 1

    def purge(self, *, now: float | None = None) -> int:
        """Forget ids older than ``keep_seconds``; returns how many were dropped."""
        cutoff = (time.time() if now is None else now) - self.keep_seconds
        with self.db.connect() as con:
            return con.execute("DELETE FROM seen_events WHERE seen_at < ?", (cutoff,)).rowcount
