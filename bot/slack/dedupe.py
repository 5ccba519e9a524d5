"""Answer each Slack event exactly once, whatever Slack redelivers or however a worker dies.

Wraps the lazy listener that answers an event (Bolt runs it after the request was
verified and acknowledged, so a forged request never claims an id). The listener
runs only for the delivery that claims the ``event_id`` (:class:`SeenEvents`); the
event counts as answered once the listener returned, that is once its reply or an
apology was posted. If nothing could be posted the claim is released, and if the
worker dies first its claim is taken over: either way Slack's next delivery
(``X-Slack-Retry-Num`` over HTTP, ``retry_attempt`` in Socket Mode) answers it.
A delivery of an event already answered, or still being answered by a live
worker, is acknowledged and not answered again.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bot.state import SeenEvents

log = logging.getLogger(__name__)

Listener = Callable[..., None]


def event_id_of(body: dict[str, Any]) -> str | None:
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and event_id else None


def _claim(seen: SeenEvents, event_id: str) -> bool:
    try:
        return seen.claim(event_id)
    except sa.exc.SQLAlchemyError:
        # Better to risk answering twice than to stop answering.
        log.exception("could not claim event %s in the state database; answering", event_id)
        return True


def answer_once(seen: SeenEvents, listener: Listener) -> Listener:
    """``listener`` run at most once per event id at a time, and until one run succeeds."""
    signature = inspect.signature(listener)
    wants_body = "body" in signature.parameters
    params = list(signature.parameters.values())
    if not wants_body:
        params.append(inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD))

    def once(body: dict[str, Any], **kwargs: Any) -> None:
        if wants_body:
            kwargs["body"] = body
        event_id = event_id_of(body)
        if event_id is None:
            listener(**kwargs)
            return
        if not _claim(seen, event_id):
            log.info("event %s already answered or being answered: not answered again", event_id)
            return
        try:
            listener(**kwargs)
        except Exception:
            log.exception("event %s: no reply could be posted; a redelivery will answer", event_id)
            _settle(seen.release, event_id)
            return
        _settle(seen.mark_answered, event_id)

    once.__name__ = listener.__name__  # Bolt finds a lazy listener again by its name
    once.__qualname__ = listener.__qualname__
    once.__doc__ = listener.__doc__
    once.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return once


def _settle(step: Callable[[str], bool], event_id: str) -> None:
    try:
        if not step(event_id):
            log.warning("event %s: its claim was taken over meanwhile", event_id)
    except sa.exc.SQLAlchemyError:
        # The lease runs out on its own; at worst a redelivery answers again.
        log.exception("could not record the outcome of event %s", event_id)
