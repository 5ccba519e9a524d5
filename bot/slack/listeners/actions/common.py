"""What every button handler needs: the value, its language, a way to apologise."""

from __future__ import annotations

from typing import Any

from bot.models import Language
from bot.render.blocks import parse_action_value
from bot.slack.replies import notifier

__all__ = ["action_data", "action_language", "notifier"]


def action_data(action: dict[str, Any]) -> dict[str, Any]:
    return parse_action_value(str(action.get("value") or ""))


def action_language(action: dict[str, Any]) -> Language:
    """The language of the answer the button came from, which its value carries."""
    return "en" if action_data(action).get("lang") == "en" else "ja"
