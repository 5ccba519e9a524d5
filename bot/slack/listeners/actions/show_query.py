"""Show query: the named queries behind an answer and their bound parameters."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Answer
from bot.render.blocks import query_message
from bot.slack.answering import ask, reply_messages, result_language
from bot.slack.context import SlackServices
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import action_data, notifier
from bot.slack.replies import reply_to_action


def show_queries(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="showing the queries"):
        question = str(action_data(action).get("question") or "")
        result = ask(services, question, log_it=False)
        messages = [query_message(result)] if isinstance(result, Answer) else reply_messages(result)
        reply_to_action(client, respond, body, messages, lang=result_language(result, question))
