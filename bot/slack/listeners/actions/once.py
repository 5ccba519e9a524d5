"""A button pressed twice acts once: the same button (or menu entry) of the same
message, pressed again within ``PLANBOT_BUTTON_REPEAT`` seconds, is acknowledged and
left alone, so a double tap posts one detail, one file, one page turn.

Presses are remembered in the state database beside Slack's event ids, so this holds
across the workers of a deployment. A press belongs to a window of that many seconds
and is dropped when its window or the one before holds the same press.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from bot.render.blocks import ACTION_SHOW_QUERY, MENU_QUERY, parse_action_value
from bot.slack.context import SlackServices


def press_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """The same button of the same message: the container, the action and its value
    (and the user, where each user sees their own: ephemeral messages, the Home tab,
    the reading of an answer)."""
    container = body.get("container") or {}
    selected = (action.get("selected_option") or {}).get("value")
    own = (
        container.get("is_ephemeral")
        or container.get("type") == "view"
        # The reading (and the SQL) is told to each user who asks, privately.
        or action.get("action_id") == ACTION_SHOW_QUERY
        or parse_action_value(str(selected or action.get("value") or "")).get("a") == MENU_QUERY
    )
    parts = [
        container.get("channel_id"),
        container.get("message_ts") or container.get("view_id"),
        action.get("action_id"),
        selected if selected is not None else action.get("value"),
        (body.get("user") or {}).get("id") if own else None,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


def first_press(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any], *, now: float
) -> bool:
    window = services.settings.button_repeat_s
    if window <= 0:
        return True
    key = press_key(body, action)
    slot = int(now // window)
    seen = services.seen_events
    if seen.is_answered(f"press:{key}:{slot - 1}"):
        return False
    if not seen.claim(f"press:{key}:{slot}", now=now):
        return False
    seen.mark_answered(f"press:{key}:{slot}", now=now)
    return True


def pressed_once(handler: Callable[..., None]) -> Callable[..., None]:
    """``handler`` run only for the first of repeated presses."""

    @functools.wraps(handler)
    def once(services: SlackServices, **kwargs: Any) -> None:
        if first_press(services, kwargs["body"], kwargs["action"], now=time.time()):
            handler(services, **kwargs)

    return once
