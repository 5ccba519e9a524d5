"""What planbot answered, so that a menu click and a follow-up in the thread can
continue it.

An answer's menu carries only a short reference (an option value holds 150
characters), and a question asked in the thread of an answer ("Cは？", "それの詳細")
continues the reading of the question that answer answered. Both look up here: the
question and, when it was itself a follow-up, the reading it was answered with.
"""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict

from bot.models import QuerySpec
from bot.state.database import StateDB


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
        with self.db.connect() as con:
            con.execute(
                "INSERT INTO answered (ref, body, answered_at) VALUES (?, ?, ?)"
                " ON CONFLICT (ref) DO UPDATE SET body = excluded.body,"
                " answered_at = excluded.answered_at",
                (ref, asked.model_dump_json(), at),
            )

    def recall_answer(self, ref: str) -> AskedQuestion | None:
        with self.db.connect() as con:
            row = con.execute("SELECT body FROM answered WHERE ref = ?", (ref,)).fetchone()
        return AskedQuestion.model_validate_json(row["body"]) if row else None

    def remember_thread(
        self, channel: str, thread_ts: str, ref: str, *, now: float | None = None
    ) -> None:
        """The latest answer in a thread is what the next question there continues."""
        at = time.time() if now is None else now
        with self.db.connect() as con:
            con.execute(
                "INSERT INTO answer_threads (channel_id, thread_ts, ref, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (channel_id, thread_ts) DO UPDATE"
                " SET ref = excluded.ref, answered_at = excluded.answered_at",
                (channel, thread_ts, ref, at),
            )

    def thread_question(self, channel: str, thread_ts: str) -> AskedQuestion | None:
        with self.db.connect() as con:
            row = con.execute(
                "SELECT a.body FROM answer_threads t JOIN answered a ON a.ref = t.ref"
                " WHERE t.channel_id = ? AND t.thread_ts = ?",
                (channel, thread_ts),
            ).fetchone()
        return AskedQuestion.model_validate_json(row["body"]) if row else None

    def purge(self, *, retention_days: int, now: float | None = None) -> int:
        """Forget answers older than the question log keeps questions."""
        cutoff = (time.time() if now is None else now) - retention_days * 24 * 60 * 60
        with self.db.connect() as con:
            threads = con.execute(
                "DELETE FROM answer_threads WHERE answered_at < ?", (cutoff,)
            ).rowcount
            answers = con.execute("DELETE FROM answered WHERE answered_at < ?", (cutoff,)).rowcount
        return threads + answers
