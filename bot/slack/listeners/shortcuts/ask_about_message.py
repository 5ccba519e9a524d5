"""The message shortcut "planbotに聞く": planbot answers a message's text as a question,
only to whoever used the shortcut (through the shortcut's response_url, which works in
any channel, or else in their DM with planbot)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ask.language import question_language
from bot.slack.answering import Asker, admin_view, ask, reply_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import plain
from bot.slack.errors import apologise_on_failure
from bot.slack.replies import notifier, tell_privately
from bot.slack.wording import nothing_to_ask

#: The manifest's callback_id for the shortcut (slack-manifest.yml, features.shortcuts).
CALLBACK_ID = "ask_planbot"


def ask_about_message(
    services: SlackServices, body: dict[str, Any], client: WebClient, respond: Respond | None
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="the message shortcut"):
        message = body.get("message") or {}
        question = " ".join(str(message.get("text") or "").split())
        user = (body.get("user") or {}).get("id")
        if not question:
            lang = question_language(question)
            tell_privately(client, body, respond, [plain(nothing_to_ask(lang))])
            return
        channel = (body.get("channel") or {}).get("id")
        result = ask(services, question, Asker(user=user, channel=channel, surface="shortcut"))
        messages = reply_messages(result, admin=admin_view(services, user))
        tell_privately(client, body, respond, messages)
