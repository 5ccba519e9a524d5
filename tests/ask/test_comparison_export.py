"""A comparison taken away as CSV and XLSX: both years' grades and the change on every
item's row, read back from the files the real answer exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from bot.ask.answer import Answerer
from bot.models import Answer, Grade, Intent
from bot.render.export import COLUMNS, to_csv, to_xlsx
from tests import reports

EARLIER, LATER = "令和2年度評価", "令和3年度評価"
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def compared(three_year_answerer: Answerer) -> Answer:
    answer = three_year_answerer.answer("高齢者支援課の令和2年度と令和3年度を比べてください")
    assert answer.intent == Intent.COMPARE and answer.comparison is not None
    return answer


def grades_of(answerer: Answerer, question: str) -> dict[int, Grade]:
    """Each item's grade as a plain list answer gives it (another shape, another query)."""
    answer = answerer.answer(question)
    assert answer.intent == Intent.LIST and answer.count, question
    return {i.item_no: i.grade for i in answer.items}


def read_csv(data: bytes) -> Rows:
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_xlsx(data: bytes) -> Rows:
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    return [
        {h: "" if v is None else str(v) for h, v in zip(header, r, strict=True)} for r in rows[1:]
    ]


def expected_change(before: Grade | None, after: Grade | None) -> str:
    if before is None:
        return "新規"
    if after is None:
        return "廃止"
    if before == after:
        return "同じ"
    return "上がった" if after < before else "下がった"


@pytest.mark.parametrize("read, encode", [(read_csv, to_csv), (read_xlsx, to_xlsx)])
def test_both_years_grades_and_the_change_on_every_row(
    three_year_answerer: Answerer,
    compared: Answer,
    read: Callable[[bytes], Rows],
    encode: Callable[[Answer], bytes],
) -> None:
    rows = read(encode(compared))
    assert EARLIER in rows[0] and LATER in rows[0] and "変化" in rows[0]
    assert "評価" not in rows[0]
    before = grades_of(three_year_answerer, "高齢者支援課の令和2年度の事業")
    after = grades_of(three_year_answerer, "高齢者支援課の令和3年度の事業")
    by_no = {int(r["事業番号"]): r for r in rows}
    assert len(by_no) == len(rows)  # one row per item
    assert set(by_no) == set(before) | set(after)
    for number, row in by_no.items():
        was, now = before.get(number), after.get(number)
        assert row[EARLIER] == (was.value if was else "")
        assert row[LATER] == (now.value if now else "")
        assert row["変化"] == expected_change(was, now)
    # The fixture's own changes: one item dropped (last reported in 2020), one added.
    assert by_no[reports.DROPPED_FY2021]["変化"] == "廃止"
    assert by_no[reports.DROPPED_FY2021]["年度"] == "2020"
    assert by_no[reports.ADDED_FY2021]["変化"] == "新規"
    assert by_no[42]["変化"] == "下がった"


@pytest.mark.parametrize(
    "department, question",
    [
        ("高齢者支援課", "高齢者支援課の令和2年度と令和3年度を比べてください"),
        # Renamed before FY2021: the old name holds FY2020's grades, the new FY2021's.
        ("子ども政策課", "子ども政策課の令和2年度と令和3年度を比べて"),
    ],
)
def test_the_totals_sheet_counts_each_year_as_that_year_holds_it(
    three_year_answerer: Answerer, department: str, question: str
) -> None:
    answer = three_year_answerer.answer(question)
    comparison = answer.comparison
    assert comparison is not None
    header, *by_department, totals = (
        [str(c) for c in row]
        for row in load_workbook(io.BytesIO(to_xlsx(answer)))["集計"].iter_rows(values_only=True)
    )
    sheet = {row[0]: dict(zip(header, row, strict=True)) for row in [*by_department, totals]}

    def year(row: dict[str, str], label: str) -> dict[str, int]:
        return {g.value: int(row[f"{label} {g.value}"]) for g in Grade}

    # The totals are the answer's own per-year counts, and the sum of the rows above.
    assert year(sheet["計"], "令和2年度") == comparison.from_grades
    assert year(sheet["計"], "令和3年度") == comparison.to_grades
    # Each year as a plain list of that year gives it: an item dropped in FY2021 counts in
    # FY2020 only, an added one in FY2021 only, each under the department that graded it.
    for label in ("令和2年度", "令和3年度"):
        listed = three_year_answerer.answer(f"{department}の{label}の事業")
        expected: dict[str, dict[str, int]] = {}
        for item in listed.items:
            counts = expected.setdefault(item.department, {g.value: 0 for g in Grade})
            counts[item.grade.value] += 1
        held = {name: year(row, label) for name, row in sheet.items() if name != "計"}
        assert {name: c for name, c in held.items() if any(c.values())} == expected, label
        assert int(sheet["計"][f"{label} 計"]) == listed.count, label
    if department == "高齢者支援課":
        dropped = next(r for r in comparison.rows if r.item_no == reports.DROPPED_FY2021)
        added = next(r for r in comparison.rows if r.item_no == reports.ADDED_FY2021)
        assert (dropped.to_grade, added.from_grade) == (None, None)
        # One item fewer each year than the items listed (the one the other year lacks).
        assert int(sheet["計"]["令和2年度 計"]) == len(answer.items) - 1
        assert int(sheet["計"]["令和3年度 計"]) == len(answer.items) - 1


def test_an_english_comparison_words_the_change_and_the_headers_in_english(
    three_year_answerer: Answerer, compared: Answer
) -> None:
    answer = three_year_answerer.answer("compare the elderly support division with last year")
    assert answer.language == "en" and answer.comparison is not None
    csv_rows = read_csv(to_csv(answer))
    header = list(csv_rows[0])
    # The Japanese export's columns, in its order, headed in English.
    at = header.index("FY2020 grade")
    assert header[at : at + 3] == ["FY2020 grade", "FY2021 grade", "change"]
    assert len(header) == len(read_csv(to_csv(compared))[0])
    assert header[:at] == ["municipality", "plan", "item", "name", "department", "fiscal year"]
    assert header[-3:] == ["source file", "sheet", "line"]
    for rows in (csv_rows, read_xlsx(to_xlsx(answer))):
        by_no = {int(r["item"]): r for r in rows}
        assert by_no[reports.DROPPED_FY2021]["change"] == "dropped"
        assert by_no[reports.DROPPED_FY2021]["FY2021 grade"] == ""
        assert by_no[reports.ADDED_FY2021]["change"] == "added"
        assert by_no[reports.ADDED_FY2021]["FY2020 grade"] == ""
        assert by_no[42]["change"] == "down"
        assert {r["change"] for r in by_no.values()} <= {"same", "up", "down", "added", "dropped"}
    totals = load_workbook(io.BytesIO(to_xlsx(answer)))["Totals"]
    head, *_, total = totals.iter_rows(values_only=True)
    assert head[:2] == ("Department", "FY2020 A") and head[-1] == "FY2021 Total"
    counts = dict(zip(head, total, strict=True))
    assert total[0] == "Total"
    assert {g.value: counts[f"FY2020 {g.value}"] for g in Grade} == answer.comparison.from_grades
    assert {g.value: counts[f"FY2021 {g.value}"] for g in Grade} == answer.comparison.to_grades


def test_other_answers_keep_the_one_grade_column(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("高齢者支援課の令和3年度の事業")
    assert answer.comparison is None
    assert list(read_csv(to_csv(answer))[0]) == list(COLUMNS)
    header = next(
        load_workbook(io.BytesIO(to_xlsx(answer))).worksheets[0].iter_rows(values_only=True)
    )
    assert "評価" in header and "変化" not in header
