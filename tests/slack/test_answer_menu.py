"""An answer's one menu over real HTTP: CSV, XLSX and the reading (SQL for admins)."""

from __future__ import annotations

import json
from typing import Any

from tests.fakeslack import FakeSlack

from .conftest import ADMIN, HttpBot, blocks_text, drain, mention


def menu_options(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The answer menu's options by what they do (csv, xlsx, query)."""
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("type") == "overflow" and element["action_id"] == "answer_menu":
                return {json.loads(o["value"])["a"]: o for o in element["options"]}
    return {}


def choose(http_bot: HttpBot, option: dict[str, Any], *, message_ts: str, user: str) -> None:
    selection = {
        "type": "overflow",
        "action_id": "answer_menu",
        "block_id": "menu",
        "selected_option": option,
        "action_ts": "1700000001.000001",
    }
    http_bot.click("answer_menu", "", message_ts=message_ts, user=user, actions=[selection])


def test_the_menu_exports_and_shows_the_reading(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    http_bot.event(mention("which items are graded D?", ts="1699999999.000100"))
    (answer,) = fake_slack.wait_for("chat.postMessage")
    ts = answer.params["thread_ts"]
    options = menu_options(answer.params["blocks"])
    assert set(options) == {"csv", "xlsx", "query"}
    assert options["query"]["text"]["text"] == "How it was read"  # the asker is no admin

    choose(http_bot, options["csv"], message_ts="1700000000.000100", user="U999")
    fake_slack.wait_for("files.completeUploadExternal")
    (csv_file,) = fake_slack.files.values()
    assert csv_file.thread_ts == "1700000000.000100"
    assert csv_file.filename.endswith(".csv")
    assert "事業16" not in (csv_file.data or b"").decode("utf-8-sig")  # rows, not the list text
    assert ",16," in (csv_file.data or b"").decode("utf-8-sig")

    choose(http_bot, options["query"], message_ts=ts, user=ADMIN)
    choose(http_bot, options["query"], message_ts=ts, user="U999")
    admin, staff = fake_slack.wait_for_responses(count=2)
    drain(http_bot.app)
    shown = {blocks_text(r.params) for r in (admin, staff)}
    assert sum("evaluations_filtered" in s for s in shown) == 1  # the SQL: the admin only
    assert all("grade D" in s for s in shown)


def test_a_menu_of_a_forgotten_answer_says_so(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    option = {
        "text": {"type": "plain_text", "text": "CSV"},
        "value": json.dumps({"a": "csv", "r": "0" * 20, "l": "en"}),
    }
    choose(http_bot, option, message_ts="1700000000.000100", user="U999")
    (reply,) = fake_slack.wait_for_responses()
    assert "ask the question again" in reply.params["text"]
    assert not fake_slack.files
