"""CSV / XLSX: the answer's rows as a file (files_upload_v2) in the answer's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Answer
from bot.render.export import export_filename, to_csv, to_xlsx
from bot.slack.answering import Result, ask_again, reply_messages, result_language
from bot.slack.context import SlackServices
from bot.slack.delivery import NotInChannel, Upload, plain, upload_files
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import action_data, notifier
from bot.slack.replies import tell_privately, thread_of
from bot.slack.wording import export_comment, invite_hint, nothing_to_export

Encoder = Callable[[Answer], bytes]
#: The file formats an answer exports to.
ENCODERS: dict[str, Encoder] = {"csv": to_csv, "xlsx": to_xlsx}


def export_csv(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    _export(services, body, action, client, respond, "csv")


def export_xlsx(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    _export(services, body, action, client, respond, "xlsx")


def _export(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    ext: str,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what=f"exporting {ext}"):
        question, result = ask_again(services, action_data(action))
        export_answer(client, body, respond, question, result, ext)


def export_answer(
    client: WebClient,
    body: dict[str, Any],
    respond: Respond | None,
    question: str,
    result: Result,
    ext: str,
) -> None:
    """The answer's rows as a file, in the thread of the message clicked."""
    lang = result_language(result, question)
    if not isinstance(result, Answer):
        tell_privately(client, body, respond, reply_messages(result))
        return
    if not result.items:
        tell_privately(client, body, respond, [plain(nothing_to_export(lang))])
        return
    title = f"{result.reading} ({ext.upper()})"
    upload = Upload(ENCODERS[ext](result), export_filename(result, ext), title)
    comment = export_comment(lang, question)
    channel, thread_ts = _destination(client, body, comment)
    if thread_ts is None:
        comment = ""  # already said in the DM that opened the conversation
    try:
        upload_files(client, channel, [upload], thread_ts=thread_ts, comment=comment or None)
    except NotInChannel:
        tell_privately(client, body, respond, [plain(invite_hint(lang))])


def _destination(client: WebClient, body: dict[str, Any], comment: str) -> tuple[str, str | None]:
    """The clicked message's thread; for an ephemeral or Home message, the user's DM."""
    container = body.get("container") or {}
    channel = container.get("channel_id")
    if channel and not container.get("is_ephemeral") and container.get("type") != "view":
        return str(channel), thread_of(body)
    # files_upload_v2 needs a conversation id. Posting to the user id opens the DM and
    # returns it with chat:write alone (conversations.open would need im:write too).
    user = str((body.get("user") or {}).get("id"))
    opened = client.chat_postMessage(channel=user, text=comment)
    return str(opened["channel"]), None
