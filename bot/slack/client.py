"""The one way planbot builds a Slack WebClient: SLACK_API_URL and retry handlers.

Used by the Slack app and by the digest (bot.digest), so both talk to the same base
URL (GovSlack, the test fake) and ride out 429s, 5xx and dropped connections.

slack_sdk's built-in handlers share one attempt counter per request: two 429s use up
the server-error handler's two retries, so a 500 after them failed the post. Each
kind here counts its own retries: 429s are waited out as Slack asks (Retry-After)
however many 5xx came before, and 5xx back off on their own count.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings

#: chat.postMessage allows about one message per second per channel; five waits of
#: Retry-After cover a digest or a multi-message answer landing in a busy channel.
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_S = 30


def _retries_of(state: RetryState, kind: str) -> int:
    return int((state.custom_values or {}).get(kind, 0))


def _count_retry(state: RetryState, kind: str) -> int:
    if state.custom_values is None:
        state.custom_values = {}
    state.custom_values[kind] = _retries_of(state, kind) + 1
    return int(state.custom_values[kind])


class OwnCountRetries(RetryHandler):
    """A handler whose ``max_retry_count`` counts only the retries it made itself."""

    kind = "retries"

    def can_retry(
        self, *, state: RetryState, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if _retries_of(state, self.kind) >= self.max_retry_count:
            return False
        return self._can_retry(state=state, request=request, response=response, error=error)

    def prepare_for_next_attempt(
        self, *, state: RetryState, request: Any, response: Any = None, error: Any = None
    ) -> None:
        # The backoff grows with this kind's retries, not with 429s waited out before.
        shared = state.current_attempt
        state.current_attempt = _retries_of(state, self.kind)
        try:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
        finally:
            state.current_attempt = shared + 1
            _count_retry(state, self.kind)


class RateLimitRetries(OwnCountRetries, RateLimitErrorRetryHandler):
    kind = "rate_limited"


class ServerErrorRetries(OwnCountRetries, ServerErrorRetryHandler):
    kind = "server_error"


class ConnectionRetries(OwnCountRetries, ConnectionErrorRetryHandler):
    kind = "connection"


def make_web_client(settings: Settings) -> WebClient:
    """A WebClient that waits out 429s (Retry-After) and retries 5xx and dropped connections."""
    secret = settings.slack_bot_token
    client = WebClient(
        token=secret.get_secret_value() if secret else None,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT_S,
    )
    return install_retry_handlers(client)


def install_retry_handlers(client: WebClient) -> WebClient:
    """Add the retry handlers planbot relies on, unless the client has one of that kind."""
    wanted: list[RetryHandler] = [
        ConnectionRetries(max_retry_count=CONNECTION_RETRIES),
        RateLimitRetries(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetries(max_retry_count=SERVER_ERROR_RETRIES),
    ]
    # slack_sdk's own handlers share one counter; ours replace them, kind for kind.
    builtin = (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler)
    kept = [h for h in client.retry_handlers if not isinstance(h, builtin)]
    client.retry_handlers[:] = [*kept, *wanted]
    return client
