"""Thread-safe records of everything the fake Slack received.

The aiohttp server runs on its own event-loop thread while tests inspect the
records from the pytest thread, so every record lives behind one
``threading.Condition``: writers append and ``notify_all``; the ``wait_*``
helpers block on it instead of sleeping in a loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

_T = TypeVar("_T")

# Enough context to debug a failed wait without flooding the pytest report.
_LISTING_LIMIT = 50
_PARAMS_PREVIEW = 160


@dataclass(frozen=True)
class ApiCall:
    """One HTTP request the fake answered (a Web API call or a response_url POST).

    ``params`` merges the query string with the form or JSON body; form values stay
    strings (as on the wire) except fields Slack defines as JSON (``blocks``,
    ``attachments``, ``files``, ``view`` ...), which are decoded to Python objects.
    Header names are lower-cased. ``time`` is ``time.monotonic()`` at arrival, so
    differences between calls are meaningful but it is not a wall-clock timestamp.
    ``path`` is the request path with its query string.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    raw_body: bytes
    time: float
    status: int
    path: str = ""

    def describe(self) -> str:
        """A one-line summary used in assertion messages."""
        shown = {k: v for k, v in self.params.items() if k != "token"}
        preview = repr(shown)
        if len(preview) > _PARAMS_PREVIEW:
            preview = preview[: _PARAMS_PREVIEW - 3] + "..."
        return f"{self.method} -> {self.status} {preview}"


@dataclass
class UploadedFile:
    """State of one file going through the files_upload_v2 three-step flow."""

    file_id: str
    filename: str
    length: int | None
    alt_txt: str | None = None
    snippet_type: str | None = None
    # None until step 2 (the POST to upload_url) has arrived.
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))


class Recorder:
    """Append-only logs of API calls, response_url POSTs and Socket Mode acks."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: list[ApiCall] = []
        self._responses: list[ApiCall] = []
        self._acks: list[dict[str, Any]] = []

    # --- writers (event-loop thread) ---------------------------------------

    def add_call(self, call: ApiCall) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def add_response(self, call: ApiCall) -> None:
        with self._cond:
            self._responses.append(call)
            self._cond.notify_all()

    def add_ack(self, frame: dict[str, Any]) -> None:
        with self._cond:
            self._acks.append(frame)
            self._cond.notify_all()

    # --- readers (test thread) ----------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        with self._cond:
            return list(self._calls)

    @property
    def responses(self) -> list[ApiCall]:
        with self._cond:
            return list(self._responses)

    @property
    def acks(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._acks)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        def matching() -> list[ApiCall] | None:
            found = [c for c in self._calls if c.method == method]
            return found if len(found) >= count else None

        found = self._wait(matching, timeout)
        if found is None:
            raise AssertionError(
                f"expected >= {count} call(s) to {method} within {timeout}s, "
                f"got {len(self.calls_to(method))}.\n{self._listing(self.calls, 'API calls')}"
            )
        return found

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        def enough() -> list[ApiCall] | None:
            return list(self._responses) if len(self._responses) >= count else None

        found = self._wait(enough, timeout)
        if found is None:
            raise AssertionError(
                f"expected >= {count} response_url POST(s) within {timeout}s.\n"
                f"{self._listing(self.responses, 'response_url POSTs')}"
            )
        return found

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        def ack() -> dict[str, Any] | None:
            return next((a for a in self._acks if a.get("envelope_id") == envelope_id), None)

        found = self._wait(ack, timeout)
        if found is None:
            seen = [a.get("envelope_id") for a in self.acks]
            raise AssertionError(
                f"no ack for envelope {envelope_id} within {timeout}s; acks received: {seen}"
            )
        return found

    def _wait(self, probe: Callable[[], _T | None], timeout: float) -> _T | None:
        """Block until ``probe`` (run under the lock) returns non-None, or time out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = probe()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    @staticmethod
    def _listing(calls: list[ApiCall], label: str) -> str:
        if not calls:
            return f"No {label} arrived."
        lines = [f"  {c.describe()}" for c in calls[-_LISTING_LIMIT:]]
        skipped = len(calls) - len(lines)
        head = f"{label} received ({len(calls)}{f', last {len(lines)} shown' if skipped else ''}):"
        return "\n".join([head, *lines])
