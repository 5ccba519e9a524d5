"""The local faces of the core: ``planbot ask`` and the interactive console.

They answer exactly what Slack answers: both call Answerer.answer().
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.config import Settings
from bot.failures import apology, new_reference
from bot.models import Answer, QuerySpec
from bot.render.json_answer import answer_json, error_json
from bot.services import Services
from bot.store.database import WarehouseMissing

log = logging.getLogger(__name__)


def safe_answer(services: Services, question: str, spec: QuerySpec | None = None) -> Answer | str:
    """Answer, or return a short apology with a reference id: a question never crashes us.

    ``spec``: the reading to answer with, when it is not the text's alone (a follow-up
    in a Slack thread continues the question before it).
    """
    try:
        if spec is not None:
            return services.answerer.answer_spec(question, spec)
        return services.answerer.answer(question)
    except WarehouseMissing:
        raise
    except Exception:
        ref = new_reference()
        log.exception("question failed (ref %s): %r", ref, question[:200])
        return apology(ref)


def ask_command(settings: Settings, question: str | None, *, as_json: bool) -> int:
    services = Services.for_command(settings)
    if services is None:
        return 2
    questions: Iterable[str] = [question] if question is not None else _lines(sys.stdin)
    for i, q in enumerate(questions):
        result = safe_answer(services, q)
        if as_json:
            print(
                answer_json(result) if isinstance(result, Answer) else error_json(q, result),
                flush=True,
            )
        else:
            if i:
                print()
            print(result.text if isinstance(result, Answer) else result, flush=True)
    return 0


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def run_console(settings: Settings) -> int:
    """Questions from stdin answered on stdout, whether or not Slack is configured."""
    services = Services.for_command(settings)
    if services is None:
        return 2
    interactive = sys.stdin.isatty()
    if interactive:
        years = ", ".join(f"FY{y}" for y in services.answerer.years())
        why = (
            ""
            if settings.slack_enabled
            else " Slack tokens are not set, so questions are answered here."
        )
        print(f"planbot console ({years}).{why} Type a question, 'help', or Ctrl-D to quit.")
    while True:
        if interactive:
            print("planbot> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in ("quit", "exit", "終了"):
            break
        result = safe_answer(services, question)
        print(result.text if isinstance(result, Answer) else result, flush=True)
        if not interactive:
            print()
    return 0
