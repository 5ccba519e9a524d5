"""A closed round's file is the report's own layout: ingest reads it back row for row."""

from __future__ import annotations

from pathlib import Path

from bot.ingest.report_text import parse_report_text
from bot.models import Report
from bot.round.export import report_text


def _rows(report: Report) -> set[tuple[object, ...]]:
    return {
        (e.item_number, e.department, e.grade, e.plan_text, e.result_text, e.next_plan_text)
        for e in report.evaluations
    }


def test_the_export_reads_back_as_the_same_report(tmp_path: Path, seed_report: Report) -> None:
    path = tmp_path / "fy2019_export.txt"
    path.write_text(report_text(seed_report), encoding="utf-8")
    again = parse_report_text(path)
    assert (again.fiscal_year, again.sheets) == (seed_report.fiscal_year, seed_report.sheets)
    assert _rows(again) == _rows(seed_report) and len(again.evaluations) == 41
    assert {i.number: i for i in again.items} == {i.number: i for i in seed_report.items}


def test_line_breaks_and_tabs_in_answers_survive(tmp_path: Path, seed_report: Report) -> None:
    first = seed_report.evaluations[0]
    edited = first.model_copy(update={"result_text": "1行目\n2行目\tタブ", "fiscal_year": 2020})
    rest = [e.model_copy(update={"fiscal_year": 2020}) for e in seed_report.evaluations[1:]]
    report = seed_report.model_copy(
        update={"fiscal_year": 2020, "next_fiscal_year": 2021, "evaluations": (edited, *rest)}
    )
    path = tmp_path / "fy2020_export.txt"
    path.write_text(report_text(report), encoding="utf-8")
    again = parse_report_text(path)
    assert again.fiscal_year == 2020
    row = next(
        e
        for e in again.evaluations
        if (e.item_number, e.department) == (first.item_number, first.department)
    )
    assert row.result_text == "1行目\n2行目 タブ"
