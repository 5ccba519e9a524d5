"""The reading of an answer in words, and for admins the named queries behind it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Answer
from bot.render.blocks import query_message, reading_message
from bot.slack.answering import Result, admin_view, ask_again, reply_messages
from bot.slack.context import SlackServices
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import action_data, notifier
from bot.slack.replies import tell_privately


def show_queries(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="showing the queries"):
        _, result = ask_again(services, action_data(action))
        reply_reading(services, body, client, respond, result)


def reply_reading(
    services: SlackServices,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    result: Result,
) -> None:
    """Only to whoever asked: the conditions and, for an admin, the SQL."""
    if not isinstance(result, Answer):
        tell_privately(client, body, respond, reply_messages(result))
        return
    admin = admin_view(services, (body.get("user") or {}).get("id"))
    message = query_message(result) if admin else reading_message(result)
    tell_privately(client, body, respond, [message])
