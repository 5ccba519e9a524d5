"""``/plan digest``: a preview of the weekly digest, shown only to the caller.

It is the digest the clock would post now for DIGEST_CHANNEL's subscription (whole plan,
with "what changed" measured from its last delivery), in the caller's language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest.delivery import DEFAULT_SUBSCRIPTION_ID, DigestRunner
from bot.digest.ledger import Subscription
from bot.digest.render import digest_messages
from bot.digest.schedule import Schedule
from bot.models import Language
from bot.render import limits
from bot.render.blocks import Message
from bot.slack.context import SlackServices


def compose(services: SlackServices, language: Language) -> list[Message]:
    runner = DigestRunner(services.settings, services.store, None)
    sub = runner.ledger.get(DEFAULT_SUBSCRIPTION_ID) or Subscription(
        id="preview", channel="preview", schedule=Schedule()
    )
    now = datetime.now(ZoneInfo(services.settings.timezone))
    return digest_messages(runner.compose(sub.model_copy(update={"language": language}), now))


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
