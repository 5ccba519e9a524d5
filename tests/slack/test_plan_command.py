"""/plan over real HTTP: answers through response_url, summaries with chart and files."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.slack.subcommands import SUBCOMMANDS
from tests.fakeslack import FakeSlack

from .conftest import ADMIN, HttpBot, blocks_text, drain


def test_question_is_answered_in_channel_through_response_url(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    status, body = http_bot.command("D評価の事業は？")

    assert (status, body) == (200, b"")  # acked empty; the answer follows
    (response,) = fake_slack.wait_for_responses()
    assert response.params["response_type"] == "in_channel"
    assert "事業16" in blocks_text(response.params)
    drain(http_bot.app)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_summary_posts_grades_chart_and_files_in_the_channel(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.command("summary 高齢者支援課", channel="C777")

    fake_slack.wait_for("files.completeUploadExternal")
    drain(http_bot.app)
    summary, *thread = fake_slack.calls_to("chat.postMessage")
    assert summary.params["channel"] == "C777"
    text = blocks_text(summary.params)
    assert "高齢者支援課" in text and "まとめ: 10件" in text
    table = next(b for b in summary.params["blocks"] if b["type"] == "table")
    cells = [[c["text"] for c in row] for row in table["rows"]]
    assert ["高齢者支援課", "5", "5", "0", "0", "10"] in cells  # A B C D total

    files = sorted(fake_slack.files.values(), key=lambda f: f.filename)
    assert [f.filename.rsplit(".", 1)[1] for f in files] == ["csv", "png", "xlsx"]
    assert all(f.completed and f.channel_id == "C777" for f in files)
    # All three in one upload, in the thread the summary message starts.
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert "thread_ts" not in summary.params
    (summary_ts,) = {f.thread_ts for f in files}
    assert summary_ts
    by_ext = {f.filename.rsplit(".", 1)[1]: f.data or b"" for f in files}
    assert by_ext["png"].startswith(b"\x89PNG")
    assert "高齢者支援課" in by_ext["csv"].decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(by_ext["xlsx"])).worksheets[0]
    assert sheet.max_row == 11  # header + 10 items

    # Then every item, in the summary's thread.
    assert thread and all(c.params["thread_ts"] == summary_ts for c in thread)
    listed = "".join(blocks_text(c.params) for c in thread)
    assert listed.count('"action_id": "item_detail"') == 10
    # The list is said once: the thread does not repeat the summary's headline, its grade
    # counts or its menu.
    assert "まとめ" not in listed and "A 5 / B 5" not in listed
    assert '"type": "overflow"' not in listed and "10件" in listed


@pytest.mark.parametrize(
    ("args", "hint"),
    [("高齢者支援課", "あなたにだけ表示"), ("子ども政策課 en", "shown only to you")],
)
def test_summary_where_the_bot_is_not_a_member_is_shown_privately(
    http_bot: HttpBot, fake_slack: FakeSlack, args: str, hint: str
) -> None:
    http_bot.command(f"summary {args}", channel="CNOTIN1")

    summary, note = fake_slack.wait_for_responses(count=2)
    drain(http_bot.app)
    assert summary.params["response_type"] == note.params["response_type"] == "ephemeral"
    assert "まとめ" in blocks_text(summary.params) or "summary" in blocks_text(summary.params)
    assert hint in note.params["text"] and "/invite @planbot" in note.params["text"]
    # The files went to the caller's DM, which the note links to.
    files = [f for f in fake_slack.files.values() if f.completed]
    assert {f.channel_id for f in files} == {"D123"}
    assert {f.filename.rsplit(".", 1)[1] for f in files} == {"png", "csv", "xlsx"}
    assert "app_redirect?channel=D123" in note.params["text"]


def test_question_in_a_channel_the_bot_is_not_in_still_works(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    # response_url needs no membership, so plain questions work everywhere.
    http_bot.command("D評価の事業は？", channel="CNOTIN2")

    (response,) = fake_slack.wait_for_responses()
    assert "事業16" in blocks_text(response.params)


def test_unknown_department_summary_is_explained_only_to_the_caller(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.command("summary 存在しない課")

    (response,) = fake_slack.wait_for_responses()
    assert response.params["response_type"] == "ephemeral"
    drain(http_bot.app)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_help_lists_subcommands_with_examples_from_the_data(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.command("help")

    (response,) = fake_slack.wait_for_responses()
    assert response.params["response_type"] == "ephemeral"
    text = blocks_text(response.params)
    for sub in ("summary", "digest", "help"):
        assert f"/plan {sub}" in text
    assert "/plan summary 子ども家庭支援センター" in text  # a department the data has
    assert "example_question" in text  # example questions as buttons


def test_stats_is_for_admins_only(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    http_bot.command("D評価の事業は？")
    http_bot.command("存在しない課の事業")
    http_bot.command("D評価の事業は?")  # same question, half-width ?
    http_bot.command("how many items are graded C?")  # none are: 0 is the answer
    said = [blocks_text(r.params) for r in fake_slack.wait_for_responses(count=4)]
    assert any("0 items are graded C (grades in FY2019: A 28 · B 12 · D 1)" in s for s in said)

    http_bot.command("stats")
    refused = fake_slack.wait_for_responses(count=5)[-1]
    assert "管理者" in refused.params["text"]

    http_bot.command("stats", user=ADMIN)
    stats = blocks_text(fake_slack.wait_for_responses(count=6)[-1].params)
    assert "D評価の事業は" in stats and "2回" in stats
    unanswered = stats.split("答えられなかった質問")[1]
    assert "存在しない課の事業" in unanswered
    assert "D評価" not in unanswered and "graded C" not in unanswered


def test_every_admin_only_subcommand_refuses_others(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    admin_only = [s for s in SUBCOMMANDS if s.admin_only]
    assert admin_only
    for n, sub in enumerate(admin_only, start=1):
        http_bot.command(f"{sub.name} 全体")
        refused = fake_slack.wait_for_responses(count=n)[-1]
        assert "管理者" in refused.params["text"], sub.name


def test_stats_with_days_and_en_replies_in_english(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.command("stats 7 en", user=ADMIN)
    stats = blocks_text(fake_slack.wait_for_responses()[0].params)
    assert "planbot usage (last 7 days" in stats
