"""What planbot answered, so that a menu click and a follow-up in the thread can
continue it.

An answer's menu carries only a short reference (an option value holds 150
characters), and a question asked in the thread of an answer ("Cは？", "それの詳細")
continues the reading of the question that answer answered. Both look up here: the
question and, when it was itself a follow-up, the reading it was answered with.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from bot.models import QuerySpec
from bot.state.database import StateDB
from bot.state.schema import answer_threads, answered


class AskedQuestion(BaseModel):
    """A question as answered: its text, and the reading when it was not read from the
    text alone (a follow-up that inherited filters)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str
    spec: QuerySpec | None = None


class Conversations:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def remember_answer(self, ref: str, asked: AskedQuestion, *, now: float | None = None) -> None:
        at = time.time() if now is None else now
        values = {"ref": ref, "body": asked.model_dump_json(), "answered_at": at}
        self.db.execute(self.db.upsert(answered, values, update=("body", "answered_at")))

    def recall_answer(self, ref: str) -> AskedQuestion | None:
        body = self.db.scalar(sa.select(answered.c.body).where(answered.c.ref == ref))
        return AskedQuestion.model_validate_json(body) if body else None

    def remember_thread(
        self, channel: str, thread_ts: str, ref: str, *, now: float | None = None
    ) -> None:
        """The latest answer in a thread is what the next question there continues."""
        at = time.time() if now is None else now
        values = {"channel_id": channel, "thread_ts": thread_ts, "ref": ref, "answered_at": at}
        self.db.execute(self.db.upsert(answer_threads, values, update=("ref", "answered_at")))

    def thread_question(self, channel: str, thread_ts: str) -> AskedQuestion | None:
        t = answer_threads.c
        body = self.db.scalar(
            sa.select(answered.c.body)
            .join_from(answer_threads, answered, answered.c.ref == t.ref)
            .where((t.channel_id == channel) & (t.thread_ts == thread_ts))
        )
        return AskedQuestion.model_validate_json(body) if body else None

    def purge(self, *, retention_days: int, now: float | None = None) -> int:
        """Forget answers older than the question log keeps questions."""
        cutoff = (time.time() if now is None else now) - retention_days * 24 * 60 * 60

        def work(con: sa.Connection) -> int:
            threads = con.execute(
                sa.delete(answer_threads).where(answer_threads.c.answered_at < cutoff)
            ).rowcount
            answers = con.execute(
                sa.delete(answered).where(answered.c.answered_at < cutoff)
            ).rowcount
            return threads + answers

        return self.db.run(work)
