"""◀ Previous / Next ▶: re-run the question in the button and show the other page."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answering import admin_view, ask_again, reply_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import (
    NotInChannel,
    post_messages,
    respond_messages,
    update_message,
)
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import action_data, notifier
from bot.slack.replies import can_respond, thread_of

log = logging.getLogger(__name__)


def turn_page(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="turning a page"):
        data = action_data(action)
        page = int(data.get("page") or 0)
        page_size = int(data.get("page_size") or 10)
        _, result = ask_again(services, data)
        admin = admin_view(services, (body.get("user") or {}).get("id"))
        messages = reply_messages(result, page=page, page_size=page_size, admin=admin)
        first, rest = messages[0], messages[1:]
        container = body.get("container") or {}
        channel = container.get("channel_id")
        ts = container.get("message_ts")
        if can_respond(respond) and (container.get("is_ephemeral") or not channel or not ts):
            # Only response_url can change an ephemeral message.
            respond_messages(respond, messages, response_type="ephemeral", replace_original=True)
            return
        if not channel or not ts:
            return
        try:
            update_message(client, channel, ts, first)
        except (SlackApiError, NotInChannel) as exc:
            if not can_respond(respond):
                raise
            # A /plan answer came through response_url and may not be the bot's to update.
            log.info("chat.update failed (%s); replacing through response_url", exc)
            respond_messages(respond, messages, response_type="in_channel", replace_original=True)
            return
        if rest:
            post_messages(client, channel, rest, thread_ts=thread_of(body))
