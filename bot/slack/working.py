"""Showing that planbot is working: an answer not ready within a moment is preceded by a
short "集計中…" message, which the answer then replaces in place (chat.update)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType

from slack_sdk import WebClient

from bot.models import Language
from bot.render.blocks import Message
from bot.render.text import pick
from bot.slack.delivery import plain, post_messages, update_message


def working_text(lang: Language) -> str:
    return pick(lang, "集計中…", "Working on it…")


class WorkingNotice:
    """``with WorkingNotice(...) as notice: answer = …`` then ``notice.deliver(messages)``.

    The notice is posted from a timer only if the answer takes longer than ``after_s``;
    a lock keeps the timer and ``deliver`` from both posting first.
    """

    def __init__(
        self,
        client: WebClient,
        channel: str,
        *,
        thread_ts: str | None,
        lang: Language,
        after_s: float,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.lang = lang
        self.after_s = after_s
        self._lock = threading.Lock()
        self._ts: str | None = None
        self._done = False
        self._timer: threading.Timer | None = None

    def __enter__(self) -> WorkingNotice:
        if self.after_s <= 0:
            self._post_notice()
        else:
            self._timer = threading.Timer(self.after_s, self._post_notice)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True

    def _post_notice(self) -> None:
        with self._lock:
            if self._done or self._ts is not None:
                return
            try:
                (self._ts,) = post_messages(
                    self.client,
                    self.channel,
                    [plain(working_text(self.lang))],
                    thread_ts=self.thread_ts,
                )
            except Exception:
                # Only a courtesy: the answer still comes (or its own error is reported).
                self._ts = None

    def deliver(self, messages: Sequence[Message]) -> list[str]:
        """The answer in place of the notice (if one was posted), the rest after it."""
        with self._lock:
            self._done = True
            notice = self._ts
        if notice is None or not messages:
            return post_messages(self.client, self.channel, messages, thread_ts=self.thread_ts)
        first, *rest = messages
        update_message(self.client, self.channel, notice, first)
        return [notice, *post_messages(self.client, self.channel, rest, thread_ts=self.thread_ts)]
