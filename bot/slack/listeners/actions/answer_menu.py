"""An answer's overflow menu: CSV, XLSX, and how the question was read (with the SQL
for admins)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Language
from bot.render.blocks import MENU_CSV, MENU_QUERY, MENU_XLSX, parse_action_value
from bot.slack.answering import ask_again
from bot.slack.context import SlackServices
from bot.slack.delivery import plain
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import notifier
from bot.slack.listeners.actions.export import export_answer
from bot.slack.listeners.actions.show_query import reply_reading
from bot.slack.replies import tell_privately
from bot.slack.wording import answer_forgotten


def menu_choice(action: dict[str, Any]) -> dict[str, Any]:
    """What was chosen: an overflow's selected option, or the button standing in for one."""
    selected = action.get("selected_option") or {}
    return parse_action_value(str(selected.get("value") or action.get("value") or ""))


def use_menu(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="using an answer's menu"):
        choice = menu_choice(action)
        ref = str(choice.get("r") or "")
        if not ref or services.conversations.recall_answer(ref) is None:
            lang: Language = "en" if choice.get("l") == "en" else "ja"
            tell_privately(client, body, respond, [plain(answer_forgotten(lang))])
            return
        question, result = ask_again(services, choice)
        what = choice.get("a")
        if what in (MENU_CSV, MENU_XLSX):
            export_answer(client, body, respond, question, result, str(what))
        elif what == MENU_QUERY:
            reply_reading(services, body, client, respond, result)
