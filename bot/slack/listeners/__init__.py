"""Bolt listeners, one package per kind of request (after bolt-python-starter-template)."""

from __future__ import annotations

from slack_bolt import App

from bot.round.slack import listeners as round_listeners
from bot.slack.context import SlackServices
from bot.slack.listeners import actions, commands, events, shortcuts, views


def register_listeners(app: App, services: SlackServices) -> None:
    events.register(app, services)
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    shortcuts.register(app, services)
    round_listeners.register(app, services)
