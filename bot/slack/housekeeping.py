"""Purging old state: at startup and then daily, on a daemon thread.

The question log keeps ``log_retention_days``; seen event ids a day (Slack's last
retry comes ~5 minutes after the event).
"""

from __future__ import annotations

import logging
import threading

from bot.config import Settings
from bot.state import Conversations, QuestionLog, SeenEvents, StateDB

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60


def purge_state(settings: Settings) -> tuple[int, int]:
    """(seen events dropped, questions dropped)."""
    db = StateDB.for_settings(settings)
    events = SeenEvents(db).purge()
    questions = QuestionLog(db).purge(retention_days=settings.log_retention_days)
    # What was answered holds the questions' text: kept as long as the question log.
    answers = Conversations(db).purge(retention_days=settings.log_retention_days)
    if events or questions or answers:
        log.info(
            "purged %d seen events, %d logged questions, %d answers",
            events,
            questions,
            answers,
        )
    return events, questions


class Housekeeper:
    def __init__(self, settings: Settings, *, interval_s: float = DAY_SECONDS) -> None:
        self.settings = settings
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Housekeeper:
        self._run_once()
        self._thread = threading.Thread(target=self._loop, name="planbot-housekeeping", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._run_once()

    def _run_once(self) -> None:
        try:
            purge_state(self.settings)
        except Exception as exc:
            # A failed purge only keeps old rows a day longer: one line, no traceback.
            log.warning("purging the state database failed: %s", exc)
