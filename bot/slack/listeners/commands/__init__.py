"""Slash commands: /plan and its subcommands."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.commands import plan
from bot.slack.subcommands import COMMAND


def register(app: App, services: SlackServices) -> None:
    app.command(COMMAND)(ack=ack_now, lazy=[bind(plan.run_plan, services)])
