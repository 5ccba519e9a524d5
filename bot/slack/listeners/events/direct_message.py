"""A question in the bot's DM: answered in its thread, like a mention."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.slack.context import SlackServices
from bot.slack.delivery import post_text
from bot.slack.errors import apologise_on_failure
from bot.slack.replies import answer_in_thread


def is_question_in_dm(event: dict[str, Any]) -> bool:
    """A person's new message in a DM: no subtype (edits, joins, files …), no bot."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(str(event.get("text") or "").strip())
    )


def answer_direct_message(
    services: SlackServices, event: dict[str, Any], client: WebClient
) -> None:
    channel = str(event["channel"])
    thread_ts = str(event.get("thread_ts") or event["ts"])

    def notify(text: str) -> None:
        post_text(client, channel, text, thread_ts=thread_ts)

    # DMs are always allowed: the allow-list is about channels others read.
    with apologise_on_failure(notify, what="answering a direct message"):
        answer_in_thread(
            services,
            client,
            question=str(event.get("text") or "").strip(),
            channel=channel,
            user=event.get("user"),
            thread_ts=thread_ts,
            surface="dm",
        )
