"""A closed round as a progress report: the same model the text and workbook parsers make,
so the warehouse writer, answers, digests and year-over-year comparisons take it as is."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from bot.models import Evaluation as ReportEvaluation
from bot.models import Goal, Report, SourceRef
from bot.round.models import Evaluation, Round

#: The name a round's report is known by in the warehouse (its "file").
SOURCE_PREFIX = "slack-round"


def source_file(rnd: Round) -> str:
    return f"{SOURCE_PREFIX}-fy{rnd.fiscal_year}"


def entered_in_slack(ev: Evaluation, timezone: str) -> str:
    """Where the row came from, as a source names its file: entered in Slack, by whom, when."""
    when = (
        ev.updated_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        if ev.updated_at
        else "?"
    )
    return f"Slack入力 {ev.updated_by or '?'} {when}"


def round_report(rnd: Round, answered: list[Evaluation], timezone: str) -> Report:
    """The round's answered evaluations as the fiscal year's report."""
    rows: list[ReportEvaluation] = []
    for ev in answered:
        if ev.entry.grade is None:
            continue  # answered always carries a grade; kept out rather than guessed
        rows.append(
            ReportEvaluation(
                item_number=ev.item_no,
                department=ev.department,
                sheet_department=ev.sheet_department,
                fiscal_year=rnd.fiscal_year,
                plan_text=ev.entry.plan_text,
                result_text=ev.entry.result_text,
                grade=ev.entry.grade,
                next_plan_text=ev.entry.next_plan_text,
                source=SourceRef(
                    file=entered_in_slack(ev, timezone), sheet=ev.sheet_department, line=ev.position
                ),
            )
        )
    numbers = {r.item_number for r in rows}
    items = {ev.item_no: ev.item for ev in answered if ev.item_no in numbers}
    goals: dict[int, Goal] = {i.goal.number: i.goal for i in items.values()}
    sheets = tuple(dict.fromkeys(r.sheet_department for r in rows))
    digest = hashlib.sha256()
    for r in rows:
        digest.update(r.model_dump_json().encode())
    return Report(
        municipality=rnd.municipality,
        plan=rnd.plan,
        title=rnd.title,
        fiscal_year=rnd.fiscal_year,
        next_fiscal_year=rnd.fiscal_year + 1,
        source_file=source_file(rnd),
        checksum=digest.hexdigest(),
        sheets=sheets,
        goals=tuple(goals[n] for n in sorted(goals)),
        items=tuple(items[n] for n in sorted(items)),
        evaluations=tuple(rows),
    )
