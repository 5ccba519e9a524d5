"""The one way planbot builds a Slack WebClient: SLACK_API_URL and retry handlers.

Used by the Slack app and by the digest (bot.digest), so both talk to the same base
URL (GovSlack, the test fake) and ride out 429s, 5xx and dropped connections.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler

from bot.config import Settings

#: chat.postMessage allows about one message per second per channel; three waits of
#: Retry-After cover a digest or a multi-message answer landing in a busy channel.
RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_S = 30


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
        ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]
    present = {type(h) for h in client.retry_handlers}
    client.retry_handlers.extend(h for h in wanted if type(h) not in present)
    return client
