"""A report laid out as the office prints it: one sheet per department, each with the
report's header, the grade legend, the column labels, the plan's headings and the items.

Both export formats (workbook and text) write these rows; the ingest parser reads them
back into the same report.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from bot.models import GRADE_LABELS_JA, Evaluation, Goal, Grade, Item, Report
from bot.text import wareki

RowKind = Literal["title", "legend", "labels", "goal", "policy", "measure", "item", "more", "blank"]
Cell = str | int

#: The columns of an item row, in order (the labels say which is which).
COLUMN_COUNT = 10
#: Long texts: wrapped and wide in a workbook.
WRAPPED_COLUMNS = frozenset({1, 2, 6, 7, 9})
COLUMN_WIDTHS = (8, 30, 40, 8, 12, 16, 45, 45, 7, 45)


class LayoutRow(NamedTuple):
    kind: RowKind
    cells: tuple[Cell, ...]


class SheetLayout(NamedTuple):
    department: str
    rows: list[LayoutRow]

    @property
    def label_row(self) -> int:
        """The 1-based row of the column labels: rows up to it repeat on every page."""
        return next(i for i, r in enumerate(self.rows, start=1) if r.kind == "labels")


def report_layout(report: Report) -> list[SheetLayout]:
    """Every department sheet of the report, in the report's order."""
    items = {i.number: i for i in report.items}
    by_sheet: dict[str, list[Evaluation]] = {s: [] for s in report.sheets}
    for ev in report.evaluations:
        by_sheet.setdefault(ev.source.sheet, []).append(ev)
    return [_sheet(report, sheet, evs, items) for sheet, evs in by_sheet.items() if evs]


def labels(report: Report) -> tuple[str, ...]:
    year = wareki(report.fiscal_year)
    following = wareki(report.next_fiscal_year) if report.next_fiscal_year else "次年度"
    return (
        "事業番号",
        "事業名",
        "事業概要",
        "区分",
        "事業の対象者",
        "主管課",
        f"{year}事業予定",
        f"{year}事業実績",
        "評価",
        f"{following}事業予定",
    )


def _sheet(
    report: Report, sheet: str, evaluations: list[Evaluation], items: dict[int, Item]
) -> SheetLayout:
    rows = [
        LayoutRow("title", (f"{report.title}【対象課 {sheet}】",)),
        LayoutRow("blank", ()),
        LayoutRow("legend", ("【評価基準について】",)),
        LayoutRow("legend", ("<主管課の自己評価>",)),
        *(LayoutRow("legend", (f"{g.value}: {GRADE_LABELS_JA[g]}。",)) for g in Grade),
        LayoutRow("blank", ()),
        LayoutRow("labels", labels(report)),
    ]
    place: tuple[int, int, int] | None = None
    previous: int | None = None
    for ev in evaluations:
        item = items[ev.item_number]
        here = (item.goal.number, item.policy.number, item.measure.number)
        if here != place:
            if place is None or here[0] != place[0]:
                rows.append(LayoutRow("goal", (_goal_heading(item.goal),)))
            if place is None or here[:2] != place[:2]:
                rows.append(
                    LayoutRow("policy", (f"基本施策{item.policy.number} {item.policy.title}",))
                )
            star = "(★)" if item.measure.priority else ""
            rows.append(
                LayoutRow("measure", (f"({item.measure.number}){item.measure.title}{star}",))
            )
            place, previous = here, None
        texts = (ev.department, ev.plan_text, ev.result_text, ev.grade.value, ev.next_plan_text)
        if previous == item.number:
            # Another department's row for the item above: its number and name are not repeated.
            rows.append(LayoutRow("more", ("", "", "", "", "", *texts)))
        else:
            targets = "・".join(item.target_groups)
            fields = (item.number, item.name, item.summary, item.category, targets)
            rows.append(LayoutRow("item", (*fields, *texts)))
        previous = item.number
    return SheetLayout(sheet, rows)


def _goal_heading(goal: Goal) -> str:
    counts = "/".join(f"{k}:{v}" for k, v in goal.category_counts.items())
    return f"基本目標{goal.numeral or goal.number} {goal.title}" + (f"({counts})" if counts else "")
