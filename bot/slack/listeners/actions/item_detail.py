"""Details: one item in full, posted in the thread of the answer it was listed in (or,
from the Home tab, shown in a modal)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.models import Intent, QuerySpec
from bot.render.blocks import item_detail_message, item_detail_modal
from bot.slack.context import SlackServices
from bot.slack.errors import apologise_on_failure
from bot.slack.listeners.actions.common import action_data, action_language, notifier
from bot.slack.replies import reply_to_action


def show_item(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    with apologise_on_failure(notifier(client, body, respond), what="showing an item"):
        data = action_data(action)
        lang = action_language(action)
        item_no = int(data["item_no"])
        fiscal_year = int(data["fy"]) if data.get("fy") is not None else None
        question = f"事業{item_no}の詳細" if lang == "ja" else f"details of item {item_no}"
        municipality = str(data["m"]) if data.get("m") else None
        # The button names the year, the municipality and the item exactly: no need to
        # parse text again.
        spec = QuerySpec(
            intent=Intent.DETAIL,
            language=lang,
            item_numbers=(item_no,),
            fiscal_year=fiscal_year,
            municipality=municipality,
        )
        answer = services.answerer.answer_spec(question, spec)
        department = data.get("dept")
        items = [i for i in answer.items if i.department == department] or list(answer.items)
        container = body.get("container") or {}
        if container.get("type") == "view" and body.get("trigger_id") and items:
            # From the Home tab: a modal over it, rather than a message in the DM.
            client.views_open(trigger_id=body["trigger_id"], view=item_detail_modal(items, lang))
            return
        messages = [item_detail_message(item, lang) for item in items]
        reply_to_action(client, respond, body, messages, lang=lang)
