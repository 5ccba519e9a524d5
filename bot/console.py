"""The local faces of the core: ``planbot ask`` and the interactive console.

They answer exactly what Slack answers: both call Answerer.answer().
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from bot.ask.text import RAW_QUESTION_CHARS
from bot.config import Settings
from bot.failures import apology, new_reference
from bot.models import Answer, QuerySpec
from bot.render.json_answer import answer_json, error_json
from bot.services import Services
from bot.slack.housekeeping import Housekeeper
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
    questions: Iterable[str] = (
        [argv_text(question)] if question is not None else question_lines(sys.stdin.buffer)
    )
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


def argv_text(arg: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 become U+FFFD."""
    return os.fsencode(arg).decode("utf-8", "replace")


def question_lines(stream: BinaryIO) -> Iterator[str]:
    """One question per line, decoded at the edge (invalid UTF-8 becomes U+FFFD).

    A line is read only as far as a question is read at all; the rest of an over-long
    line is skipped without being held in memory.
    """
    limit = RAW_QUESTION_CHARS * 4  # UTF-8 takes at most 4 bytes a character
    while chunk := stream.readline(limit):
        if not chunk.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass
        yield chunk.decode("utf-8", "replace").rstrip("\r\n")


def run_console(settings: Settings) -> int:
    """Questions from stdin answered on stdout, whether or not Slack is configured."""
    services = Services.for_command(settings)
    if services is None:
        return 2
    # A console may run for days: the question log's retention holds here too.
    keeper = Housekeeper(settings).start()
    try:
        return _console_loop(services, settings)
    finally:
        keeper.stop()


def _console_loop(services: Services, settings: Settings) -> int:
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
