"""Where a reply goes: in the question's thread, or next to the button that was clicked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeGuard

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ask.followup import continue_reading
from bot.ask.language import question_language
from bot.models import Answer, Intent, Language
from bot.render.blocks import Message, answer_ref
from bot.slack.answering import (
    Asker,
    Result,
    admin_view,
    ask,
    reply_messages,
    result_language,
)
from bot.slack.context import SlackServices
from bot.slack.delivery import (
    NotInChannel,
    plain,
    post_dm,
    post_messages,
    respond_messages,
)
from bot.slack.wording import invite_hint
from bot.slack.working import WorkingNotice


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
    """Mentions and DMs: the same answer as ``planbot ask``, in the question's thread.

    A question in the thread of an earlier answer continues it (``continue_reading``):
    the answer says what it carried over. A slow answer is preceded by "集計中…".
    """
    asker = Asker(user=user, channel=channel, surface=surface)
    lang = question_language(question)
    after = services.settings.working_notice_s
    with WorkingNotice(client, channel, thread_ts=thread_ts, lang=lang, after_s=after) as notice:
        result, note = _answer_continuing(services, question, asker, channel, thread_ts)
    messages = reply_messages(result, admin=admin_view(services, user), note=note)
    if isinstance(result, Answer) and result.ok and result.intent != Intent.HELP:
        # Before posting: a person who reads the answer and asks on at once must find
        # the thread's question already there.
        services.conversations.remember_thread(channel, thread_ts, answer_ref(result))
    try:
        notice.deliver(messages)
    except NotInChannel:
        # Ephemeral messages need membership too; the bot's DM with the user does not.
        if user:
            post_dm(client, user, [plain(invite_hint(result_language(result, question)))])


def _answer_continuing(
    services: SlackServices, question: str, asker: Asker, channel: str, thread_ts: str
) -> tuple[Result, str | None]:
    """The answer, continuing the thread's earlier question where there is one."""
    earlier = services.conversations.thread_question(channel, thread_ts)
    if earlier is not None:
        answerer = services.answerer
        previous = earlier.spec or answerer.parse(earlier.question)
        continued = continue_reading(previous, answerer.read(question))
        if continued is not None:
            result = ask(services, question, asker, spec=continued.spec)
            return result, continued.note()
    return ask(services, question, asker), None


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
