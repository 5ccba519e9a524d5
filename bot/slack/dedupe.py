"""Answer each Slack event once, whatever Slack redelivers.

A global Bolt middleware: it runs after signature verification (so forged requests
never claim an id) and before any listener. The first delivery of an ``event_id``
claims it in the state database; a redelivery (``X-Slack-Retry-Num`` 1–3 over HTTP,
``retry_attempt`` in Socket Mode, a second worker, or the same process after a
restart) finds it claimed and is acknowledged without running a listener.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from bot.state import SeenEvents

log = logging.getLogger(__name__)

Middleware = Callable[..., BoltResponse | None]


def event_id_of(body: dict[str, Any]) -> str | None:
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and event_id else None


def skip_seen_events(seen: SeenEvents) -> Middleware:
    def skip_seen_events(
        body: dict[str, Any], request: BoltRequest, next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = event_id_of(body)
        if event_id is not None:
            try:
                first = seen.claim(event_id)
            except sqlite3.Error:
                # Better to risk answering twice than to stop answering.
                log.exception("could not check event %s against the state database", event_id)
                first = True
            if not first:
                retry = request.headers.get("x-slack-retry-num", ["0"])[0]
                log.info(
                    "event %s already taken (retry %s): acknowledged, not answered", event_id, retry
                )
                # 200 tells Slack the event arrived, so it stops redelivering.
                return BoltResponse(status=200, body="")
        next_()
        return None

    return skip_seen_events
