"""An example question's button: answer it (from the App Home, in the user's DM)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.answering import Asker, ask, reply_messages, result_language
from bot.slack.context import SlackServices
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import notifier
from bot.slack.replies import reply_to_action


def ask_example(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="answering an example"):
        # The value is the question itself, not JSON.
        question = str(action.get("value") or "")
        container = body.get("container") or {}
        surface = "home" if container.get("type") == "view" else "button"
        asker = Asker(
            user=(body.get("user") or {}).get("id"),
            channel=container.get("channel_id"),
            surface=surface,
        )
        result = ask(services, question, asker)
        lang = result_language(result, question)
        reply_to_action(client, respond, body, reply_messages(result), lang=lang)
