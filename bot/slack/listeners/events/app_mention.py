"""@planbot <question> in a channel: answered in the thread of the question."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.ask.language import question_language
from bot.slack.access import channel_allowed
from bot.slack.context import SlackServices
from bot.slack.delivery import post_text
from bot.slack.errors import apologise_on_failure
from bot.slack.replies import answer_in_thread
from bot.slack.wording import channel_not_allowed

_ANY_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's mention (someone else's mention stays)."""

    def drop(match: re.Match[str]) -> str:
        return " " if bot_user_id is None or match.group(1) == bot_user_id else match.group(0)

    return " ".join(_ANY_MENTION.sub(drop, text).split())


def answer_mention(
    services: SlackServices, event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    channel = str(event["channel"])
    thread_ts = str(event.get("thread_ts") or event["ts"])
    user = event.get("user")
    question = strip_mention(str(event.get("text") or ""), context.bot_user_id)

    def notify(text: str) -> None:
        post_text(client, channel, text, thread_ts=thread_ts)

    with apologise_on_failure(notify, what="answering a mention"):
        if not channel_allowed(services.settings, channel):
            if user:
                refusal = channel_not_allowed(question_language(question))
                client.chat_postEphemeral(channel=channel, user=user, text=refusal)
            return
        answer_in_thread(
            services,
            client,
            question=question,
            channel=channel,
            user=user,
            thread_ts=thread_ts,
            surface="mention",
        )
