"""What every button handler needs: the value, its language, a way to apologise."""

from __future__ import annotations

from typing import Any

from bot.models import Language
from bot.render.blocks import parse_action_value
from bot.slack.replies import notifier

__all__ = ["action_data", "action_language", "notifier"]

#: Button labels in English (the renderer labels buttons in the answer's language).
_ENGLISH_LABELS = frozenset({"Details", "Next ▶", "◀ Previous", "Show query", "Ask"})


def action_data(action: dict[str, Any]) -> dict[str, Any]:
    return parse_action_value(str(action.get("value") or ""))


def action_language(action: dict[str, Any]) -> Language:
    label = (action.get("text") or {}).get("text")
    return "en" if label in _ENGLISH_LABELS else "ja"
