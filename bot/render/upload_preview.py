"""An uploaded report's preview, its refusal and its outcome, as Slack messages."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    SectionBlock,
)

from bot.ingest.preview import ReportPreview
from bot.ingest.problems import Problem
from bot.ingest.rollback import RollbackPlan, SourceFile
from bot.models import Frozen
from bot.render import limits
from bot.render.blocks import Message, escape
from bot.text import wareki

ACTION_UPLOAD_CONFIRM = "upload_confirm"
ACTION_UPLOAD_CANCEL = "upload_cancel"
ACTION_ROLLBACK_CONFIRM = "rollback_confirm"
#: Problems said in the thread; all of them come as a text file.
PROBLEMS_SHOWN = 20
#: Grade changes and items listed one per line before "… and N more".
LINES_MAX = 40


class UploadButton(Frozen):
    """A preview button's value: which upload."""

    version: int = 1
    upload_id: str


class RollbackButton(Frozen):
    """The rollback button's value: from which snapshot back to which."""

    version: int = 1
    current: str
    previous: str


def preview_message(preview: ReportPreview, upload_id: str, *, again: bool = False) -> Message:
    p = preview
    year = f"{wareki(p.fiscal_year)}（{p.fiscal_year}年度）"
    lines = [
        ("*もう一度確認してください（この間に取り込みデータが変わりました）*\n" if again else "")
        + f"*{escape(p.file_name)} の取り込みプレビュー*",
        f"{escape(p.municipality)}・{escape(p.plan)}・{year}",
        f"対象課シート {len(p.sheets)}: {escape('、'.join(p.sheets))}",
        f"事業 {p.items}件・評価 {p.evaluations}件",
    ]
    if p.already_in:
        lines.append("このファイルは取り込み済みです。取り込んでも何も変わりません。")
    elif p.compared_with == "replaces":
        lines.append(
            f"{p.fiscal_year}年度のデータを置き換えます（現在: {escape('、'.join(p.replaces))}）"
        )
    else:
        lines.append(f"新しい年度（{p.fiscal_year}年度）として追加します。")
    sections = ["\n".join(lines)]
    if p.compared_with != "nothing":
        against = "置き換え前" if p.compared_with == "replaces" else f"{p.compared_year}年度"
        sections.append(f"*{against}との比較*")
        sections += _changes(p)
    button = UploadButton(upload_id=upload_id).model_dump_json()
    blocks = [
        *_sections(sections),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="取り込む",
                    action_id=ACTION_UPLOAD_CONFIRM,
                    value=button,
                    style="primary",
                ),
                ButtonElement(text="キャンセル", action_id=ACTION_UPLOAD_CANCEL, value=button),
            ]
        ).to_dict(),
    ]
    fallback = f"{p.file_name} の取り込みプレビュー（{p.fiscal_year}年度）"
    limits.ensure_valid(blocks, fallback)
    return Message(text=fallback, blocks=blocks)


def _changes(p: ReportPreview) -> list[str]:
    out = [
        f"追加される事業 {len(p.items_added)}件"
        + _listed([f"事業{i.item_no} {escape(i.name)}" for i in p.items_added]),
        f"なくなる事業 {len(p.items_removed)}件"
        + _listed([f"事業{i.item_no} {escape(i.name)}" for i in p.items_removed]),
    ]
    if p.evaluations_removed:
        out.append(
            f"なくなる評価（事業×主管課） {len(p.evaluations_removed)}件"
            + _listed([f"事業{i.item_no} {escape(i.department)}" for i in p.evaluations_removed])
        )
    out.append(
        f"評価の変更 {len(p.grade_changes)}件"
        + _listed(
            [
                f"事業{c.item_no} {c.before.value}→{c.after.value}（{escape(c.department)}）"
                for c in p.grade_changes
            ]
        )
    )
    if p.compared_with == "replaces":
        out.append(f"予定・実績の文章が変わる評価 {p.texts_changed}件")
    return out


def _sections(texts: Sequence[str]) -> list[dict[str, object]]:
    return [SectionBlock(text=limits.truncate(t, limits.SECTION_TEXT_MAX)).to_dict() for t in texts]


def _listed(lines: Sequence[str]) -> str:
    if not lines:
        return ""
    shown = [f"・{line}" for line in lines[:LINES_MAX]]
    if len(lines) > LINES_MAX:
        shown.append(f"…ほか{len(lines) - LINES_MAX}件")
    return "\n" + "\n".join(shown)


def refusal_message(file_name: str, problems: Sequence[Problem]) -> Message:
    shown = "\n".join(escape(limits.truncate(str(p), 140)) for p in problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    blocks = _sections(
        [
            f"*{escape(file_name)} は取り込めません（問題 {len(problems)}件）。*"
            "データは何も変わっていません。",
            f"```{shown}```",
            *([f"…ほか{more}件（全件は添付のテキストファイル）"] if more > 0 else []),
        ]
    )
    return Message(text=f"{file_name} は取り込めません（問題 {len(problems)}件）", blocks=blocks)


def problems_file(problems: Sequence[Problem]) -> bytes:
    return ("\n".join(str(p) for p in problems) + "\n").encode("utf-8-sig")


def rollback_message(plan: RollbackPlan) -> Message:
    lines = ["*ひとつ前のデータに戻しますか？*"]
    lines += [f"取り除くレポート: {_source(s)}" for s in plan.removes] or ["取り除くレポート: なし"]
    lines += [f"戻るレポート: {_source(s)}" for s in plan.restores]
    text = "\n".join(lines)
    blocks = [
        SectionBlock(text=limits.truncate(text, limits.SECTION_TEXT_MAX)).to_dict(),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="戻す",
                    action_id=ACTION_ROLLBACK_CONFIRM,
                    value=RollbackButton(
                        current=plan.current, previous=plan.previous
                    ).model_dump_json(),
                    style="danger",
                    confirm=ConfirmObject(
                        title="データを戻す",
                        text="直前の取り込みを取り消します。よろしいですか？",
                        confirm="戻す",
                        deny="やめる",
                    ),
                )
            ]
        ).to_dict(),
    ]
    return Message(text="ひとつ前のデータに戻しますか？", blocks=blocks)


def _source(s: SourceFile) -> str:
    return (
        f"{escape(s.file)}（{escape(s.municipality)}・{s.fiscal_year}年度・{len(s.sheets)}シート）"
    )
