"""The evaluation round's core: what the CLI and Slack both call.

Faces pass who is acting and what they typed; the service checks, stores (with its
audit row) and returns models. It never formats a message.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.ingest.warehouse import IngestResult, write_reports
from bot.models import BasicPolicy, Goal, Item, Measure, Report
from bot.round.models import (
    Conflict,
    DepartmentProgress,
    Draft,
    Entry,
    Evaluation,
    EvaluationKey,
    EvaluationStatus,
    FieldProblem,
    Member,
    Progress,
    RawEntry,
    Role,
    Round,
    RoundStatus,
    check_entry,
)
from bot.round.report import round_report
from bot.round.store import RoundExists, RoundStore
from bot.store.database import Store
from bot.text import search_key

DEPARTMENTS_FILE = "departments.toml"


class RoundError(ValueError):
    """Something the person asked cannot be done; ``ja`` and ``en`` say why."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(en)
        self.ja = ja
        self.en = en

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class DepartmentPeople(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignees: list[str] = Field(default_factory=list)
    reviewers: list[str] = Field(default_factory=list)


class DepartmentsFile(BaseModel):
    """``data/departments.toml``: who answers and who reviews for each department."""

    model_config = ConfigDict(extra="forbid")
    departments: dict[str, DepartmentPeople] = Field(default_factory=dict)


def load_departments(path: Path) -> DepartmentsFile:
    if not path.is_file():
        return DepartmentsFile()
    try:
        return DepartmentsFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise RoundError(f"{path}: 読めません: {exc}", f"{path}: cannot be read: {exc}") from exc


@dataclass(frozen=True)
class Submitted:
    evaluation: Evaluation
    reopened: bool = False


@dataclass(frozen=True)
class Conflicted:
    conflict: Conflict
    current: Evaluation


@dataclass(frozen=True)
class Refused:
    problems: list[FieldProblem]


SubmitOutcome = Submitted | Conflicted | Refused


@dataclass(frozen=True)
class Closed:
    round: Round
    report: Report
    ingest: IngestResult
    missing: list[Evaluation]


@dataclass(frozen=True)
class CloseRefused:
    round: Round
    open: list[Evaluation]


@dataclass
class RoundService:
    store: RoundStore
    warehouse: Store
    data_dir: Path
    timezone: str = "Asia/Tokyo"
    #: With PostgreSQL, closing a round writes the warehouse under the writers' lock
    #: shared by every host.
    database_url: str | None = None
    municipality: str | None = None
    admins: tuple[str, ...] = ()
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # --- which round -----------------------------------------------------------------
    def current(self, fiscal_year: int | None = None) -> Round:
        """The round asked for: by fiscal year, else the newest open one, else the newest."""
        found = [
            r
            for r in self.store.rounds()
            if (self.municipality is None or r.municipality == self.municipality)
            and (fiscal_year is None or r.fiscal_year == fiscal_year)
        ]
        if not found:
            which = f"{fiscal_year}年度の" if fiscal_year else ""
            raise RoundError(
                f"{which}評価ラウンドはまだありません（/plan round open 年度 締切 日付 で開始）",
                f"no evaluation round{f' for FY{fiscal_year}' if fiscal_year else ''} yet"
                " (start one with `round open`)",
            )
        open_ = [r for r in found if r.status is RoundStatus.OPEN]
        return (open_ or found)[-1]

    # --- opening ---------------------------------------------------------------------
    def open(self, fiscal_year: int, deadline: date, by: str, *, plan: str | None = None) -> Round:
        sources = self.warehouse.run(
            "round_sources", fiscal_year=fiscal_year - 1, municipality=self.municipality
        ).rows
        if plan:
            key = search_key(plan)
            sources = [s for s in sources if key in search_key(s["plan"])]
        if not sources:
            raise RoundError(
                f"{fiscal_year}年度の前の年度の報告書がありません（先に取り込んでください）",
                f"no report before FY{fiscal_year} to start from: ingest last year's report first",
            )
        if len(sources) > 1:
            names = "、".join(f"{s['municipality']} {s['plan']}" for s in sources)
            raise RoundError(
                f"計画を指定してください（--plan）: {names}",
                f"several plans; name one with --plan: {names}",
            )
        src = sources[0]
        rows = self.warehouse.run(
            "round_template",
            cap=100_000,
            fiscal_year=src["fiscal_year"],
            municipality=src["municipality"],
            plan=src["plan"],
        ).rows
        now = self.now()
        rnd = Round(
            id=uuid.uuid4().hex,
            municipality=src["municipality"],
            plan=src["plan"],
            title=src["title"],
            fiscal_year=fiscal_year,
            source_fiscal_year=src["fiscal_year"],
            deadline=deadline,
            status=RoundStatus.OPEN,
            opened_by=by,
            opened_at=now,
        )
        evals = [_template_evaluation(rnd.id, i, row) for i, row in enumerate(rows, start=1)]
        people = self._mapped_people({e.department for e in evals})
        try:
            self.store.create(rnd, evals, people, by)
        except RoundExists as exc:
            raise RoundError(
                f"{fiscal_year}年度の評価ラウンドはすでに開始されています",
                f"the FY{fiscal_year} round was already opened",
            ) from exc
        return rnd

    def _mapped_people(self, departments: set[str]) -> list[Member]:
        mapping = load_departments(self.data_dir / DEPARTMENTS_FILE)
        people: list[Member] = []
        for name, who in mapping.departments.items():
            department = _resolve(name, departments)
            if department is None:
                continue
            people += [
                Member(department=department, user_id=u, role=Role.ASSIGNEE) for u in who.assignees
            ]
            people += [
                Member(department=department, user_id=u, role=Role.REVIEWER) for u in who.reviewers
            ]
        return list(dict.fromkeys(people))

    # --- people ----------------------------------------------------------------------
    def departments(self, rnd: Round) -> list[str]:
        return list(dict.fromkeys(e.department for e in self.store.evaluations(rnd.id)))

    def assign(
        self, department: str, users: Sequence[str], by: str, *, role: Role = Role.ASSIGNEE
    ) -> tuple[str, list[Member]]:
        rnd = self.current()
        names = self.departments(rnd)
        resolved = _resolve(department, names)
        if resolved is None:
            raise RoundError(
                f"「{department}」はこのラウンドの課にありません: {'、'.join(names)}",
                f"{department!r} is not a department of this round: {', '.join(names)}",
            )
        if not users:
            raise RoundError(
                "担当者を指定してください（@名前）", "name at least one person (@name)"
            )
        added = self.store.add_members(
            rnd.id,
            [Member(department=resolved, user_id=u, role=role) for u in users],
            by,
            self.now(),
        )
        return resolved, added

    def members(self, rnd: Round) -> list[Member]:
        return self.store.members(rnd.id)

    def assignees(self, rnd: Round, department: str) -> list[str]:
        return [
            m.user_id
            for m in self.members(rnd)
            if m.department == department and m.role is Role.ASSIGNEE
        ]

    def is_admin(self, user: str) -> bool:
        return user in self.admins

    def may_answer(self, rnd: Round, user: str, department: str) -> bool:
        return self.is_admin(user) or user in self.assignees(rnd, department)

    def may_review(self, rnd: Round, user: str, department: str) -> bool:
        return self.is_admin(user) or any(
            m.user_id == user and m.department == department and m.role is Role.REVIEWER
            for m in self.members(rnd)
        )

    def assignments(self, user: str) -> list[Evaluation]:
        """The evaluations of every department ``user`` answers for, in the report's order."""
        rnd = self.current()
        mine = {
            m.department for m in self.members(rnd) if m.user_id == user and m.role is Role.ASSIGNEE
        }
        return [e for e in self.store.evaluations(rnd.id) if e.department in mine]

    # --- answers ---------------------------------------------------------------------
    def evaluation(self, rnd: Round, key: EvaluationKey) -> Evaluation:
        found = self.store.evaluation(rnd.id, key)
        if found is None:
            raise RoundError(
                f"事業{key.item_no}（{key.department}）はこのラウンドにありません",
                f"item {key.item_no} ({key.department}) is not in this round",
            )
        return found

    def key(self, rnd: Round, item_no: int, department: str) -> EvaluationKey:
        resolved = _resolve(department, self.departments(rnd))
        if resolved is None:
            raise RoundError(
                f"「{department}」はこのラウンドの課にありません",
                f"{department!r} is not a department of this round",
            )
        key = EvaluationKey(item_no=item_no, department=resolved)
        self.evaluation(rnd, key)
        return key

    def form(
        self, rnd: Round, key: EvaluationKey, user: str
    ) -> tuple[Evaluation, Entry, Draft | None]:
        """What a modal opens with: the person's draft, else the answer, else the prefill."""
        ev = self.evaluation(rnd, key)
        draft = self.store.draft(rnd.id, key, user)
        return ev, (draft.entry if draft else ev.entry), draft

    def save_draft(
        self, rnd: Round, key: EvaluationKey, raw: RawEntry, by: str, base_version: int
    ) -> Evaluation | Refused:
        checked = check_entry(raw, final=False)
        if isinstance(checked, list):
            # Too long to keep as typed: keep what fits rather than nothing.
            checked = Entry(
                **{
                    k: (getattr(raw, k) or "")[:3000]
                    for k in ("plan_text", "result_text", "next_plan_text", "comment")
                }
            )
        draft = Draft(
            item_no=key.item_no,
            department=key.department,
            user_id=by,
            entry=checked,
            base_version=base_version,
            saved_at=self.now(),
        )
        return self.store.save_draft(rnd.id, draft)

    def submit(
        self,
        rnd: Round,
        key: EvaluationKey,
        raw: RawEntry,
        by: str,
        *,
        base_version: int | None = None,
    ) -> SubmitOutcome:
        checked = check_entry(raw, final=True)
        if isinstance(checked, list):
            return Refused(checked)
        result = self.store.submit(rnd.id, key, checked, by, self.now(), base_version)
        if isinstance(result, Conflict):
            return Conflicted(result, self.evaluation(rnd, key))
        reopened = False
        if rnd.status is RoundStatus.CLOSED:
            # An edit after closing reopens the round; closing again replaces the year.
            reopened = self.store.set_status(
                rnd.id, RoundStatus.OPEN, by, self.now(), {"edited": key.model_dump()}
            )
        return Submitted(result, reopened)

    def review(
        self, rnd: Round, key: EvaluationKey, *, approve: bool, comment: str, by: str
    ) -> Evaluation:
        if not approve and not comment.strip():
            raise RoundError(
                "差し戻しには理由（コメント）を書いてください",
                "returning an answer needs a comment saying why",
            )
        status = EvaluationStatus.APPROVED if approve else EvaluationStatus.RETURNED
        done = self.store.review(rnd.id, key, status, comment.strip(), by, self.now())
        if done is None:
            raise RoundError(
                f"事業{key.item_no}（{key.department}）はまだ提出されていません",
                f"item {key.item_no} ({key.department}) has not been submitted",
            )
        return done

    # --- progress --------------------------------------------------------------------
    def progress(self, fiscal_year: int | None = None) -> Progress:
        rnd = self.current(fiscal_year)
        evals = self.store.evaluations(rnd.id)
        by_department: dict[str, list[Evaluation]] = {}
        for ev in evals:
            by_department.setdefault(ev.department, []).append(ev)
        departments = tuple(_department_progress(d, evs) for d, evs in by_department.items())
        return Progress(
            fiscal_year=rnd.fiscal_year,
            municipality=rnd.municipality,
            plan=rnd.plan,
            deadline=rnd.deadline,
            status=rnd.status,
            total=len(evals),
            submitted=sum(d.submitted for d in departments),
            approved=sum(d.approved for d in departments),
            open=sum(d.open for d in departments),
            departments=departments,
        )

    def open_evaluations(self, rnd: Round) -> list[Evaluation]:
        return [e for e in self.store.evaluations(rnd.id) if not e.status.answered]

    # --- closing ---------------------------------------------------------------------
    def close(
        self, by: str, *, force: bool = False, fiscal_year: int | None = None
    ) -> Closed | CloseRefused:
        rnd = self.current(fiscal_year)
        evals = self.store.evaluations(rnd.id)
        missing = [e for e in evals if not e.status.answered]
        if missing and not force:
            return CloseRefused(rnd, missing)
        answered = [e for e in evals if e.status.answered]
        if not answered:
            raise RoundError(
                "提出された評価がひとつもないため、報告書を作れません",
                "no evaluation was submitted: there is no report to write",
            )
        report = round_report(rnd, answered, self.timezone)
        # Closing with --force accepts that the missing evaluations are not written: the
        # year held before (if any) loses them, as the close said.
        ingest = write_reports(
            self.data_dir, [report], allow_removals=force, database_url=self.database_url
        )
        self.store.set_status(
            rnd.id,
            RoundStatus.CLOSED,
            by,
            self.now(),
            {
                "snapshot": ingest.snapshot,
                "evaluations": len(report.evaluations),
                "missing": [e.key.model_dump() for e in missing],
            },
        )
        closed = self.store.round(rnd.id)
        assert closed is not None
        return Closed(closed, report, ingest, missing)


def _department_progress(department: str, evs: Iterable[Evaluation]) -> DepartmentProgress:
    evs = list(evs)
    count = lambda *s: sum(1 for e in evs if e.status in s)  # noqa: E731
    submitted = count(EvaluationStatus.SUBMITTED, EvaluationStatus.APPROVED)
    return DepartmentProgress(
        department=department,
        total=len(evs),
        submitted=submitted,
        approved=count(EvaluationStatus.APPROVED),
        open=len(evs) - submitted,
        drafts=count(EvaluationStatus.DRAFT),
        returned=count(EvaluationStatus.RETURNED),
    )


def _resolve(name: str, departments: Iterable[str]) -> str | None:
    """A department as typed (子供政策課, 子ども政策, ＃…) among the round's, or None."""
    names = list(departments)
    if name in names:
        return name
    typed = _department_key(name)
    exact = [d for d in names if _department_key(d) == typed]
    if len(exact) == 1:
        return exact[0]
    partial = [d for d in names if typed and typed in _department_key(d)]
    return partial[0] if len(partial) == 1 else None


def _department_key(name: str) -> str:
    return search_key(name).removesuffix("課")


def _template_evaluation(round_id: str, position: int, row: dict[str, object]) -> Evaluation:
    goal = Goal(
        number=int(row["goal_no"]),  # type: ignore[arg-type]
        numeral=str(row["goal_numeral"]),
        title=str(row["goal_title"]),
        category_counts=json.loads(str(row["category_counts"])) if row["category_counts"] else {},
    )
    item = Item(
        number=int(row["item_no"]),  # type: ignore[arg-type]
        name=str(row["item_name"]),
        summary=str(row["item_summary"]),
        category=str(row["category"]),
        target_groups=tuple(row["target_groups"] or ()),  # type: ignore[arg-type]
        relisted_from=row["relisted_from"],  # type: ignore[arg-type]
        goal=goal,
        policy=BasicPolicy(
            goal=goal.number, number=int(row["policy_no"]), title=str(row["policy_title"])
        ),  # type: ignore[arg-type]
        measure=Measure(
            goal=goal.number,
            policy=int(row["policy_no"]),  # type: ignore[arg-type]
            number=int(row["measure_no"]),  # type: ignore[arg-type]
            title=str(row["measure_title"]),
            priority=bool(row["priority"]),
        ),
    )
    prefill = str(row["next_plan_text"] or "")
    return Evaluation(
        round_id=round_id,
        item_no=item.number,
        department=str(row["department"]),
        sheet_department=str(row["sheet_department"]),
        position=position,
        item=item,
        prefill_plan_text=prefill,
        status=EvaluationStatus.EMPTY,
        entry=Entry(plan_text=prefill),
        version=0,
    )
