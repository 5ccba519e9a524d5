"""Purging old state: at startup and then daily, on a daemon thread.

The question log keeps ``log_retention_days``; seen event ids a day (Slack's last
retry comes ~5 minutes after the event). A report previewed in Slack and left
unconfirmed expires after ``upload_preview_days``, and its kept copy goes; the audit of
uploads, and of each closed evaluation round, is kept ``audit_retention_days``.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.config import Settings
from bot.state import Conversations, QuestionLog, SeenEvents, StateDB
from bot.state.questions import DAY_SECONDS
from bot.state.schema import round_audit, round_rounds
from bot.state.uploads import ROLLED_BACK_DIR, UPLOADS_DIR, AuditLog, Uploads

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """Rows (and upload copies) dropped by one purge."""

    events: int = 0
    questions: int = 0
    answers: int = 0
    previews: int = 0  # expired
    copies: int = 0  # upload copies deleted on this host
    audit: int = 0  # of uploads and of rounds


def purge_state(settings: Settings, *, now: float | None = None) -> Purged:
    now = time.time() if now is None else now
    db = StateDB.for_settings(settings)
    events = SeenEvents(db).purge(now=now)
    questions = QuestionLog(db).purge(retention_days=settings.log_retention_days, now=now)
    # What was answered holds the questions' text: kept as long as the question log.
    answers = Conversations(db).purge(retention_days=settings.log_retention_days, now=now)
    uploads = Uploads(db)
    previews = uploads.expire(after_days=settings.upload_preview_days, now=now)
    copies = _remove_unwanted_copies(settings.state_dir / UPLOADS_DIR, uploads, settings, now)
    audit = AuditLog(db).purge(retention_days=settings.audit_retention_days, now=now)
    audit += _purge_round_audit(db, settings.audit_retention_days, now)
    purged = Purged(events, questions, answers, previews, copies, audit)
    if any(astuple(purged)):
        log.info(
            "purged %d seen events, %d logged questions, %d answers, %d expired previews"
            " (%d copies), %d audit rows",
            *astuple(purged),
        )
    return purged


def _purge_round_audit(db: StateDB, retention_days: int, now: float) -> int:
    """The audit of rounds closed more than ``retention_days`` ago, in one statement; an
    open round keeps all of it. (Round times are UTC ISO-8601 text, so they sort.)"""
    cutoff = datetime.fromtimestamp(now - retention_days * DAY_SECONDS, UTC).isoformat()
    r = round_rounds.c
    closed_long_ago = sa.select(r.id).where(r.closed_at.is_not(None) & (r.closed_at < cutoff))
    return db.execute(sa.delete(round_audit).where(round_audit.c.round_id.in_(closed_long_ago)))


def _remove_unwanted_copies(pending: Path, uploads: Uploads, settings: Settings, now: float) -> int:
    """This host's copies of uploads nobody will ingest: expired (here or by another
    host), cancelled, failed. A copy whose upload is not recorded yet is left alone
    until it is as old as an expired preview (it may be being received right now)."""
    if not pending.is_dir():
        return 0
    copies = {d.name: d for d in pending.iterdir() if d.is_dir() and d.name != ROLLED_BACK_DIR}
    if not copies:
        return 0
    live = uploads.live_directories()
    statuses = uploads.statuses(list(copies))
    cutoff = now - settings.upload_preview_days * DAY_SECONDS
    removed = 0
    for name, directory in copies.items():
        if name in live or (name not in statuses and directory.stat().st_mtime >= cutoff):
            continue
        shutil.rmtree(directory, ignore_errors=True)
        removed += 1
    return removed


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
