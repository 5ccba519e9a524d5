"""Events API: mentions, direct messages, the App Home tab."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.events import app_home_opened, app_mention, direct_message


def register(app: App, services: SlackServices) -> None:
    app.event("app_mention")(ack=ack_now, lazy=[bind(app_mention.answer_mention, services)])
    app.event("message", matchers=[direct_message.is_question_in_dm])(
        ack=ack_now, lazy=[bind(direct_message.answer_direct_message, services)]
    )
    # Every other message event (edits, deletions, bot posts): acknowledged so Slack
    # does not count it as failed and retry, then ignored.
    app.event("message")(ack_now)
    app.event("app_home_opened")(ack=ack_now, lazy=[bind(app_home_opened.publish_home, services)])
