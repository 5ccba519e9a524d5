"""Views: the App Home tab.

The Home view is built here and published by events.app_home_opened; its buttons
are block actions (listeners.actions). planbot opens no modals, so there are no
view_submission or view_closed listeners to register yet.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import SlackServices


def register(app: App, services: SlackServices) -> None:
    """Nothing to listen for until planbot has a modal (see the module docstring)."""
