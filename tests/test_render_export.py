"""CSV and XLSX exports of real answers: round trips, encoding, formula injection."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.ask.answer import Answerer
from bot.models import Answer
from bot.render.export import (
    COLUMNS,
    XLSX_COLUMNS,
    answer_rows,
    display_width,
    export_filename,
    sheet_title,
    to_csv,
    to_xlsx,
)

INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def answer(seed_answerer: Answerer) -> Answer:
    return seed_answerer.answer("子ども家庭支援センターの事業")


@pytest.fixture(scope="module")
def hostile(answer: Answer) -> Answer:
    """The real answer with texts that break naive CSV writers and spreadsheets."""
    first, second, third, *rest = answer.items
    items = (
        first.model_copy(update={"name": INJECTION}),
        second.model_copy(update={"name": 'a,b "quoted"\nnext line', "summary": "+SUM(1,2)"}),
        third.model_copy(update={"plan_text": "-2+3", "result_text": "@HYPERLINK(x)"}),
        *rest,
    )
    return answer.model_copy(update={"items": items})


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_rows_have_the_report_headers(answer: Answer) -> None:
    rows = answer_rows(answer)
    assert len(rows) == len(answer.items) == 23
    assert list(rows[0]) == list(COLUMNS)
    item = answer.items[0]
    assert rows[0]["事業番号"] == item.item_no
    assert rows[0]["主管課"] == "子ども家庭支援センター"
    assert rows[0]["評価"] == item.grade.value
    assert rows[0]["出典行"] == item.source.line
    assert rows[0]["出典ファイル"] == item.source.file


def test_csv_round_trips_with_bom_and_crlf(answer: Answer) -> None:
    data = to_csv(answer)
    parsed = read_csv(data)
    assert len(parsed) == len(answer.items)
    assert list(parsed[0]) == list(COLUMNS)
    expected = [{k: str(v) for k, v in row.items()} for row in answer_rows(answer)]
    assert parsed == expected
    assert data[3:].decode("utf-8").split("\r\n", 1)[0] == ",".join(COLUMNS)
    assert data.endswith(b"\r\n")


def test_csv_quotes_commas_newlines_and_quotes(hostile: Answer) -> None:
    parsed = read_csv(to_csv(hostile))
    assert len(parsed) == len(hostile.items)
    assert parsed[1]["事業名"] == 'a,b "quoted"\nnext line'


def test_formulas_are_neutralised_in_csv(hostile: Answer) -> None:
    parsed = read_csv(to_csv(hostile))
    assert parsed[0]["事業名"] == "'" + INJECTION
    assert parsed[1]["事業概要"] == "'+SUM(1,2)"
    assert parsed[2]["事業予定"] == "'-2+3"
    assert parsed[2]["事業実績"] == "'@HYPERLINK(x)"
    for row in parsed:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_xlsx_has_the_same_rows_and_a_usable_layout(answer: Answer) -> None:
    wb = load_workbook(io.BytesIO(to_xlsx(answer)))
    ws = wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == list(XLSX_COLUMNS) and set(XLSX_COLUMNS) == set(COLUMNS)
    expected = [
        [row[c] if row[c] != "" else None for c in XLSX_COLUMNS] for row in answer_rows(answer)
    ]
    assert values[1:] == expected
    assert all(cell.font.bold for cell in ws[1])
    # The label row and the item's number and name stay in view, not constant columns.
    assert values[0][:2] == ["事業番号", "事業名"] and ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == ws.dimensions
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$1:$1"
    assert len(ws.title) <= 31
    result_col = XLSX_COLUMNS.index("事業実績") + 1
    assert ws.cell(row=2, column=result_col).alignment.wrap_text
    assert ws.column_dimensions["B"].width >= 30  # 事業名
    dept_col = get_column_letter(XLSX_COLUMNS.index("主管課") + 1)
    longest = max(display_width(i.department) for i in answer.items)
    assert ws.column_dimensions[dept_col].width >= longest
    about = wb["条件"]
    assert about["B1"].value == answer.question


def test_xlsx_has_a_totals_sheet(answer: Answer) -> None:
    totals = load_workbook(io.BytesIO(to_xlsx(answer)))["集計"]
    rows = [list(r) for r in totals.iter_rows(values_only=True)]
    assert rows[0] == ["主管課", "A", "B", "C", "D", "計"]
    assert rows[-1][0] == "計" and rows[-1][-1] == len(answer.items)
    by_dept = {r[0]: r[1:] for r in rows[1:-1]}
    for dept, counts in by_dept.items():
        assert counts[-1] == sum(1 for i in answer.items if i.department == dept)


#: What a question asked in English heads its columns with, in the report's column order.
ENGLISH = [
    "municipality",
    "plan",
    "item",
    "name",
    "department",
    "fiscal year",
    "grade",
    "category",
    "target groups",
    "goal",
    "basic policy",
    "measure",
    "priority",
    "summary",
    "this year's plan",
    "result",
    "next year's plan",
    "source file",
    "sheet",
    "line",
]


def test_a_question_asked_in_english_gets_english_headers(
    seed_answerer: Answerer, answer: Answer
) -> None:
    english = seed_answerer.answer("show 子ども家庭支援センター items")
    assert (answer.language, english.language) == ("ja", "en")
    assert [i.item_no for i in english.items] == [i.item_no for i in answer.items]
    # The same rows, the same column order; only the headers are in the asker's language.
    parsed = read_csv(to_csv(english))
    assert list(parsed[0]) == ENGLISH
    assert [list(r.values()) for r in parsed] == [
        list(r.values()) for r in read_csv(to_csv(answer))
    ]
    assert list(read_csv(to_csv(answer))[0]) == list(COLUMNS)

    book = load_workbook(io.BytesIO(to_xlsx(english)))
    header, *rows = book.worksheets[0].iter_rows(values_only=True)
    assert list(header) == [ENGLISH[COLUMNS.index(c)] for c in XLSX_COLUMNS]
    assert header[:2] == ("item", "name") and book.worksheets[0].freeze_panes == "C2"
    japanese = load_workbook(io.BytesIO(to_xlsx(answer)))
    assert rows == list(japanese.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [ws.title for ws in book.worksheets[1:]] == ["Totals", "About"]
    totals = [list(r) for r in book["Totals"].iter_rows(values_only=True)]
    same = [list(r) for r in japanese["集計"].iter_rows(values_only=True)]
    assert totals[0] == ["Department", "A", "B", "C", "D", "Total"]
    assert totals[1:-1] == same[1:-1]  # departments are named as the report names them
    assert totals[-1] == ["Total", *same[-1][1:]]
    assert book["About"]["A1"].value == "Question"
    assert book["About"]["B1"].value == english.question


def test_formulas_are_neutralised_in_xlsx(hostile: Answer) -> None:
    wb = load_workbook(io.BytesIO(to_xlsx(hostile)))
    ws = wb.worksheets[0]
    name = ws.cell(row=2, column=XLSX_COLUMNS.index("事業名") + 1)
    assert name.value == "'" + INJECTION
    assert name.data_type == "s"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


def test_filename_names_what_the_file_holds_and_stays_safe(answer: Answer) -> None:
    plain = answer.model_copy(update={"filters": {"fiscal_year": 2019}})
    name = export_filename(plain, "csv", today=date(2024, 4, 1))
    assert name == "planbot_2019_list_20240401.csv"  # no department named: no scope
    assert re.fullmatch(r"planbot_2019_list_\d{8}\.xlsx", export_filename(plain, "xlsx"))
    summary = answer.model_copy(
        update={"intent": "summary", "filters": {"departments": ["高齢者支援課"]}}
    )
    named = export_filename(summary, "xlsx", today=date(2024, 4, 1))
    assert named == "planbot_高齢者支援課_2019_summary_20240401.xlsx"
    other = summary.model_copy(update={"filters": {"departments": ["子ども政策課"]}})
    assert export_filename(other, "xlsx", today=date(2024, 4, 1)) != named
    evil = answer.model_copy(
        update={"intent": "help", "fiscal_year": None, "filters": {"departments": ["../a b/.."]}}
    )
    assert export_filename(evil, "../x .CSV", today=date(2024, 4, 1)) == (
        "planbot_ab_all_help_20240401.xcsv"
    )


def test_sheet_title_is_valid_for_excel() -> None:
    assert (
        sheet_title("評価C/D・[子ども]政策課:*?" + "あ" * 40)
        == ("評価C・D・・子ども・政策課・・・" + "あ" * 40)[:31]
    )
    assert sheet_title("") == "planbot"
    assert sheet_title("'quoted'") == "quoted"


def test_empty_answer_exports_only_headers(answer: Answer) -> None:
    empty = answer.model_copy(update={"items": (), "count": 0})
    assert read_csv(to_csv(empty)) == []
    wb = load_workbook(io.BytesIO(to_xlsx(empty)))
    assert wb.worksheets[0].max_row == 1
