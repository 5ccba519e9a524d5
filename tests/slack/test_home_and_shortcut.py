"""The Home tab in the viewer's language with details in a modal, and the message
shortcut "planbotに聞く", over real HTTP against the fake Slack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.listeners.shortcuts.ask_about_message import CALLBACK_ID
from tests.fakeslack import FakeSlack, signed_post
from tests.fakeslack.signing import FORM_CONTENT_TYPE

from .conftest import SECRET, HttpBot, blocks_text, buttons, drain

HOME = {"type": "app_home_opened", "user": "U123", "channel": "D123", "tab": "home"}


@pytest.mark.parametrize(
    ("locale", "heading", "foreign"),
    [
        ("ja-JP", "課別の評価分布", "Grades by department"),
        ("en-US", "Grades by department", "課別の評価分布"),
    ],
)
def test_the_home_tab_follows_the_viewers_locale(
    http_bot: HttpBot, fake_slack: FakeSlack, locale: str, heading: str, foreign: str
) -> None:
    fake_slack.users["U123"] = {"locale": locale}
    http_bot.event(HOME)
    (published,) = fake_slack.wait_for("views.publish")
    (asked,) = fake_slack.calls_to("users.info")
    assert asked.params["user"] == "U123" and asked.params["include_locale"] in ("true", "1")
    text = json.dumps(published.params["view"], ensure_ascii=False)
    assert heading in text and foreign not in text


def test_details_on_the_home_tab_open_a_modal(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    fake_slack.users["U123"] = {"locale": "en-US"}
    http_bot.event(HOME)
    (published,) = fake_slack.wait_for("views.publish")
    (detail, *_) = buttons(published.params["view"]["blocks"], "item_detail")
    http_bot.click(
        "item_detail",
        detail["value"],
        message_ts="",
        container={"type": "view", "view_id": "V1"},
        response_url=None,
    )
    (opened,) = fake_slack.wait_for("views.open")
    drain(http_bot.app)
    view = opened.params["view"]
    assert view["type"] == "modal" and view["title"]["text"].startswith("Item ")
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100
    assert "Next year's plan" in json.dumps(view, ensure_ascii=False)
    assert not fake_slack.calls_to("chat.postMessage")  # nothing posted to the DM


def shortcut(http_bot: HttpBot, text: str, channel: str) -> None:
    payload: dict[str, Any] = {
        "type": "message_action",
        "callback_id": CALLBACK_ID,
        "trigger_id": "1.2.abc",
        "team": {"id": "T0TEST", "domain": "fake-team"},
        "user": {"id": "U123", "name": "user-u123"},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "user": "U777", "ts": "1699999990.000100", "text": text},
        "message_ts": "1699999990.000100",
        "response_url": http_bot.fake.response_url(),
        "token": "fake-verification-token",
    }
    signed_post(http_bot.url, {"payload": payload}, SECRET, content_type=FORM_CONTENT_TYPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高齢者支援課の事業で評価が低いのはどれ？C評価の事業は？", "評価C"),
        ("Quick one before the meeting: which items are graded D?", "grade D"),
    ],
)
def test_the_message_shortcut_answers_the_message_privately(
    http_bot: HttpBot, fake_slack: FakeSlack, text: str, expected: str
) -> None:
    # Works where planbot is not a member: the answer goes through response_url.
    shortcut(http_bot, text, "CNOTIN1")
    (response,) = fake_slack.wait_for_responses()
    drain(http_bot.app)
    assert response.params["response_type"] == "ephemeral"
    assert expected in blocks_text(response.params)
    assert not fake_slack.calls_to("chat.postMessage")
