"""The question log: who asked what, where, how it went, for ``/plan stats``.

Kept for ``log_retention_days`` only: questions can name people and cases, so the
log is not kept longer than its use (what staff ask, what planbot cannot answer).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnCollection

from bot.state.database import StateDB
from bot.state.schema import question_log

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
        self.db.execute(
            sa.insert(question_log).values(
                asked_at=asked_at,
                user_id=entry.user_id,
                channel_id=entry.channel_id,
                surface=entry.surface,
                question=entry.question,
                question_key=question_key(entry.question),
                intent=entry.intent,
                result_count=entry.result_count,
                latency_ms=round(entry.latency_ms, 1),
                ok=entry.ok,
                problem=entry.problem,
            )
        )

    def most_asked(self, *, days: int, limit: int = 10) -> list[QuestionCount]:
        return self._top(lambda q: sa.true(), days=days, limit=limit)

    def unanswered(self, *, days: int, limit: int = 10) -> list[QuestionCount]:
        """Questions that failed, were not understood, or found nothing."""

        def failed(q: ColumnCollection[str, Any]) -> sa.ColumnElement[bool]:
            # A count of none ("how many are graded C?" → 0) is an answer, not a miss.
            found_nothing = (sa.func.coalesce(q.result_count, 0) == 0) & (
                sa.func.coalesce(q.intent, "") != "count"
            )
            not_answered = sa.or_(q.ok.is_(False), q.problem.is_not(None), found_nothing)
            # Help is answered by design even though it lists no items.
            return not_answered & (sa.func.coalesce(q.intent, "") != "help")

        return self._top(failed, days=days, limit=limit)

    def total(self, *, days: int) -> int:
        since = time.time() - days * DAY_SECONDS
        stmt = sa.select(sa.func.count()).where(question_log.c.asked_at >= since)
        return int(self.db.scalar(stmt))

    def purge(self, *, retention_days: int, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - retention_days * DAY_SECONDS
        return self.db.execute(sa.delete(question_log).where(question_log.c.asked_at < cutoff))

    def _top(
        self,
        condition: Callable[[ColumnCollection[str, Any]], sa.ColumnElement[bool]],
        *,
        days: int,
        limit: int,
    ) -> list[QuestionCount]:
        since = time.time() - days * DAY_SECONDS
        q = question_log.alias("q")
        latest = question_log.alias("latest")
        # The most recent spelling of each grouped question is the one shown.
        newest_spelling = (
            sa.select(latest.c.question)
            .where(latest.c.question_key == q.c.question_key)
            .order_by(latest.c.asked_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        asked = sa.func.count().label("asked")
        last_asked_at = sa.func.max(q.c.asked_at).label("last_asked_at")
        stmt = (
            sa.select(newest_spelling.label("question"), asked, last_asked_at)
            .where((q.c.asked_at >= since) & condition(q.c))
            .group_by(q.c.question_key)
            .order_by(asked.desc(), last_asked_at.desc())
            .limit(limit)
        )
        return [
            QuestionCount(
                question=str(r.question), asked=int(r.asked), last_asked_at=float(r.last_asked_at)
            )
            for r in self.db.rows(stmt)
        ]
