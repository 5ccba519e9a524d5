"""Who may do what, and where planbot answers."""

from __future__ import annotations

from bot.config import Settings


def is_admin(settings: Settings, user_id: str | None) -> bool:
    return user_id is not None and user_id in settings.admins


def is_direct_message(channel_id: str | None) -> bool:
    # Slack's DM conversation ids start with D.
    return bool(channel_id) and str(channel_id).startswith("D")


def channel_allowed(settings: Settings, channel_id: str | None) -> bool:
    """With an allow-list set, only those channels (and DMs, always) get answers."""
    if not settings.allowed_channels or is_direct_message(channel_id):
        return True
    return channel_id in settings.allowed_channels
