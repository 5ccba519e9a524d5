"""The language a person reads Slack in: their Slack locale, from ``users.info``
(``users:read``). Used where planbot speaks first (the Home tab), not answering a
question whose own words choose the language."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.models import Language

log = logging.getLogger(__name__)


def viewer_language(client: WebClient, user: str) -> Language:
    """Japanese for a ja-* locale or when it cannot be read; English for any other."""
    try:
        info = client.users_info(user=user, include_locale=True)
    except SlackApiError as exc:
        log.info("users.info failed for %s (%s); Home tab in Japanese", user, exc)
        return "ja"
    locale = str((info.get("user") or {}).get("locale") or "")
    return "en" if locale and not locale.lower().startswith("ja") else "ja"
