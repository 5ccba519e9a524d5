"""The question log: who asked what, where, how it went, for ``/plan stats``.

Kept for ``log_retention_days`` only: questions can name people and cases, so the
log is not kept longer than its use (what staff ask, what planbot cannot answer).
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

from bot.state.database import StateDB

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class LoggedQuestion:
    user_id: str | None
    channel_id: str | None
    #: Where it was asked: mention, dm, command, button, home.
    surface: str
    question: str
    intent: str | None
    result_count: int | None
    latency_ms: float
    ok: bool
    problem: str | None
    asked_at: float | None = None


@dataclass(frozen=True)
class QuestionCount:
    question: str
    asked: int
    last_asked_at: float


def question_key(question: str) -> str:
    """What makes two questions "the same" in stats: width, case, spacing, ?/？ ignored."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(text.split()).rstrip("?").strip()


class QuestionLog:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def record(self, entry: LoggedQuestion) -> None:
        asked_at = time.time() if entry.asked_at is None else entry.asked_at
        with self.db.connect() as con:
            con.execute(
                "INSERT INTO question_log (asked_at, user_id, channel_id, surface, question,"
                " question_key, intent, result_count, latency_ms, ok, problem)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    asked_at,
                    entry.user_id,
                    entry.channel_id,
                    entry.surface,
                    entry.question,
                    question_key(entry.question),
                    entry.intent,
                    entry.result_count,
                    round(entry.latency_ms, 1),
                    int(entry.ok),
                    entry.problem,
                ),
            )

    def most_asked(self, *, days: int, limit: int = 10) -> list[QuestionCount]:
        return self._top("1 = 1", days=days, limit=limit)

    def unanswered(self, *, days: int, limit: int = 10) -> list[QuestionCount]:
        """Questions that failed, were not understood, or found nothing."""
        # A count of none ("how many are graded C?" → 0) is an answer, not a miss.
        condition = (
            "(ok = 0 OR problem IS NOT NULL"
            " OR (COALESCE(result_count, 0) = 0 AND COALESCE(intent, '') <> 'count'))"
        )
        # Help is answered by design even though it lists no items.
        return self._top(f"{condition} AND COALESCE(intent, '') != 'help'", days=days, limit=limit)

    def total(self, *, days: int) -> int:
        since = time.time() - days * DAY_SECONDS
        with self.db.connect() as con:
            row = con.execute(
                "SELECT COUNT(*) FROM question_log WHERE asked_at >= ?", (since,)
            ).fetchone()
            return int(row[0])

    def purge(self, *, retention_days: int, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - retention_days * DAY_SECONDS
        with self.db.connect() as con:
            return con.execute("DELETE FROM question_log WHERE asked_at < ?", (cutoff,)).rowcount

    def _top(self, condition: str, *, days: int, limit: int) -> list[QuestionCount]:
        since = time.time() - days * DAY_SECONDS
        # condition is one of two constants above, never user text.
        sql = (
            "SELECT question_key, COUNT(*) AS asked, MAX(asked_at) AS last_asked_at,"
            " (SELECT question FROM question_log AS latest"
            "   WHERE latest.question_key = q.question_key ORDER BY asked_at DESC LIMIT 1)"
            "   AS question"
            f" FROM question_log AS q WHERE asked_at >= ? AND {condition}"
            " GROUP BY question_key ORDER BY asked DESC, last_asked_at DESC LIMIT ?"
        )
        with self.db.connect() as con:
            rows = con.execute(sql, (since, limit)).fetchall()
        return [
            QuestionCount(
                question=str(r["question"]),
                asked=int(r["asked"]),
                last_asked_at=float(r["last_asked_at"]),
            )
            for r in rows
        ]
