"""Block actions: the buttons of answers, help and the App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.render import blocks
from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.actions import example_question, export, item_detail, pages, show_query

ACTION_IDS: tuple[str, ...] = (
    blocks.ACTION_PAGE_PREV,
    blocks.ACTION_PAGE_NEXT,
    blocks.ACTION_ITEM_DETAIL,
    blocks.ACTION_EXPORT_CSV,
    blocks.ACTION_EXPORT_XLSX,
    blocks.ACTION_SHOW_QUERY,
    blocks.ACTION_EXAMPLE,
)


def register(app: App, services: SlackServices) -> None:
    for action_id in (blocks.ACTION_PAGE_PREV, blocks.ACTION_PAGE_NEXT):
        app.action(action_id)(ack=ack_now, lazy=[bind(pages.turn_page, services)])
    app.action(blocks.ACTION_ITEM_DETAIL)(ack=ack_now, lazy=[bind(item_detail.show_item, services)])
    app.action(blocks.ACTION_EXPORT_CSV)(ack=ack_now, lazy=[bind(export.export_csv, services)])
    app.action(blocks.ACTION_EXPORT_XLSX)(ack=ack_now, lazy=[bind(export.export_xlsx, services)])
    app.action(blocks.ACTION_SHOW_QUERY)(
        ack=ack_now, lazy=[bind(show_query.show_queries, services)]
    )
    app.action(blocks.ACTION_EXAMPLE)(
        ack=ack_now, lazy=[bind(example_question.ask_example, services)]
    )
