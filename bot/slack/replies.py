"""Where a reply goes: in the question's thread, or next to the button that was clicked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeGuard

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Language
from bot.render.blocks import Message
from bot.slack.answering import Asker, admin_view, ask, reply_messages, result_language
from bot.slack.context import SlackServices
from bot.slack.delivery import (
    NotInChannel,
    plain,
    post_dm,
    post_messages,
    respond_messages,
)
from bot.slack.wording import invite_hint


def answer_in_thread(
    services: SlackServices,
    client: WebClient,
    *,
    question: str,
    channel: str,
    user: str | None,
    thread_ts: str,
    surface: str,
) -> None:
    """Mentions and DMs: the same answer as ``planbot ask``, in the question's thread."""
    result = ask(services, question, Asker(user=user, channel=channel, surface=surface))
    messages = reply_messages(result, admin=admin_view(services, user))
    try:
        post_messages(client, channel, messages, thread_ts=thread_ts)
    except NotInChannel:
        # Ephemeral messages need membership too; the bot's DM with the user does not.
        if user:
            post_dm(client, user, [plain(invite_hint(result_language(result, question)))])


def thread_of(body: dict[str, Any]) -> str | None:
    """The thread a reply to a clicked message belongs in (the message starts one)."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    return message.get("thread_ts") or container.get("message_ts") or message.get("ts")


def can_respond(respond: Respond | None) -> TypeGuard[Respond]:
    # Bolt passes a Respond even without a response_url; calling it then raises.
    return respond is not None and bool(respond.response_url)


def tell_privately(
    client: WebClient,
    body: dict[str, Any],
    respond: Respond | None,
    messages: Sequence[Message],
) -> None:
    """Only for whoever clicked: ephemeral through response_url, else (App Home
    buttons come without one) in their DM with the bot."""
    if can_respond(respond):
        respond_messages(respond, messages, response_type="ephemeral")
        return
    user = (body.get("user") or {}).get("id")
    if user:
        post_dm(client, str(user), messages)


def notifier(
    client: WebClient, body: dict[str, Any], respond: Respond | None
) -> Callable[[str], None]:
    """How a button's handler tells the user it failed."""

    def notify(text: str) -> None:
        tell_privately(client, body, respond, [plain(text)])

    return notify


def reply_to_action(
    client: WebClient,
    respond: Respond | None,
    body: dict[str, Any],
    messages: Sequence[Message],
    *,
    lang: Language,
) -> None:
    """Answer a button: in the App Home → the user's DM; on an ephemeral message → only
    to the user; otherwise in the clicked message's thread (or only to the user, with
    an invite hint, when the bot is not in that channel)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    if container.get("type") == "view" and user:
        post_dm(client, str(user), messages)
        return
    if container.get("is_ephemeral") or not channel:
        tell_privately(client, body, respond, messages)
        return
    try:
        post_messages(client, channel, messages, thread_ts=thread_of(body))
    except NotInChannel:
        tell_privately(client, body, respond, [*messages, plain(invite_hint(lang))])
