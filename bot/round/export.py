"""A report written back as the tab-separated text export the office knows: one sheet per
department (【対象課 X】), the grade legend, the hierarchy headings, the label row and one
row per evaluation (a continuation row for an item's second department), so that
`planbot ingest` reads the file it writes."""

from __future__ import annotations

from bot.models import Grade, Report
from bot.text import int_to_roman, wareki

CELLS = 10
LEGEND = (
    "A: 順調または目標達成。",
    "B: 概ね順調。更に工夫しながら実施。",
    "C: 検討が必要。",
    "D: 極めて不十分。実施せず。",
)


def _row(*cells: str) -> str:
    padded = [c.replace("\t", " ").replace("\r", "").replace("\n", "<br>") for c in cells]
    padded += [""] * (CELLS - len(padded))
    return "\t".join(padded)


def report_text(report: Report) -> str:
    assert len(LEGEND) == len(Grade)
    year, next_year = wareki(report.fiscal_year), wareki(report.fiscal_year + 1)
    items = {i.number: i for i in report.items}
    lines: list[str] = []
    for sheet in report.sheets:
        rows = [e for e in report.evaluations if e.sheet_department == sheet]
        lines += [
            "",
            f"{report.title}【対象課 {sheet}】",
            "",
            "【評価基準について】",
            " <主管課の自己評価>",
        ]
        lines += [f" {entry}" for entry in LEGEND]
        lines += [
            "",
            _row("基本目標"),
            _row("基本施策"),
            _row("施策"),
            _row(
                "事業名",
                "事業概要",
                "区分",
                "事業の対象者",
                "主管課",
                f"{year}事業予定",
                f"{year}事業実績",
                "評価",
                f"{next_year}事業予定",
            ),
        ]
        goal = policy = measure = None
        previous_item: int | None = None
        for ev in sorted(rows, key=lambda e: e.source.line):
            item = items[ev.item_number]
            if item.goal.number != goal:
                goal, policy, measure = item.goal.number, None, None
                counts = "/".join(f"{k}:{v}" for k, v in item.goal.category_counts.items())
                lines.append(
                    _row(
                        f"基本目標{int_to_roman(goal)} {item.goal.title}"
                        + (f"（{counts}）" if counts else "")
                    )
                )
            if item.policy.number != policy:
                policy, measure = item.policy.number, None
                lines.append(_row(f"基本施策{policy} {item.policy.title}"))
            if item.measure.number != measure:
                measure = item.measure.number
                star = "(★)" if item.measure.priority else ""
                lines.append(_row(f"({measure}){item.measure.title}{star}"))
            head: tuple[str, ...]
            if ev.item_number == previous_item:
                head = ("", "", "", "", "")
            else:
                # The item's name keeps its "(事業19再掲)" as the report wrote it.
                head = (
                    str(item.number),
                    item.name,
                    item.summary,
                    item.category,
                    "/".join(item.target_groups),
                )
            lines.append(
                _row(
                    *head,
                    ev.department,
                    ev.plan_text,
                    ev.result_text,
                    ev.grade.value,
                    ev.next_plan_text,
                )
            )
            previous_item = ev.item_number
    return "\n".join(lines) + "\n"
