"""``/plan digest``: a preview of the weekly digest, shown only to the caller.

Until bot.digest's composer exists the preview is the whole-plan summary answer;
swapping it in means changing ``compose`` below and nothing else.
"""

from __future__ import annotations

from bot.models import Language
from bot.render import limits
from bot.render.blocks import Message
from bot.slack.answering import ask, reply_messages
from bot.slack.context import SlackServices

WHOLE_PLAN_QUESTION: dict[Language, str] = {"ja": "まとめ", "en": "summary"}


def compose(services: SlackServices, language: Language) -> list[Message]:
    """The digest's messages. Later: ``bot.digest``'s composer for the default channel."""
    return reply_messages(ask(services, WHOLE_PLAN_QUESTION[language], log_it=False))


def digest_preview(services: SlackServices, language: Language) -> list[Message]:
    messages = compose(services, language)
    note = (
        "ダイジェストのプレビューです（あなたにだけ表示されています）。"
        if language == "ja"
        else "Digest preview (only you can see this)."
    )
    first = messages[0] if messages else Message(text=note, blocks=[])
    banner = {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
    blocks = [banner, *first.blocks]
    if first.blocks and limits.validate_message(blocks, first.text):
        # No room for the banner in a full message: send it on its own.
        return [Message(text=note, blocks=[banner]), *messages]
    return [Message(text=f"{note} {first.text}", blocks=blocks), *messages[1:]]
