"""Asking the core, as ``planbot ask`` does, and logging the question for /plan stats."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.ask.language import question_language
from bot.console import safe_answer
from bot.models import Answer, Language
from bot.render.blocks import Message, answer_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import plain
from bot.slack.wording import warehouse_missing
from bot.state import LoggedQuestion
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
    services: SlackServices, question: str, asker: Asker | None = None, *, log_it: bool = True
) -> Result:
    """Answer ``question``; never raises for a bad question or a failed query.

    ``log_it`` is off when a button re-runs a question already logged (next page,
    export), so /plan stats counts what people asked, not what they clicked.
    """
    started = time.perf_counter()
    result: Result
    try:
        outcome = safe_answer(services.core, question)
        result = outcome if isinstance(outcome, Answer) else Failed(outcome, "error")
    except WarehouseMissing:
        result = Failed(warehouse_missing(question_language(question)), "warehouse_missing")
    if log_it and asker is not None:
        _log_question(services, question, asker, result, time.perf_counter() - started)
    return result


def reply_messages(result: Result, *, page: int = 0, page_size: int = 10) -> list[Message]:
    if isinstance(result, Failed):
        return [plain(result.text)]
    return answer_messages(result, page=page, page_size=page_size)


def result_language(result: Result, question: str) -> Language:
    return result.language if isinstance(result, Answer) else question_language(question)


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
