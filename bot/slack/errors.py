"""Failures: a short apology with a reference id for the user, the trace for the log.

A listener that raises must never stop the bot. Bolt's global error handler covers
the ack phase; lazy listeners, whose exceptions Bolt only logs in one line, wrap
their work in ``apologise_on_failure``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Respond

from bot.failures import apology, new_reference

log = logging.getLogger(__name__)


class NothingPosted(Exception):
    """Neither the reply nor the apology for a failure reached Slack."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"nothing could be posted (ref {ref})")
        self.ref = ref


@contextmanager
def apologise_on_failure(notify: Callable[[str], Any], *, what: str) -> Iterator[None]:
    """Run the block; on an exception log it with a reference id and tell the user.

    When even the apology cannot be posted, :class:`NothingPosted` is raised: the
    person got no reply at all, and an event's next delivery must answer it.
    """
    try:
        yield
    except Exception as failure:
        ref = new_reference()
        log.exception("%s failed (ref %s)", what, ref)
        try:
            notify(apology(ref))
        except Exception:
            log.exception("could not deliver the apology for ref %s", ref)
            raise NothingPosted(ref) from failure


def handle_listener_error(
    error: Exception, body: dict[str, Any], respond: Respond | None = None
) -> None:
    """Bolt's global error handler: errors raised while acknowledging a request."""
    ref = new_reference()
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    log.error("listener failed on a %s request (ref %s)", kind, ref, exc_info=error)
    if respond is not None and body.get("response_url"):
        try:
            respond(text=apology(ref), response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not deliver the apology for ref %s", ref)
