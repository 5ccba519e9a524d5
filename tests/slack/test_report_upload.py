"""Next year's report shared in Slack: previewed, confirmed once, answered from; refused
files change nothing; /plan rollback goes back. Over real HTTP and Socket Mode."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import Settings
from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import write_reports
from bot.render.upload_preview import (
    ACTION_ROLLBACK_CONFIRM,
    ACTION_UPLOAD_CANCEL,
    ACTION_UPLOAD_CONFIRM,
)
from bot.store.report_model import ReportNotFound, load_report
from tests import reports, workbooks
from tests.fakeslack import FakeSlack
from tests.test_ingest_workbook import SEED_TABLE, _bad_grade_table
from tests.test_warehouse import tree_digest

from .conftest import ADMIN, USER, HttpBot, blocks_text, buttons, drain, make_settings, mention

ADMIN2 = "UADMIN2"
DM = "DADMIN"
FY2020_XLSX = workbooks.xlsx_bytes(workbooks.table_from_text(reports.second_year_text()))


@pytest.fixture
def settings(warehouse: Path, tmp_path: Path, fake_slack: FakeSlack) -> Settings:
    """The seed in a warehouse this test may change, two admins."""
    return make_settings(warehouse, tmp_path / "state", fake_slack, admins=(ADMIN, ADMIN2))


def shared(
    fake: FakeSlack, file: dict[str, Any], *, user: str = ADMIN, ts: str = "5.1"
) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "file_share",
        "channel": DM,
        "channel_type": "im",
        "user": user,
        "text": "",
        "ts": ts,
        "event_ts": ts,
        "files": [file],
    }


def posts(fake: FakeSlack) -> list[str]:
    return [blocks_text(c.params) for c in fake.calls_to("chat.postMessage")]


def wait_for_post(
    fake: FakeSlack, words: str, *, thread: str | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for call in fake.calls_to("chat.postMessage"):
            here = thread is None or call.params.get("thread_ts") == thread
            if here and words in blocks_text(call.params):
                return call.params
        time.sleep(0.02)
    raise AssertionError(f"no post with {words!r}: {posts(fake)}")


def test_next_years_workbook_is_previewed_confirmed_once_and_answered(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    file = fake_slack.share_file("musashino_fy2020.xlsx", FY2020_XLSX)
    status, _ = http_bot.event(shared(fake_slack, file))
    assert status == 200
    wait_for_post(fake_slack, "受け取りました")
    preview = wait_for_post(fake_slack, "取り込みプレビュー")
    said = blocks_text(preview)
    assert preview["thread_ts"] == "5.1"
    assert "武蔵野市" in said and "令和2年度（2020年度）" in said
    assert "新しい年度（2020年度）として追加します" in said
    for item, (department, before, after) in reports.FY2020_CHANGES.items():
        assert f"事業{item} {before}→{after}（{department}）" in said
    assert "評価の変更 5件" in said
    assert fake_slack.downloads and fake_slack.downloads[0][1] == fake_slack.bot_token
    with pytest.raises(ReportNotFound):  # nothing ingested yet
        load_report(settings.data_dir, 2020)

    # Two admins press 取り込む at the same moment: one ingest.
    value = buttons(preview["blocks"], ACTION_UPLOAD_CONFIRM)[0]["value"]
    clicks = [
        threading.Thread(
            target=http_bot.click,
            args=(ACTION_UPLOAD_CONFIRM, value),
            kwargs={"message_ts": "5.2", "channel": DM, "user": who},
        )
        for who in (ADMIN, ADMIN2)
    ]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    done = wait_for_post(fake_slack, "を取り込みました")
    wait_for_post(fake_slack, "このプレビューは取り込み")
    assert "2020年度: 評価 41件（A:" in blocks_text(done)
    assert sum("を取り込みました" in p for p in posts(fake_slack)) == 1
    assert (settings.data_dir / "reports" / "musashino_fy2020.xlsx").read_bytes() == FY2020_XLSX
    assert load_report(settings.data_dir, 2020).fiscal_year == 2020

    # Answered from the new year, citing the workbook.
    http_bot.event(mention("D評価の事業は？", ts="6.1"))
    answer = wait_for_post(fake_slack, "令和2年度", thread="6.1")
    assert "事業72" in blocks_text(answer) and "事業16 " not in blocks_text(answer)

    # /plan rollback says which report it removes, and goes back once confirmed.
    http_bot.command("rollback", user=ADMIN)
    (prompt,) = fake_slack.wait_for_responses(1)
    assert "取り除くレポート: musashino_fy2020.xlsx（武蔵野市・2020年度" in blocks_text(
        prompt.params
    )
    rollback_value = buttons(prompt.params["blocks"], ACTION_ROLLBACK_CONFIRM)[0]["value"]
    http_bot.click(ACTION_ROLLBACK_CONFIRM, rollback_value, message_ts="7.1", user=ADMIN)
    _, rolled = fake_slack.wait_for_responses(2)
    assert "取り除いたレポート: musashino_fy2020.xlsx（2020年度）" in blocks_text(rolled.params)
    manifest = current_snapshot(settings.data_dir).joinpath("manifest.json").read_text()
    assert "musashino_fy2020.xlsx" not in manifest
    # A rebuild from data/reports/ must not bring the rolled-back upload back.
    assert not (settings.data_dir / "reports" / "musashino_fy2020.xlsx").exists()

    # The audit log, in /plan stats: upload, confirmation, rollback, with who and checksum.
    http_bot.command("stats", user=ADMIN)
    _, _, stats = fake_slack.wait_for_responses(3)
    text = blocks_text(stats.params)
    for word in ("受付", "取り込み", "ロールバック", f"<@{ADMIN}", "sha256:"):
        assert word in text


def test_a_confirm_after_the_warehouse_changed_previews_again(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings, tmp_path: Path
) -> None:
    file = fake_slack.share_file("fy2020.xlsx", FY2020_XLSX)
    http_bot.event(shared(fake_slack, file))
    preview = wait_for_post(fake_slack, "取り込みプレビュー")
    # Meanwhile someone ingests FY2020 from a shell.
    from bot.ingest.report_text import parse_report_text

    text = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    write_reports(settings.data_dir, [parse_report_text(text)])
    before = tree_digest(settings.data_dir / "warehouse")
    value = buttons(preview["blocks"], ACTION_UPLOAD_CONFIRM)[0]["value"]
    http_bot.click(ACTION_UPLOAD_CONFIRM, value, message_ts="5.2", channel=DM, user=ADMIN)
    again = wait_for_post(fake_slack, "もう一度確認してください")
    assert "2020年度のデータを置き換えます（現在: fy2020.txt）" in blocks_text(again)
    assert "評価の変更 0件" in blocks_text(again)
    assert tree_digest(settings.data_dir / "warehouse") == before
    # Cancelling the new preview changes nothing either.
    value = buttons(again["blocks"], ACTION_UPLOAD_CANCEL)[0]["value"]
    http_bot.click(ACTION_UPLOAD_CANCEL, value, message_ts="5.3", channel=DM, user=ADMIN)
    wait_for_post(fake_slack, "キャンセルしました")
    assert tree_digest(settings.data_dir / "warehouse") == before


def test_someone_not_an_admin_is_refused_and_nothing_is_downloaded(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    file = fake_slack.share_file("fy2020.xlsx", FY2020_XLSX)
    http_bot.event(shared(fake_slack, file, user=USER))
    wait_for_post(fake_slack, "管理者だけができます")
    drain(http_bot.app)
    assert fake_slack.downloads == []


@pytest.mark.parametrize(
    ("name", "data", "size", "says", "downloaded"),
    [
        ("minutes.pdf", b"%PDF-1.7", None, "レポートとして読めない形式", False),
        ("huge.xlsx", b"PK", 50 * 2**20, "大きすぎます（50.0 MB。上限は 20 MB", False),
        ("empty.xlsx", b"", None, "空のファイルです", True),
    ],
)
def test_wrong_types_oversized_and_empty_files_get_a_clear_answer(
    http_bot: HttpBot,
    fake_slack: FakeSlack,
    settings: Settings,
    name: str,
    data: bytes,
    size: int | None,
    says: str,
    downloaded: bool,
) -> None:
    before = tree_digest(settings.data_dir / "warehouse")
    http_bot.event(shared(fake_slack, fake_slack.share_file(name, data, size=size)))
    wait_for_post(fake_slack, says)
    drain(http_bot.app)
    assert bool(fake_slack.downloads) is downloaded
    assert tree_digest(settings.data_dir / "warehouse") == before


def test_slacks_sign_in_page_is_a_failed_download_not_a_report(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    file = fake_slack.share_file("fy2020.xlsx", FY2020_XLSX, readable=False)
    http_bot.event(shared(fake_slack, file))
    said = blocks_text(wait_for_post(fake_slack, "サインイン画面"))
    assert "files:read" in said
    drain(http_bot.app)
    assert not any("取り込みプレビュー" in p for p in posts(fake_slack))


def test_a_malformed_workbook_in_a_thread_names_its_bad_cells_over_socket_mode(
    socket_bot: SocketModeHandler, fake_slack: FakeSlack, settings: Settings
) -> None:
    before = tree_digest(settings.data_dir / "warehouse")
    table = _bad_grade_table()
    for rows in table.values():  # many problems: more than the thread shows
        for row in rows:
            if row and row[0].isdigit():
                row[8] = "Z"
    data = workbooks.xlsx_bytes(table)
    event = mention("来年度のレポートです", ts="8.2")
    event.update(user=ADMIN, thread_ts="8.1", files=[fake_slack.share_file("bad.xlsx", data)])
    fake_slack.wait_for_ack(fake_slack.send_event(event))
    refusal = blocks_text(wait_for_post(fake_slack, "は取り込めません"))
    assert "bad.xlsx:子ども政策課!J" in refusal and "grade 'Z' is not one of A–D" in refusal
    assert "ほか" in refusal  # the first 20 in the thread ...
    (completed,) = fake_slack.wait_for("files.completeUploadExternal")
    assert completed.params["thread_ts"] == "8.1"
    (listing,) = fake_slack.uploads.values()  # ... and all of them as a text file
    lines = listing.decode("utf-8-sig").strip().split("\n")
    assert len(lines) > 20 and all(line.startswith("bad.xlsx:") for line in lines)
    assert tree_digest(settings.data_dir / "warehouse") == before


def test_the_seed_workbook_already_in_says_nothing_would_change(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    data = workbooks.xlsx_bytes(SEED_TABLE)
    http_bot.event(shared(fake_slack, fake_slack.share_file("seed.xlsx", data)))
    said = blocks_text(wait_for_post(fake_slack, "取り込みプレビュー"))
    assert "2019年度のデータを置き換えます" in said
    assert "評価の変更 0件" in said and "予定・実績の文章が変わる評価 0件" in said
    assert json.loads(json.dumps(said))  # (a plain string: nothing else to check)
