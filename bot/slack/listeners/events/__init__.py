"""Events API: mentions, direct messages, reports shared with planbot, the App Home tab."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot.slack import report_upload
from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.dedupe import answer_once
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.events import app_home_opened, app_mention, direct_message


def register(app: App, services: SlackServices) -> None:
    def once(listener: Callable[..., None]) -> Callable[..., None]:
        return answer_once(services.seen_events, bind(listener, services))

    # A report shared with planbot (in its DM, or with a mention): previewed, not asked.
    app.event("app_mention", matchers=[report_upload.has_files])(
        ack=ack_now, lazy=[once(report_upload.receive_report)]
    )
    app.event("app_mention")(ack=ack_now, lazy=[once(app_mention.answer_mention)])
    app.event("message", matchers=[report_upload.is_report_in_dm])(
        ack=ack_now, lazy=[once(report_upload.receive_report)]
    )
    app.event("message", matchers=[direct_message.is_question_in_dm])(
        ack=ack_now, lazy=[once(direct_message.answer_direct_message)]
    )
    # Every other message event (edits, deletions, bot posts): acknowledged so Slack
    # does not count it as failed and retry, then ignored.
    app.event("message")(ack_now)
    app.event("app_home_opened")(ack=ack_now, lazy=[once(app_home_opened.publish_home)])
