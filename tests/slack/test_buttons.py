"""Buttons over real HTTP: pages, details, exports, queries, examples."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.fakeslack import FakeSlack

from .conftest import ADMIN, HttpBot, blocks_text, buttons, drain, item_numbers, mention

MANY = "show 子ども家庭支援センター items"  # 23 items: three pages of 10


def first_answer(http_bot: HttpBot, fake: FakeSlack, question: str) -> dict:
    http_bot.event(mention(question))
    (posted,) = fake.wait_for("chat.postMessage")
    return posted.params


def test_next_page_replaces_the_message_with_page_two(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    answer = first_answer(http_bot, fake_slack, MANY)
    page_one = item_numbers(answer["blocks"])
    (next_button,) = buttons(answer["blocks"], "page_next")
    message_ts = "1700000000.000100"  # the fake numbers messages from here (see webapi)

    http_bot.click("page_next", next_button["value"], message_ts=message_ts)

    (update,) = fake_slack.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C123", message_ts)
    page_two = item_numbers(update.params["blocks"])
    assert len(page_one) == len(page_two) == 10
    assert not set(page_one) & set(page_two)
    assert "page 2/3" in blocks_text(update.params)
    # And back again.
    (prev_button,) = buttons(update.params["blocks"], "page_prev")
    http_bot.click("page_prev", prev_button["value"], message_ts=message_ts)
    _, back = fake_slack.wait_for("chat.update", count=2)
    assert item_numbers(back.params["blocks"]) == page_one


def test_page_of_a_slash_command_answer_is_replaced_through_response_url(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    # The /plan answer came through response_url: the bot may not own it, so when
    # chat.update refuses, the page is replaced through the click's response_url.
    fake_slack.fail_next("chat.update", status=200, error="cant_update_message")
    value = json.dumps({"page": 1, "page_size": 10, "question": MANY})

    http_bot.click("page_next", value, message_ts="1700000000.000900")

    (response,) = fake_slack.wait_for_responses()
    assert response.params["replace_original"] is True
    assert "page 2/3" in blocks_text(response.params)


def test_export_buttons_upload_csv_and_xlsx_into_the_thread(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    value = json.dumps({"question": MANY}, ensure_ascii=False)

    http_bot.click("export_csv", value, message_ts="1700000000.000100")
    fake_slack.wait_for("files.completeUploadExternal")
    http_bot.click("export_xlsx", value, message_ts="1700000000.000100")
    fake_slack.wait_for("files.completeUploadExternal", count=2)
    drain(http_bot.app)

    steps = [c.method for c in fake_slack.calls if c.method.startswith("files.")]
    assert steps == ["files.getUploadURLExternal", "files.completeUploadExternal"] * 2
    csv_file, xlsx_file = sorted(fake_slack.files.values(), key=lambda f: f.filename)
    for uploaded in (csv_file, xlsx_file):
        assert uploaded.completed
        assert (uploaded.channel_id, uploaded.thread_ts) == ("C123", "1700000000.000100")
    rows = (csv_file.data or b"").decode("utf-8-sig").splitlines()
    # Asked in English: headed in English, in the report's column order.
    assert rows[0].startswith("municipality,plan,item,name,department")
    assert len(rows) == 24  # header + 23 items
    assert any(",33,子ども家庭支援センター事業の機能の充実," in r for r in rows)
    sheet = load_workbook(io.BytesIO(xlsx_file.data or b"")).worksheets[0]
    assert sheet.max_row == 24


def test_export_where_the_bot_is_not_invited_says_how_to_invite_it(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    value = json.dumps({"question": MANY}, ensure_ascii=False)

    http_bot.click("export_csv", value, message_ts="1700000000.000100", channel="CNOTIN9")

    (response,) = fake_slack.wait_for_responses()
    assert response.params["response_type"] == "ephemeral"
    assert "/invite @planbot" in response.params["text"]


def test_item_detail_is_posted_in_the_thread(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    value = json.dumps({"item_no": 16, "fy": 2019, "dept": "子ども政策課"}, ensure_ascii=False)

    http_bot.click("item_detail", value, message_ts="1700000000.000100")

    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted.params["thread_ts"] == "1700000000.000100"
    text = blocks_text(posted.params)
    assert "事業16" in text and "次年度予定" in text


def test_show_query_shows_the_sql_only_to_an_admin(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    value = json.dumps({"question": "D評価の事業は？"}, ensure_ascii=False)

    http_bot.click("show_query", value, message_ts="1700000000.000100", user=ADMIN)
    (admin,) = fake_slack.wait_for_responses()
    http_bot.click("show_query", value, message_ts="1700000000.000100")
    _, staff = fake_slack.wait_for_responses(count=2)

    for response in (admin, staff):
        assert response.params["response_type"] == "ephemeral"
        assert "評価D・令和元年度" in blocks_text(response.params)
    assert "evaluations_filtered" in blocks_text(admin.params)
    assert "evaluations_filtered" not in blocks_text(staff.params)
    assert not fake_slack.calls_to("chat.postMessage")


def test_example_question_from_app_home_is_answered_in_a_dm(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    home_container = {"type": "view", "view_id": "V1"}

    http_bot.click(
        "example_question",
        "D評価の事業は？",
        message_ts="",
        container=home_container,
        response_url=None,
    )

    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted.params["channel"] == "U123"  # the user's DM with the bot
    assert "事業16" in blocks_text(posted.params)


def test_app_home_shows_the_plan_at_a_glance(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    http_bot.event({"type": "app_home_opened", "user": "U123", "channel": "D123", "tab": "home"})

    (published,) = fake_slack.wait_for("views.publish")
    assert published.params["user_id"] == "U123"
    view = published.params["view"]
    assert view["type"] == "home"
    text = json.dumps(view, ensure_ascii=False)
    assert "子ども家庭支援センター" in text  # grades per department
    assert "事業16" in text  # the D item needs attention
    assert "example_question" in text


def test_details_from_an_english_answer_are_in_english(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.event(mention("which measures are graded D?"))
    (answer,) = fake_slack.wait_for("chat.postMessage")
    (detail,) = buttons(answer.params["blocks"], "item_detail")
    http_bot.click("item_detail", detail["value"], message_ts=answer.params["thread_ts"])
    posted = fake_slack.wait_for("chat.postMessage", count=2)[1]
    text = blocks_text(posted.params)
    assert "Item 16" in text and "Place in plan" in text and "事業16" not in text


def test_a_button_pressed_twice_acts_once(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    detail = json.dumps({"item_no": 16, "fy": 2019, "dept": "子ども政策課"}, ensure_ascii=False)
    export = json.dumps({"question": "D評価の事業は？"}, ensure_ascii=False)
    page = json.dumps({"page": 1, "page_size": 10, "question": MANY}, ensure_ascii=False)
    for action_id, value in (("item_detail", detail), ("export_csv", export), ("page_next", page)):
        for _ in range(2):
            http_bot.click(action_id, value, message_ts="1700000000.000100")
    # The same detail on another answer is another press.
    http_bot.click("item_detail", detail, message_ts="1700000000.000900")
    drain(http_bot.app)

    details = [
        c for c in fake_slack.calls_to("chat.postMessage") if "事業16" in blocks_text(c.params)
    ]
    assert sorted(c.params["thread_ts"] for c in details) == [
        "1700000000.000100",
        "1700000000.000900",
    ]
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert len(fake_slack.calls_to("chat.update")) == 1
