"""Builders for the payloads Slack delivers to an app.

The same shapes travel over HTTP (signed POSTs to the app's endpoints) and over
Socket Mode (inside envelopes), so both the signing helpers and the fake server
build them here. Only the fields Bolt and our handlers read are filled in, with
realistic formats; pass a modified copy for anything more exotic.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

DEFAULT_TEAM_ID = "T0TEST"
DEFAULT_TEAM_DOMAIN = "fake-team"
DEFAULT_APP_ID = "A0TEST"
DEFAULT_BOT_USER_ID = "U0BOT"
# Slack still sends the legacy verification token in payloads; Bolt ignores it
# when signatures are checked, but keeping the field makes the shapes faithful.
VERIFICATION_TOKEN = "fake-verification-token"

_trigger_counter = itertools.count(1)


def new_event_id() -> str:
    """An id shaped like Slack's ``Ev0123ABCD``."""
    return f"Ev{uuid.uuid4().hex[:10].upper()}"


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's ``<seconds>.<number>.<hex>``."""
    return f"{int(time.time())}.{next(_trigger_counter)}.{uuid.uuid4().hex}"


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    event_time: int | None = None,
) -> dict[str, Any]:
    """Wrap an inner event (``{"type": "app_mention", ...}``) as an Events API callback."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        # Bolt derives the bot's identity for the request context from here.
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def slash_command_form(
    command: str,
    text: str,
    *,
    response_url: str,
    user_id: str = "U123",
    channel_id: str = "C123",
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command invocation (all values are strings, as on the wire)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": DEFAULT_TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": f"channel-{channel_id.lower()}",
        "user_id": user_id,
        "user_name": f"user-{user_id.lower()}",
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def block_actions_payload(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    block_id: str = "actions",
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` interactivity payload for a button click on a message."""
    return {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": f"user-{user_id.lower()}",
            "name": f"user-{user_id.lower()}",
            "team_id": team_id,
        },
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": f"channel-{channel_id.lower()}"},
        "message": {"type": "message", "ts": message_ts, "text": ""},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_payload(
    kind: str,
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
) -> dict[str, Any]:
    """A ``view_submission`` or ``view_closed`` payload for a modal the app opened.

    ``view`` is the view as views.open answered it; ``values`` is what the person typed,
    in Slack's ``state.values`` shape (block_id → action_id → element value).
    """
    return {
        "type": kind,
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "user": {"id": user_id, "username": f"user-{user_id.lower()}", "team_id": team_id},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {**view, "state": {"values": values}},
        "is_enterprise_install": False,
        "enterprise": None,
        **({"response_urls": []} if kind == "view_submission" else {"is_cleared": False}),
    }
