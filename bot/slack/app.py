"""``create_app``: the Bolt app with planbot's listeners, dedupe and error handling."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings
from bot.services import Services
from bot.slack.client import install_retry_handlers, make_web_client
from bot.slack.context import SlackServices
from bot.slack.errors import handle_listener_error
from bot.slack.listeners import register_listeners


class _NoTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then
    warns that the token "will be unused": noise for an admin reading the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_BOLT_LOGGER = logging.getLogger("slack_bolt.App")
if not any(isinstance(f, _NoTokenNotice) for f in _BOLT_LOGGER.filters):
    _BOLT_LOGGER.addFilter(_NoTokenNotice())


def create_app(settings: Settings, services: Services, *, client: WebClient | None = None) -> App:
    """The app for both Socket Mode and HTTP mode.

    Construction calls auth.test on ``settings.slack_api_url`` (Bolt checks the
    token once, early). Signature verification stays on: Bolt skips it for Socket
    Mode envelopes, which arrive over an authenticated WebSocket instead.
    """
    web_client = install_retry_handlers(client) if client else make_web_client(settings)
    secret = settings.slack_signing_secret
    app = App(
        name="planbot",
        client=web_client,
        # Passed explicitly, even empty, so Bolt never falls back to reading os.environ.
        signing_secret=secret.get_secret_value() if secret else "",
        # Ack first; lazy listeners do the work on Bolt's thread pool.
        process_before_response=False,
        request_verification_enabled=True,
    )
    slack = SlackServices.build(services)
    app.error(handle_listener_error)
    register_listeners(app, slack)
    return app
