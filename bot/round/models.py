"""What an evaluation round holds: the round, each evaluation's answer and status, reviews.

A round collects next year's self-evaluations: one evaluation per item × responsible
department of the latest report, answered by the department's assignees, reviewed by
the office, and written into the warehouse as that fiscal year's report when closed.
Every value that crosses a boundary (state database, Slack modal metadata, CLI JSON) is
one of these models.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.models import GRADE_LABELS_EN, GRADE_LABELS_JA, Grade, Item, Language

#: Slack's plain_text_input holds at most 3,000 characters; the CLI keeps the same limit
#: so that an answer entered by mail fits the modal when someone edits it later.
MAX_TEXT = 3000


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvaluationStatus(StrEnum):
    EMPTY = "empty"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    def label(self, lang: Language = "ja") -> str:
        return (STATUS_LABELS_JA if lang == "ja" else STATUS_LABELS_EN)[self]

    @property
    def answered(self) -> bool:
        """Submitted or approved: the department has given its answer."""
        return self in (EvaluationStatus.SUBMITTED, EvaluationStatus.APPROVED)


STATUS_LABELS_JA: dict[EvaluationStatus, str] = {
    EvaluationStatus.EMPTY: "未入力",
    EvaluationStatus.DRAFT: "下書き",
    EvaluationStatus.SUBMITTED: "提出済",
    EvaluationStatus.RETURNED: "差し戻し",
    EvaluationStatus.APPROVED: "承認",
}
STATUS_LABELS_EN: dict[EvaluationStatus, str] = {
    EvaluationStatus.EMPTY: "not started",
    EvaluationStatus.DRAFT: "draft",
    EvaluationStatus.SUBMITTED: "submitted",
    EvaluationStatus.RETURNED: "returned",
    EvaluationStatus.APPROVED: "approved",
}


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Role(StrEnum):
    ASSIGNEE = "assignee"
    REVIEWER = "reviewer"


class Round(Frozen):
    id: str
    municipality: str
    plan: str
    title: str
    fiscal_year: int
    #: The report whose items and next-year plans the round starts from.
    source_fiscal_year: int
    deadline: date
    status: RoundStatus
    opened_by: str
    opened_at: datetime
    closed_by: str | None = None
    closed_at: datetime | None = None


class Entry(Frozen):
    """A department's answer for one item: what the modal and `round submit` take."""

    plan_text: str = Field(default="", max_length=MAX_TEXT)
    result_text: str = Field(default="", max_length=MAX_TEXT)
    grade: Grade | None = None
    next_plan_text: str = Field(default="", max_length=MAX_TEXT)
    comment: str = Field(default="", max_length=MAX_TEXT)


EntryField = Literal["plan_text", "result_text", "grade", "next_plan_text", "comment"]
ENTRY_FIELDS: tuple[EntryField, ...] = (
    "plan_text",
    "result_text",
    "grade",
    "next_plan_text",
    "comment",
)


class FieldProblem(Frozen):
    field: EntryField
    ja: str
    en: str

    def text(self, lang: Language) -> str:
        return self.ja if lang == "ja" else self.en


class RawEntry(BaseModel):
    """An answer as typed: every field a string, nothing checked yet."""

    plan_text: str | None = None
    result_text: str | None = None
    grade: str | None = None
    next_plan_text: str | None = None
    comment: str | None = None


def parse_grade(raw: str | None) -> Grade | None:
    """A grade as typed or chosen: "B", "ｂ", "B 概ね順調", or the legend's words."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    head = text.split()[0].upper()
    for grade in Grade:
        if head == grade.value or text in (GRADE_LABELS_JA[grade], GRADE_LABELS_EN[grade]):
            return grade
    raise ValueError(text)


def check_entry(raw: RawEntry, *, final: bool) -> Entry | list[FieldProblem]:
    """The answer, or every problem with it, field by field.

    A draft (``final=False``) only has to fit; a submission also needs a result and a
    grade. Problems name their field so that a modal can show each beside its input.
    """
    problems: list[FieldProblem] = []
    texts: dict[str, str] = {}
    for name in ("plan_text", "result_text", "next_plan_text", "comment"):
        value = (getattr(raw, name) or "").strip()
        if len(value) > MAX_TEXT:
            problems.append(
                FieldProblem(
                    field=name,  # type: ignore[arg-type]
                    ja=f"{MAX_TEXT}文字以内で入力してください（{len(value)}文字）",
                    en=f"at most {MAX_TEXT} characters ({len(value)} given)",
                )
            )
        texts[name] = value
    grade: Grade | None = None
    try:
        grade = parse_grade(raw.grade)
    except ValueError as exc:
        choices = " / ".join(f"{g.value}（{g.label_ja}）" for g in Grade)
        problems.append(
            FieldProblem(
                field="grade",
                ja=f"評価「{exc}」はありません。{choices} から選んでください",
                en=f"there is no grade {exc!s}: choose one of "
                + ", ".join(f"{g.value} ({g.label_en})" for g in Grade),
            )
        )
    if final and not texts["result_text"]:
        problems.append(
            FieldProblem(
                field="result_text",
                ja="事業実績を入力してください",
                en="the result (事業実績) is required",
            )
        )
    if final and grade is None and not any(p.field == "grade" for p in problems):
        problems.append(
            FieldProblem(field="grade", ja="評価を選んでください", en="a grade is required")
        )
    if problems:
        return problems
    return Entry(grade=grade, **texts)


class Evaluation(Frozen):
    """One evaluation of the round: an item for one department, and where it stands."""

    round_id: str
    item_no: int
    department: str
    sheet_department: str
    position: int
    item: Item
    #: Last year's 次年度予定: what the department said it would do this year.
    prefill_plan_text: str
    status: EvaluationStatus
    entry: Entry
    version: int
    updated_by: str | None = None
    updated_at: datetime | None = None
    review_comment: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @property
    def key(self) -> EvaluationKey:
        return EvaluationKey(item_no=self.item_no, department=self.department)


class EvaluationKey(Frozen):
    item_no: int = Field(ge=1)
    department: str


class Draft(Frozen):
    """What one person typed and has not submitted (or could not: a conflict)."""

    item_no: int
    department: str
    user_id: str
    entry: Entry
    #: The evaluation's version when the modal was opened.
    base_version: int
    saved_at: datetime
    #: Set when a submission met someone else's newer one: both are kept.
    conflict: Conflict | None = None


class Conflict(Frozen):
    changed_by: str
    changed_at: datetime
    version: int


class Member(Frozen):
    department: str
    user_id: str
    role: Role


class DepartmentProgress(Frozen):
    department: str
    total: int
    submitted: int
    approved: int
    open: int
    drafts: int
    returned: int


class Progress(Frozen):
    """`planbot round status --json`."""

    fiscal_year: int
    municipality: str
    plan: str
    deadline: date
    status: RoundStatus
    total: int
    submitted: int
    approved: int
    open: int
    departments: tuple[DepartmentProgress, ...]


class AuditRow(Frozen):
    id: int
    round_id: str
    at: datetime
    actor: str
    action: str
    item_no: int | None
    department: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None


Draft.model_rebuild()
