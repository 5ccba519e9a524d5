"""Block actions: the buttons of answers, help and the App Home."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot.render import blocks, upload_preview
from bot.slack import report_upload
from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.actions import (
    answer_menu,
    example_question,
    export,
    item_detail,
    pages,
    show_query,
)
from bot.slack.listeners.actions.once import pressed_once

#: Every button and menu the renderer draws, and what answers it (export_csv,
#: export_xlsx and show_query: buttons of answers posted before the menu replaced them).
HANDLERS: dict[str, Callable[..., None]] = {
    blocks.ACTION_PAGE_PREV: pages.turn_page,
    blocks.ACTION_PAGE_NEXT: pages.turn_page,
    blocks.ACTION_ITEM_DETAIL: item_detail.show_item,
    blocks.ACTION_EXPORT_CSV: export.export_csv,
    blocks.ACTION_EXPORT_XLSX: export.export_xlsx,
    blocks.ACTION_SHOW_QUERY: show_query.show_queries,
    blocks.ACTION_EXAMPLE: example_question.ask_example,
    blocks.ACTION_ANSWER_MENU: answer_menu.use_menu,
    upload_preview.ACTION_UPLOAD_CONFIRM: report_upload.confirm_upload,
    upload_preview.ACTION_UPLOAD_CANCEL: report_upload.cancel_upload,
    upload_preview.ACTION_ROLLBACK_CONFIRM: report_upload.rollback_confirm,
}


#: The buttons of answers: pressed twice, they act once (one detail, one file, one page).
PRESSED_ONCE: frozenset[str] = frozenset(
    {
        blocks.ACTION_PAGE_PREV,
        blocks.ACTION_PAGE_NEXT,
        blocks.ACTION_ITEM_DETAIL,
        blocks.ACTION_EXPORT_CSV,
        blocks.ACTION_EXPORT_XLSX,
        blocks.ACTION_SHOW_QUERY,
        blocks.ACTION_ANSWER_MENU,
    }
)


def register(app: App, services: SlackServices) -> None:
    for action_id, handler in HANDLERS.items():
        listener = pressed_once(handler) if action_id in PRESSED_ONCE else handler
        app.action(action_id)(ack=ack_now, lazy=[bind(listener, services)])
