"""Asking the core, as ``planbot ask`` does, and logging the question for /plan stats."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from bot.ask.language import question_language
from bot.console import safe_answer
from bot.models import Answer, Language, QuerySpec
from bot.render.blocks import Message, answer_messages, answer_ref
from bot.slack.access import is_admin
from bot.slack.context import SlackServices
from bot.slack.delivery import plain
from bot.slack.wording import warehouse_missing
from bot.state import AskedQuestion, LoggedQuestion
from bot.store.database import WarehouseMissing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who asked, where, and through which surface (for the question log)."""

    user: str | None
    channel: str | None
    surface: str


@dataclass(frozen=True)
class Failed:
    """No Answer: the apology (with its reference id) or the warehouse-missing notice."""

    text: str
    problem: str


Result = Answer | Failed


def ask(
    services: SlackServices,
    question: str,
    asker: Asker | None = None,
    *,
    log_it: bool = True,
    spec: QuerySpec | None = None,
) -> Result:
    """Answer ``question``; never raises for a bad question or a failed query.

    ``log_it`` is off when a button re-runs a question already logged (next page,
    export), so /plan stats counts what people asked, not what they clicked. ``spec``
    answers with that reading instead of the text's own (a follow-up in a thread).
    Every answer is remembered under its ``answer_ref``, which its menu carries.
    """
    started = time.perf_counter()
    result: Result
    try:
        outcome = safe_answer(services.core, question, spec)
        result = outcome if isinstance(outcome, Answer) else Failed(outcome, "error")
    except WarehouseMissing:
        result = Failed(warehouse_missing(question_language(question)), "warehouse_missing")
    if isinstance(result, Answer) and result.ok:
        _remember(services, result, AskedQuestion(question=question, spec=spec))
    if log_it and asker is not None:
        _log_question(services, question, asker, result, time.perf_counter() - started)
    return result


def ask_again(services: SlackServices, data: dict[str, Any]) -> tuple[str, Result]:
    """A button's question answered again, with the reading it was first answered with
    (``r``, the answer's reference) when that is remembered, else from its text."""
    asked = services.conversations.recall_answer(str(data["r"])) if data.get("r") else None
    if asked is None:
        asked = AskedQuestion(question=str(data.get("question") or ""))
    # Already logged when first asked: a page turn or an export is not a new question.
    return asked.question, ask(services, asked.question, log_it=False, spec=asked.spec)


def reply_messages(
    result: Result,
    *,
    page: int = 0,
    page_size: int = 10,
    admin: bool = False,
    note: str | None = None,
) -> list[Message]:
    if isinstance(result, Failed):
        return [plain(result.text)]
    return answer_messages(result, page=page, page_size=page_size, admin=admin, note=note)


def admin_view(services: SlackServices, user: str | None) -> bool:
    """Whether the menu of an answer to ``user`` offers the SQL behind it."""
    return is_admin(services.settings, user)


def result_language(result: Result, question: str) -> Language:
    return result.language if isinstance(result, Answer) else question_language(question)


def _remember(services: SlackServices, answer: Answer, asked: AskedQuestion) -> None:
    try:
        services.conversations.remember_answer(answer_ref(answer), asked)
    except Exception:
        # Only the menu and follow-ups need it: they say so if it is missing.
        log.exception("could not remember an answer")


def _log_question(
    services: SlackServices, question: str, asker: Asker, result: Result, elapsed_s: float
) -> None:
    if isinstance(result, Answer):
        problem = result.problem or (None if result.ok else "not_understood")
        intent, count, ok = result.intent, result.count, result.ok
    else:
        problem, intent, count, ok = result.problem, None, None, False
    entry = LoggedQuestion(
        user_id=asker.user,
        channel_id=asker.channel,
        surface=asker.surface,
        question=question,
        intent=intent,
        result_count=count,
        latency_ms=elapsed_s * 1000,
        ok=ok,
        problem=problem,
    )
    try:
        services.questions.record(entry)
    except Exception:
        # The log serves statistics; losing one row must not cost the user the answer.
        log.exception("could not log a question")
