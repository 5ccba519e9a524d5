"""What the round looks like in Slack: the assignee's list (DM and Home tab), the
admins' progress board, and the evaluation modal. Built with slack_sdk's Block Kit
models; every id a button or modal carries is a versioned pydantic model."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.models import Grade
from bot.render.limits import truncate
from bot.round.models import (
    MAX_TEXT,
    Draft,
    Entry,
    EntryField,
    Evaluation,
    EvaluationKey,
    EvaluationStatus,
    FieldProblem,
    Progress,
    RawEntry,
    Round,
)
from bot.text import wareki

CALLBACK_EVALUATION = "round_evaluation"
CALLBACK_RETURN = "round_return"
ACTION_OPEN_ITEM = "round_open_item"
ACTION_APPROVE = "round_approve"
ACTION_RETURN = "round_return_open"
#: Slack allows 50 blocks in a message; the list keeps room for its header and footer.
ITEMS_PER_MESSAGE = 45
HOME_ITEMS_MAX = 80

STATUS_EMOJI: dict[EvaluationStatus, str] = {
    EvaluationStatus.EMPTY: "⬜",
    EvaluationStatus.DRAFT: "📝",
    EvaluationStatus.SUBMITTED: "📨",
    EvaluationStatus.RETURNED: "↩️",
    EvaluationStatus.APPROVED: "✅",
}


class ItemRef(BaseModel):
    """A button's value and a modal's private_metadata: which evaluation, from which version."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    v: int = 1
    round_id: str
    item_no: int
    department: str
    #: The evaluation's version when the modal opened (conflict detection).
    base_version: int = 0

    @property
    def key(self) -> EvaluationKey:
        return EvaluationKey(item_no=self.item_no, department=self.department)


def _ref(ev: Evaluation) -> str:
    return ItemRef(
        round_id=ev.round_id, item_no=ev.item_no, department=ev.department
    ).model_dump_json()


def round_title(rnd: Round) -> str:
    return f"{wareki(rnd.fiscal_year)}（{rnd.fiscal_year}年度）の自己評価"


def _line(ev: Evaluation) -> str:
    status = f"{STATUS_EMOJI[ev.status]} {ev.status.label('ja')}"
    grade = f"｜評価{ev.entry.grade.value}" if ev.entry.grade and ev.status.answered else ""
    name = truncate(ev.item.name, 120)
    text = f"*事業{ev.item_no}* {name}\n{ev.department}｜{status}{grade}"
    if ev.status is EvaluationStatus.RETURNED and ev.review_comment:
        text += f"\n差し戻し理由: {truncate(ev.review_comment, 500)}"
    return text


def item_sections(evals: list[Evaluation]) -> list[Block]:
    blocks: list[Block] = []
    for ev in evals:
        label = "入力する" if not ev.status.answered else "見る・直す"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=_line(ev)),
                accessory=ButtonElement(text=label, action_id=ACTION_OPEN_ITEM, value=_ref(ev)),
            )
        )
    return blocks


def assignment_messages(
    rnd: Round, evals: list[Evaluation]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The DM an assignee gets: their departments' items and where each stands."""
    open_count = sum(1 for e in evals if not e.status.answered)
    text = (
        f"{round_title(rnd)}をお願いします。締切 {rnd.deadline:%Y-%m-%d}。"
        f"未提出 {open_count}件 / 全{len(evals)}件"
    )
    messages: list[tuple[str, list[dict[str, Any]]]] = []
    for start in range(0, max(len(evals), 1), ITEMS_PER_MESSAGE):
        chunk = evals[start : start + ITEMS_PER_MESSAGE]
        blocks: list[Block] = []
        if start == 0:
            blocks += [
                HeaderBlock(text=truncate(round_title(rnd), 150)),
                SectionBlock(text=MarkdownTextObject(text=text)),
            ]
        blocks += item_sections(chunk)
        messages.append((text, [b.to_dict() for b in blocks]))
    return messages


def home_blocks(
    rnd: Round, mine: list[Evaluation], progress: Progress | None, review: list[Evaluation]
) -> list[dict[str, Any]]:
    """The round at the top of the Home tab: your items; for admins, the board and the
    answers waiting for review."""
    blocks: list[Block] = [HeaderBlock(text=truncate(round_title(rnd), 150))]
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text=f"締切 {rnd.deadline:%Y-%m-%d}｜{rnd.plan}")]
        )
    )
    if mine:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*あなたの担当*")))
        blocks += item_sections(mine[: HOME_ITEMS_MAX // 2])
    if progress is not None:
        rows = [
            f"{d.department}: 提出 {d.submitted}/{d.total}・承認 {d.approved}・未提出 {d.open}"
            + (f"（差し戻し {d.returned}）" if d.returned else "")
            for d in progress.departments
        ]
        board = (
            f"*進捗（全体 提出 {progress.submitted}/{progress.total}・承認 {progress.approved}）*\n"
        )
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=truncate(board + "\n".join(rows), 3000)))
        )
        for ev in review[:10]:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=review_text(ev))))
            blocks.append(review_actions(ev))
    blocks.append(DividerBlock())
    return [b.to_dict() for b in blocks]


def review_text(ev: Evaluation) -> str:
    e = ev.entry
    grade = e.grade.value if e.grade else "?"
    return truncate(
        f"*事業{ev.item_no}* {ev.item.name}｜{ev.department}｜評価{grade}（{ev.updated_by and f'<@{ev.updated_by}>'}）\n"
        f"実績: {e.result_text}",
        3000,
    )


def review_actions(ev: Evaluation) -> ActionsBlock:
    value = _ref(ev)
    return ActionsBlock(
        elements=[
            ButtonElement(text="承認", action_id=ACTION_APPROVE, value=value, style="primary"),
            ButtonElement(text="差し戻す", action_id=ACTION_RETURN, value=value, style="danger"),
        ]
    )


# --- the modal ---------------------------------------------------------------------------

FIELD_LABELS: dict[EntryField, str] = {
    "plan_text": "事業予定（今年度）",
    "result_text": "事業実績（必須）",
    "grade": "評価",
    "next_plan_text": "次年度の事業予定",
    "comment": "コメント（事務局へ）",
}


def _text_input(field: EntryField, value: str, *, multiline: bool = True) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=FIELD_LABELS[field],
        optional=True,  # checked by planbot, so that the reason shows next to the field
        element=PlainTextInputElement(
            action_id="value",
            multiline=multiline,
            initial_value=value or None,
            max_length=MAX_TEXT,
        ),
    )


def grade_option(grade: Grade) -> Option:
    return Option(value=grade.value, text=f"{grade.value}: {grade.label_ja}")


def evaluation_modal(
    rnd: Round, ev: Evaluation, entry: Entry, draft: Draft | None, timezone: str
) -> dict[str, Any]:
    notes = [f"*事業{ev.item_no}* {ev.item.name}", f"{ev.department}｜{ev.status.label('ja')}"]
    if ev.status is EvaluationStatus.RETURNED and ev.review_comment:
        notes.append(f"↩️ 差し戻し: {ev.review_comment}")
    if draft is not None and draft.conflict is not None:
        c = draft.conflict
        when = c.changed_at.astimezone(ZoneInfo(timezone)).strftime("%m/%d %H:%M")
        notes.append(
            f"⚠️ <@{c.changed_by}> さんが {when} にこの事業を更新しました。"
            "あなたの入力は下書きとして残っています。現在の内容は下のとおりです。"
            "確認してから提出してください。\n"
            f"現在の評価: {ev.entry.grade.value if ev.entry.grade else '—'}｜実績: {truncate(ev.entry.result_text, 800)}"
        )
    elif draft is not None:
        notes.append("📝 下書きから再開しています")
    grade = StaticSelectElement(
        action_id="value",
        placeholder="A〜D",
        options=[grade_option(g) for g in Grade],
        initial_option=grade_option(entry.grade) if entry.grade else None,
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(notes), 3000))),
        _text_input("plan_text", entry.plan_text),
        _text_input("result_text", entry.result_text),
        InputBlock(block_id="grade", label="評価", optional=True, element=grade),
        _text_input("next_plan_text", entry.next_plan_text),
        _text_input("comment", entry.comment),
        ContextBlock(elements=[MarkdownTextObject(text="閉じても入力は下書きとして残ります。")]),
    ]
    ref = ItemRef(
        round_id=rnd.id, item_no=ev.item_no, department=ev.department, base_version=ev.version
    )
    view = View(
        type="modal",
        callback_id=CALLBACK_EVALUATION,
        title=PlainTextObject(text=f"事業{ev.item_no} 自己評価"[:24]),
        submit=PlainTextObject(text="提出"),
        close=PlainTextObject(text="閉じる"),
        notify_on_close=True,
        private_metadata=ref.model_dump_json(),
        blocks=blocks,
    )
    return view.to_dict()


def conflict_notice(ev: Evaluation, changed_by: str, when: str) -> dict[str, Any]:
    """What replaces the modal when a submission met someone else's newer answer."""
    text = (
        f"⚠️ *事業{ev.item_no}（{ev.department}）は <@{changed_by}> さんが {when} に更新していました。*\n"
        "あなたの入力は消えていません。下書きとして残してあります。"
        "もう一度開くと、あなたの下書きと現在の内容を見比べて提出し直せます。"
    )
    return View(
        type="modal",
        callback_id="round_conflict",
        title=PlainTextObject(text="ほかの人が更新済み"),
        close=PlainTextObject(text="閉じる"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    ).to_dict()


def return_modal(ev: Evaluation) -> dict[str, Any]:
    ref = ItemRef(round_id=ev.round_id, item_no=ev.item_no, department=ev.department)
    return View(
        type="modal",
        callback_id=CALLBACK_RETURN,
        title=PlainTextObject(text=f"事業{ev.item_no} 差し戻し"[:24]),
        submit=PlainTextObject(text="差し戻す"),
        close=PlainTextObject(text="やめる"),
        private_metadata=ref.model_dump_json(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=review_text(ev))),
            InputBlock(
                block_id="comment",
                label="差し戻しの理由（担当者に届きます）",
                optional=True,
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_TEXT
                ),
            ),
        ],
    ).to_dict()


def field_errors(problems: list[FieldProblem]) -> dict[str, str]:
    """response_action "errors": each problem under its own input block."""
    errors: dict[str, str] = {}
    for p in problems:
        errors[p.field] = f"{errors[p.field]} / {p.ja}" if p.field in errors else p.ja
    return errors


def raw_entry(state_values: dict[str, Any]) -> RawEntry:
    """What was typed in the modal, every field as a string (or None)."""

    def value(block: str) -> str | None:
        element = (state_values.get(block) or {}).get("value") or {}
        if element.get("type") == "static_select":
            selected = element.get("selected_option") or {}
            return selected.get("value")
        return element.get("value")

    return RawEntry(
        plan_text=value("plan_text"),
        result_text=value("result_text"),
        grade=value("grade"),
        next_plan_text=value("next_plan_text"),
        comment=value("comment"),
    )


# --- reminders -------------------------------------------------------------------------------


def reminder_messages(
    rnd: Round, open_items: list[Evaluation], days_left: int
) -> list[tuple[str, list[dict[str, Any]]]]:
    """An assignee's reminder: what is still open, with a button per item."""
    when = (
        "本日が締切です"
        if days_left <= 0
        else f"締切（{rnd.deadline:%m/%d}）まであと{days_left}日です"
    )
    text = f"⏰ {round_title(rnd)}: {when}。未提出 {len(open_items)}件"
    messages: list[tuple[str, list[dict[str, Any]]]] = []
    for start in range(0, len(open_items), ITEMS_PER_MESSAGE):
        blocks: list[Block] = []
        if start == 0:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
        blocks += item_sections(open_items[start : start + ITEMS_PER_MESSAGE])
        messages.append((text, [b.to_dict() for b in blocks]))
    return messages


def summary_messages(rnd: Round, progress: Progress) -> list[tuple[str, list[dict[str, Any]]]]:
    """The admins' daily summary in the last week."""
    text = (
        f"📊 {round_title(rnd)} 締切 {rnd.deadline:%m/%d}｜提出 {progress.submitted}/{progress.total}"
        f"・承認 {progress.approved}・未提出 {progress.open}"
    )
    rows = [
        f"・{d.department}: 未提出 {d.open}/{d.total}"
        + (f"（差し戻し {d.returned}）" if d.returned else "")
        for d in progress.departments
        if d.open
    ]
    body = text + ("\n" + "\n".join(rows) if rows else "\nすべて提出済みです。")
    return [(text, [SectionBlock(text=MarkdownTextObject(text=truncate(body, 3000))).to_dict()])]
