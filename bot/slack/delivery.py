"""Sending to Slack: messages, updates and files, checked against Slack's limits first.

Posting into a channel the bot is not a member of fails with ``not_in_channel``;
that becomes :class:`NotInChannel`, so each surface can tell the user how to invite
the bot (ephemerally, through response_url or a DM) instead of failing silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import limits
from bot.render.blocks import Message

log = logging.getLogger(__name__)

ResponseType = Literal["in_channel", "ephemeral"]
#: A response_url accepts five posts; keep one for a follow-up note.
RESPONSE_URL_POSTS_MAX = 4


class NotInChannel(Exception):
    """The bot was asked to post into a channel it has not been invited to."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"planbot is not in channel {channel}")
        self.channel = channel


class MessageLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def blocks(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str
    title: str


def plain(text: str) -> Message:
    """A text-only message (apologies, hints) in the renderer's Message type."""
    return Message(text=text, blocks=[])


def message_kwargs(message: MessageLike) -> dict[str, Any]:
    """text/blocks for chat.* or respond; blocks that break a limit fall back to text.

    The renderers already split and validate; this is the last line of defence, so
    an over-limit payload is never sent for Slack to reject.
    """
    text = message.text or " "
    blocks = list(message.blocks)
    problems = limits.validate_message(blocks, text) if blocks else []
    if problems:
        log.error("dropping blocks that break Slack's limits: %s", "; ".join(problems[:5]))
        blocks = []
    if limits.slack_len(text) > limits.MESSAGE_TEXT_MAX:
        text = limits.truncate(text, limits.MESSAGE_TEXT_MAX)
    return {"text": text, "blocks": blocks} if blocks else {"text": text}


@contextmanager
def _membership_needed(channel: str) -> Iterator[None]:
    try:
        yield
    except SlackApiError as exc:
        if exc.response.get("error") == "not_in_channel":
            raise NotInChannel(channel) from exc
        raise


def post_messages(
    client: WebClient,
    channel: str,
    messages: Sequence[MessageLike],
    *,
    thread_ts: str | None = None,
) -> list[str]:
    """Post in order (a long answer's parts); returns each message's ts."""
    stamps: list[str] = []
    for message in messages:
        with _membership_needed(channel):
            response = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                **message_kwargs(message),
            )
        stamps.append(str(response["ts"]))
    return stamps


def update_message(client: WebClient, channel: str, ts: str, message: MessageLike) -> None:
    with _membership_needed(channel):
        client.chat_update(channel=channel, ts=ts, **message_kwargs(message))


def upload_files(
    client: WebClient,
    channel: str,
    uploads: Sequence[Upload],
    *,
    thread_ts: str | None = None,
    comment: str | None = None,
) -> None:
    """One files_upload_v2 call (getUploadURLExternal → bytes → completeUploadExternal)."""
    file_uploads = [
        {"content": u.content, "filename": u.filename, "title": u.title} for u in uploads
    ]
    kwargs: dict[str, Any] = {"channel": channel, "file_uploads": file_uploads}
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    if comment:
        kwargs["initial_comment"] = comment
    with _membership_needed(channel):
        client.files_upload_v2(**kwargs)


def respond_messages(
    respond: Respond,
    messages: Sequence[MessageLike],
    *,
    response_type: ResponseType,
    replace_original: bool = False,
) -> None:
    """Send through response_url (no channel membership needed)."""
    for i, message in enumerate(messages[:RESPONSE_URL_POSTS_MAX]):
        respond(
            response_type=response_type,
            replace_original=replace_original and i == 0,
            **message_kwargs(message),
        )


def respond_text(respond: Respond, text: str, *, response_type: ResponseType = "ephemeral") -> None:
    respond(text=text, response_type=response_type, replace_original=False)


def post_dm(client: WebClient, user_id: str, messages: Sequence[MessageLike]) -> list[str]:
    """To the user's DM with the bot: Slack accepts the user id as the channel."""
    return post_messages(client, user_id, messages)


def post_text(client: WebClient, channel: str, text: str, *, thread_ts: str | None = None) -> None:
    post_messages(client, channel, [plain(text)], thread_ts=thread_ts)
