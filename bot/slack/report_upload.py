"""A report shared with planbot in Slack: previewed in its thread, ingested once confirmed.

An admin shares next year's workbook (or text export) in planbot's DM, or in a thread
with planbot mentioned. planbot says it has it, downloads it with the bot token, parses
it and shows what ingesting it would change, with 取り込む / キャンセル. Confirming ingests
exactly the previewed bytes through the CLI's writer (and its lock), once; the file is
kept under data/reports/ so that the warehouse can always be rebuilt from the reports.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import ValidationError
from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ingest.files import parse_report_data
from bot.ingest.preview import preview_report
from bot.ingest.problems import ReportRejected
from bot.ingest.rollback import SourceFile, plan_rollback, roll_back
from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import write_reports
from bot.ingest.workbook import WORKBOOK_SUFFIXES, WorkbookLimits
from bot.models import Report
from bot.render.upload_preview import (
    RollbackButton,
    UploadButton,
    preview_message,
    problems_file,
    refusal_message,
    rollback_message,
)
from bot.slack.access import is_admin
from bot.slack.context import SlackServices
from bot.slack.delivery import Upload, post_messages, post_text, upload_files
from bot.slack.errors import apologise_on_failure
from bot.slack.files import DownloadFailed, download_file
from bot.state.uploads import ROLLED_BACK_DIR, UPLOADS_DIR, PendingUpload

log = logging.getLogger(__name__)

#: What a report file may be: the text export, or a workbook.
REPORT_SUFFIXES = (".txt", ".tsv", *WORKBOOK_SUFFIXES)


# --- which events are uploads -----------------------------------------------------------


def is_report_in_dm(event: dict[str, Any]) -> bool:
    """A person sharing files in planbot's DM (Slack's message subtype file_share)."""
    return (
        event.get("channel_type") == "im"
        and bool(event.get("files"))
        and not event.get("bot_id")
        and event.get("subtype") in (None, "file_share")
    )


def has_files(event: dict[str, Any]) -> bool:
    """A mention of planbot that shares files (in a thread or a channel)."""
    return bool(event.get("files")) and not event.get("bot_id")


# --- receiving ----------------------------------------------------------------------------


def receive_report(services: SlackServices, event: dict[str, Any], client: WebClient) -> None:
    channel = str(event["channel"])
    thread_ts = str(event.get("thread_ts") or event["ts"])
    user = str(event.get("user") or "")

    def notify(text: str) -> None:
        post_text(client, channel, text, thread_ts=thread_ts)

    with apologise_on_failure(notify, what="reading an uploaded report"):
        if not is_admin(services.settings, user):
            # Nothing is downloaded for someone who may not change the data.
            notify(
                "レポートの取り込みは管理者だけができます。ファイルは読み込んでいません。"
                "取り込みたいレポートは担当の管理者に送ってください。"
            )
            return
        for file in event.get("files") or []:
            _receive_one(services, client, file, user=user, channel=channel, thread_ts=thread_ts)


def _receive_one(
    services: SlackServices,
    client: WebClient,
    file: dict[str, Any],
    *,
    user: str,
    channel: str,
    thread_ts: str,
) -> None:
    settings = services.settings
    limits = WorkbookLimits.from_settings(settings)
    name = safe_file_name(str(file.get("name") or file.get("title") or "report"))

    def refuse(reason: str, checksum: str | None = None) -> None:
        services.audit.record(
            "refused", user_id=user, file_name=name, checksum=checksum, detail=reason
        )
        post_text(client, channel, reason, thread_ts=thread_ts)

    if not name.lower().endswith(REPORT_SUFFIXES):
        refuse(
            f"{name} はレポートとして読めない形式です。Excel（.xlsx / .xlsm / .xls）か、"
            "タブ区切りテキスト（.txt）のレポートを送ってください。"
        )
        return
    size = int(file.get("size") or 0)
    if size > limits.max_bytes:
        refuse(
            f"{name} は大きすぎます（{size / 2**20:.1f} MB。上限は "
            f"{limits.max_bytes / 2**20:.3g} MB、PLANBOT_MAX_UPLOAD_MB）。"
        )
        return
    post_text(
        client, channel, f"{name} を受け取りました。内容を確認しています…", thread_ts=thread_ts
    )
    try:
        data = download_file(file, client.token or "", max_bytes=limits.max_bytes)
    except DownloadFailed as exc:
        refuse(f"{name}: {exc}")
        return
    checksum = hashlib.sha256(data).hexdigest()
    if not data.strip():
        refuse(f"{name} は空のファイルです。", checksum)
        return
    try:
        report = parse_report_data(data, file=name, source_name=name, limits=limits)
    except ReportRejected as exc:
        services.audit.record(
            "refused",
            user_id=user,
            file_name=name,
            checksum=checksum,
            detail=f"{len(exc.problems)} problems",
        )
        post_messages(client, channel, [refusal_message(name, exc.problems)], thread_ts=thread_ts)
        listing = Upload(
            problems_file(exc.problems), f"{Path(name).stem}_problems.txt", "問題の一覧"
        )
        upload_files(client, channel, [listing], thread_ts=thread_ts)
        return
    upload_id = uuid.uuid4().hex
    stored = _pending_dir(services, upload_id) / name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(data)
    _post_preview(
        services,
        client,
        PendingUpload(
            upload_id=upload_id,
            file_name=name,
            checksum=checksum,
            stored_path=str(stored),
            user_id=user,
            channel_id=channel,
            thread_ts=thread_ts,
            preview=preview_report(settings.data_dir, report, name),
            status="previewed",
        ),
    )
    services.audit.record(
        "upload",
        user_id=user,
        file_name=name,
        checksum=checksum,
        detail=f"FY{report.fiscal_year} {report.municipality}",
    )


def _post_preview(
    services: SlackServices, client: WebClient, upload: PendingUpload, *, again: bool = False
) -> None:
    services.uploads.add(upload)
    message = preview_message(upload.preview, upload.upload_id, again=again)
    post_messages(client, upload.channel_id, [message], thread_ts=upload.thread_ts)


def safe_file_name(name: str) -> str:
    """The name alone (no folders, Windows' or POSIX), never hidden, never empty."""
    base = PureWindowsPath(PurePosixPath(name).name).name.strip().lstrip(".")
    return base.replace("\x00", "") or "report"


def _pending_dir(services: SlackServices, upload_id: str) -> Path:
    return services.settings.state_dir / UPLOADS_DIR / upload_id


# --- confirming and cancelling -----------------------------------------------------------


def confirm_upload(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    upload, user = _clicked(services, body, action, client)
    if upload is None:
        return
    channel, thread_ts = upload.channel_id, upload.thread_ts

    def notify(text: str) -> None:
        post_text(client, channel, text, thread_ts=thread_ts)

    with apologise_on_failure(notify, what="ingesting an uploaded report"):
        if not services.uploads.claim(upload.upload_id, user, to="ingesting"):
            notify(_already(services, upload.upload_id))
            return
        try:
            _ingest(services, client, upload, user, notify)
        except BaseException:
            services.uploads.set_status(upload.upload_id, "failed")
            raise


def _ingest(
    services: SlackServices,
    client: WebClient,
    upload: PendingUpload,
    user: str,
    notify: Any,
) -> None:
    settings = services.settings
    data = Path(upload.stored_path).read_bytes()
    if hashlib.sha256(data).hexdigest() != upload.checksum:
        services.uploads.set_status(upload.upload_id, "failed")
        notify(
            "保存したファイルがプレビューの時と変わっています。取り込みませんでした。もう一度送ってください。"
        )
        return
    limits = WorkbookLimits.from_settings(settings)
    snapshot = current_snapshot(settings.data_dir)
    if (snapshot.name if snapshot else None) != upload.preview.snapshot:
        # Someone ingested or rolled back since the preview: show what it does now.
        report = parse_report_data(
            data, file=upload.file_name, source_name=upload.file_name, limits=limits
        )
        services.uploads.set_status(upload.upload_id, "cancelled")
        again = PendingUpload(
            **{
                **upload.__dict__,
                "upload_id": uuid.uuid4().hex,
                "status": "previewed",
                "preview": preview_report(settings.data_dir, report, upload.file_name),
            },
        )
        _post_preview(services, client, again, again=True)
        return
    kept = _keep(settings.data_dir / "reports", upload.file_name, data)
    report = parse_report_data(data, file=kept.name, source_name=kept.name, limits=limits)
    # The preview listed every evaluation the report removes, and the admin confirmed it.
    result = write_reports(
        settings.data_dir, [report], allow_removals=True, database_url=settings.database_url
    )
    services.uploads.set_status(upload.upload_id, "ingested")
    services.audit.record(
        "confirmed",
        user_id=user,
        file_name=kept.name,
        checksum=upload.checksum,
        detail=f"FY{report.fiscal_year} snapshot {result.snapshot}",
    )
    shutil.rmtree(Path(upload.stored_path).parent, ignore_errors=True)
    notify(_now_stands(report, result.fiscal_years, result.evaluations, user, result.changed))


def _keep(reports_dir: Path, name: str, data: bytes) -> Path:
    """The file under data/reports/, beside the others; another file of the same name
    is never overwritten (this one gets its checksum in its name)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / name
    if path.exists() and path.read_bytes() != data:
        digest = hashlib.sha256(data).hexdigest()[:8]
        path = reports_dir / f"{Path(name).stem}-{digest}{Path(name).suffix}"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def _now_stands(
    report: Report, years: list[int], evaluations: int, user: str, changed: bool
) -> str:
    counts = {g: 0 for g in "ABCD"}
    for ev in report.evaluations:
        counts[ev.grade.value] = counts.get(ev.grade.value, 0) + 1
    grades = " ".join(f"{g}:{n}" for g, n in counts.items())
    head = (
        f"<@{user}> さんの確認で {report.source_file} を取り込みました。"
        if changed
        else f"{report.source_file} は取り込み済みでした（変更なし）。"
    )
    held = "、".join(f"{y}年度" for y in years)
    return (
        f"{head}\n{report.municipality}・{report.plan}・{report.fiscal_year}年度: "
        f"評価 {len(report.evaluations)}件（{grades}）\n"
        f"いま答えられる年度: {held}（評価 計{evaluations}件）"
    )


def cancel_upload(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    upload, user = _clicked(services, body, action, client)
    if upload is None:
        return
    if not services.uploads.claim(upload.upload_id, user, to="cancelled"):
        post_text(
            client,
            upload.channel_id,
            _already(services, upload.upload_id),
            thread_ts=upload.thread_ts,
        )
        return
    services.audit.record(
        "cancelled", user_id=user, file_name=upload.file_name, checksum=upload.checksum
    )
    shutil.rmtree(Path(upload.stored_path).parent, ignore_errors=True)
    post_text(
        client,
        upload.channel_id,
        f"{upload.file_name} の取り込みをキャンセルしました。データは変わっていません。",
        thread_ts=upload.thread_ts,
    )


def _clicked(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> tuple[PendingUpload | None, str]:
    user = str((body.get("user") or {}).get("id") or "")
    channel = str((body.get("channel") or {}).get("id") or "")
    if not is_admin(services.settings, user):
        client.chat_postEphemeral(
            channel=channel, user=user, text="レポートの取り込みは管理者だけができます。"
        )
        return None, user
    try:
        button = UploadButton.model_validate_json(str(action.get("value") or ""))
    except ValidationError:
        return None, user
    upload = services.uploads.get(button.upload_id)
    if upload is None:
        client.chat_postEphemeral(
            channel=channel, user=user, text="このプレビューは見つかりません。"
        )
    return upload, user


_STATUS_WORDS = {
    "ingesting": "取り込み中です",
    "ingested": "取り込み済みです",
    "cancelled": "キャンセル済みです",
    "failed": "失敗しました",
    "expired": "期限切れです。取り込むにはもう一度ファイルを送ってください",
}


def _already(services: SlackServices, upload_id: str) -> str:
    upload = services.uploads.get(upload_id)
    status = _STATUS_WORDS.get(upload.status if upload else "", "処理済みです")
    return f"このプレビューは{status}（ほかの操作は行っていません）。"


# --- /plan rollback -----------------------------------------------------------------------


def _set_aside(services: SlackServices, removed: tuple[SourceFile, ...]) -> None:
    """An uploaded file taken out by a rollback leaves data/reports/, so that rebuilding the
    warehouse from the reports does not bring it back; files put there by hand stay."""
    reports = services.settings.data_dir / "reports"
    aside = services.settings.state_dir / UPLOADS_DIR / ROLLED_BACK_DIR
    for source in removed:
        path = reports / source.file
        if path.is_file() and services.uploads.ingested(source.checksum):
            aside.mkdir(parents=True, exist_ok=True)
            path.replace(aside / f"{source.checksum[:12]}-{path.name}")


def rollback_prompt(services: SlackServices, respond: Respond) -> None:
    plan = plan_rollback(services.settings.data_dir)
    if plan is None:
        respond(text="戻せるひとつ前のデータがありません。", response_type="ephemeral")
        return
    message = rollback_message(plan)
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral")


def rollback_confirm(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any], respond: Respond
) -> None:
    user = str((body.get("user") or {}).get("id") or "")
    if not is_admin(services.settings, user):
        respond(text="データを戻せるのは管理者だけです。", replace_original=False)
        return
    try:
        button = RollbackButton.model_validate_json(str(action.get("value") or ""))
    except ValidationError:
        return
    plan = plan_rollback(services.settings.data_dir)
    if (
        plan is None
        or (plan.current, plan.previous) != (button.current, button.previous)
        or not roll_back(
            services.settings.data_dir, plan, database_url=services.settings.database_url
        )
    ):
        respond(
            text="データがその後変わったため戻していません。もう一度 /plan rollback から"
            "確認してください。",
            replace_original=True,
        )
        return
    _set_aside(services, plan.removes)
    removed = "、".join(f"{s.file}（{s.fiscal_year}年度）" for s in plan.removes) or "なし"
    for source in plan.removes or ():
        services.audit.record(
            "rollback",
            user_id=user,
            file_name=source.file,
            checksum=source.checksum,
            detail=f"to {plan.previous}",
        )
    if not plan.removes:
        services.audit.record("rollback", user_id=user, detail=f"to {plan.previous}")
    respond(
        text=f"ひとつ前のデータに戻しました。取り除いたレポート: {removed}", replace_original=True
    )
