"""Shortcuts: "planbotに聞く" on any message."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.shortcuts import ask_about_message


def register(app: App, services: SlackServices) -> None:
    app.shortcut(ask_about_message.CALLBACK_ID)(
        ack=ack_now, lazy=[bind(ask_about_message.ask_about_message, services)]
    )
