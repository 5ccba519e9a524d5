"""An answer's rows as files to take away: CSV and XLSX, headed like the report (in
English for a question asked in English).

Both formats neutralise values that a spreadsheet would run as a formula
("=cmd|' /C calc'!A0"), since report text and questions come from outside.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.models import Answer, AnswerItem, ComparedItem, Comparison, Grade, Language
from bot.render import text as t
from bot.render.blocks import count_by_department, grade_rows
from bot.text import int_to_roman, wareki

Cell = str | int
Row = dict[str, Cell]

#: The columns, named (and headed, for a question asked in Japanese) as in the report so
#: staff recognise them; rows are keyed by these names whatever the language.
COLUMNS: tuple[str, ...] = (
    # Whose item: numbers repeat across municipalities and restart with a new plan.
    "自治体",
    "計画",
    "事業番号",
    "事業名",
    "主管課",
    "年度",
    "評価",
    "区分",
    "対象者",
    "基本目標",
    "基本施策",
    "施策",
    "重点",
    "事業概要",
    "事業予定",
    "事業実績",
    "次年度予定",
    "出典ファイル",
    "出典シート",
    "出典行",
)
#: The headers for a question asked in English, column for column.
ENGLISH_HEADERS: dict[str, str] = {
    "自治体": "municipality",
    "計画": "plan",
    "事業番号": "item",
    "事業名": "name",
    "主管課": "department",
    "年度": "fiscal year",
    "評価": "grade",
    "区分": "category",
    "対象者": "target groups",
    "基本目標": "goal",
    "基本施策": "basic policy",
    "施策": "measure",
    "重点": "priority",
    "事業概要": "summary",
    "事業予定": "this year's plan",
    "事業実績": "result",
    "次年度予定": "next year's plan",
    "出典ファイル": "source file",
    "出典シート": "sheet",
    "出典行": "line",
}
#: The workbook's order: the item first, so that freezing the panes pins the item; the
#: municipality and plan, the same on nearly every row, at the end.
XLSX_COLUMNS: tuple[str, ...] = (
    *(c for c in COLUMNS if c not in ("自治体", "計画")),
    "自治体",
    "計画",
)
#: Long free-text columns: wrapped and wide in the workbook.
WRAPPED: frozenset[str] = frozenset({"事業名", "事業概要", "事業予定", "事業実績", "次年度予定"})
WIDTHS: dict[str, int] = {"計画": 24, "事業名": 36, "主管課": 18, "対象者": 14, "出典ファイル": 34}
WRAPPED_WIDTH = 50
#: Short columns sized to their longest value rather than a fixed width.
FITTED: frozenset[str] = frozenset({"主管課", "出典シート"})
DEFAULT_WIDTH = 10
#: A comparison's change column; its values, like every header, in the answer's language.
CHANGE_COLUMN = "変化"
CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "same": ("同じ", "same"),
    "up": ("上がった", "up"),
    "down": ("下がった", "down"),
    "added": ("新規", "added"),
    "dropped": ("廃止", "dropped"),
}
#: A leading character that makes Excel, LibreOffice or Sheets evaluate the cell
#: (tab and CR too: some importers strip them and then see the "=").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31  # Excel's limit
#: Anything but letters and digits (in any script) goes from a file name's scope.
SCOPE_UNSAFE = re.compile(r"[\W_]+")
SCOPE_MAX = 40
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: City halls work on Japan time; the date in a file name is the date they see.
JST = timezone(timedelta(hours=9), "JST")


def answer_rows(answer: Answer) -> list[Row]:
    """One row per item (evaluation), keyed by the report's Japanese column names; a
    comparison's row holds the item's grade in each year and what changed."""
    if answer.comparison is None:
        return [_row(item) for item in answer.items]
    comparison = answer.comparison
    # The shape lists one item per compared row, in the same order.
    return [
        _compared_row(_row(item), row, comparison, answer.language)
        for item, row in zip(answer.items, comparison.rows, strict=True)
    ]


def answer_columns(answer: Answer) -> tuple[str, ...]:
    """The CSV's columns: a comparison's one grade column becomes each year's grade and
    the change ("令和元年度評価", "令和2年度評価", "変化")."""
    if answer.comparison is None:
        return COLUMNS
    at = COLUMNS.index("評価")
    return (*COLUMNS[:at], *_comparison_columns(answer.comparison), *COLUMNS[at + 1 :])


def _xlsx_columns(answer: Answer) -> tuple[str, ...]:
    if answer.comparison is None:
        return XLSX_COLUMNS
    at = XLSX_COLUMNS.index("評価")
    compared = _comparison_columns(answer.comparison)
    return (*XLSX_COLUMNS[:at], *compared, *XLSX_COLUMNS[at + 1 :])


def _comparison_columns(comparison: Comparison) -> tuple[str, str, str]:
    return (
        f"{wareki(comparison.from_year)}評価",
        f"{wareki(comparison.to_year)}評価",
        CHANGE_COLUMN,
    )


def column_headers(answer: Answer, columns: tuple[str, ...]) -> list[str]:
    """The columns' headers in the language the question was asked in."""
    if answer.language == "ja":
        return list(columns)
    english = dict(ENGLISH_HEADERS)
    if answer.comparison is not None:
        earlier, later, change = _comparison_columns(answer.comparison)
        english[earlier] = f"FY{answer.comparison.from_year} grade"
        english[later] = f"FY{answer.comparison.to_year} grade"
        english[change] = "change"
    return [english[c] for c in columns]


def to_csv(answer: Answer) -> bytes:
    """UTF-8 with BOM and CRLF, which Excel in Japan opens without mangling the text."""
    columns = answer_columns(answer)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(column_headers(answer, columns))
    for row in answer_rows(answer):
        writer.writerow([safe_cell(row[c]) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(answer: Answer) -> bytes:
    """A workbook with the rows (bold frozen header, filter, wrapped long texts, A4
    landscape print setup), the totals by department and grade, and the question."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has one sheet
    ws.title = sheet_title(answer.reading)
    columns = _xlsx_columns(answer)
    _write_rows(ws, answer_rows(answer), columns, column_headers(answer, columns))
    lang = answer.language
    _write_totals(wb.create_sheet(t.pick(lang, "集計", "Totals")), answer)
    _write_about(wb.create_sheet(t.pick(lang, "条件", "About")), answer)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_filename(answer: Answer, ext: str, *, today: date | None = None) -> str:
    """``planbot_<scope>_<fy>_<intent>_<yyyymmdd>.<ext>``, e.g.
    ``planbot_高齢者支援課_2019_summary_20240401.xlsx``: named for what it holds, so
    downloads do not overwrite each other. The scope is the departments or goal the
    question named, reduced to letters and digits (never a path or a space); without one,
    or when nothing safe is left, it is left out (the ASCII-only fallback)."""
    day = today or datetime.now(JST).date()
    fy = str(answer.fiscal_year) if answer.fiscal_year is not None else "all"
    suffix = re.sub(r"[^a-z0-9]", "", ext.lower()) or "dat"
    scope = _scope_word(answer)
    parts = ["planbot", *([scope] if scope else []), fy, answer.intent, f"{day:%Y%m%d}"]
    return "_".join(parts) + f".{suffix}"


def _scope_word(answer: Answer) -> str:
    named = answer.filters.get("departments") or answer.filters.get("excluded_departments")
    words = [str(w) for w in named] if isinstance(named, list) else []
    if not words and answer.filters.get("goal") is not None:
        words = [f"goal{answer.filters['goal']}"]
    joined = "-".join(SCOPE_UNSAFE.sub("", w) for w in words[:3])
    return joined.strip("-")[:SCOPE_MAX]


def sheet_title(reading: str) -> str:
    """A valid Excel sheet title from the answer's reading (≤ 31 chars, no []:*?/\\)."""
    title = SHEET_TITLE_FORBIDDEN.sub("・", reading).strip("' ")
    return title[:SHEET_TITLE_MAX] or "planbot"


# --- rows -----------------------------------------------------------------------------
def _row(item: AnswerItem) -> Row:
    values: tuple[Cell, ...] = (
        item.municipality,
        item.plan,
        item.item_no,
        item.name,
        item.department,
        item.fiscal_year,
        item.grade.value,
        item.category,
        "/".join(item.target_groups),
        int_to_roman(item.goal),
        item.policy,
        item.measure,
        "★" if item.priority else "",
        item.summary,
        item.plan_text,
        item.result_text,
        item.next_plan_text,
        item.source.file,
        item.source.sheet,
        item.source.line,
    )
    return dict(zip(COLUMNS, values, strict=True))


def _compared_row(row: Row, compared: ComparedItem, comparison: Comparison, lang: Language) -> Row:
    """The item's row with its one grade replaced by both years' and the change; the
    texts and 年度 stay the evaluation shown (the later one, or the last reported)."""
    earlier, later, change = _comparison_columns(comparison)
    grades: Row = {
        earlier: compared.from_grade.value if compared.from_grade else "",
        later: compared.to_grade.value if compared.to_grade else "",
        change: t.pick(lang, *CHANGE_WORDS[compared.change]),
    }
    out: Row = {}
    for key, value in row.items():
        if key == "評価":
            out.update(grades)
        else:
            out[key] = value
    return out


def safe_cell(value: Cell) -> Cell:
    """Prefix a would-be formula with an apostrophe, so it is shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# --- workbook -------------------------------------------------------------------------
def _write_rows(
    ws: Worksheet, rows: list[Row], columns: tuple[str, ...], headers: list[str]
) -> None:
    ws.append(headers)
    for row in rows:
        ws.append([safe_cell(row[c]) for c in columns])
    _force_text(ws)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    # The label row and the item (number and name) stay in view.
    ws.freeze_panes = f"{get_column_letter(columns.index('事業名') + 2)}2"
    ws.auto_filter.ref = ws.dimensions
    _print_setup(ws)
    _format_columns(ws, rows, columns)


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, the label row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _write_totals(ws: Worksheet, answer: Answer) -> None:
    """Grades per department with a total row: the figures a summary states (for a
    comparison, each year's, as the answer states them)."""
    if answer.comparison is None:
        table = _totals(answer.items, answer.language)
    else:
        table = _compared_totals(answer.comparison, answer.language)
    for row in table:
        ws.append([safe_cell(cell) for cell in row])
    for cell in (*ws[1], *ws[ws.max_row]):
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = _text_width([str(row[0]) for row in table])
    ws.freeze_panes = "B2"
    _force_text(ws)


def _totals(items: Sequence[AnswerItem], lang: Language) -> list[list[Cell]]:
    counts = count_by_department(items)
    # Counts as numbers, so that the sheet can sum and chart them.
    table: list[list[Cell]] = [
        [row[0], *(int(v) if n else v for v in row[1:])]
        for n, row in enumerate(grade_rows(counts, _department_header(lang), lang))
    ]
    if len(counts) == 1:  # grade_rows adds a total row only for several departments
        total = grade_rows(counts, "", lang)[1][1:]
        table.append([_total_label(lang), *(int(v) for v in total)])
    return table


def _compared_totals(comparison: Comparison, lang: Language) -> list[list[Cell]]:
    """Each department's grades in the earlier year, then in the later, and the totals.

    Counted from the compared rows, not the listed items: a dropped item is listed as it
    was last reported and an added one as it is now, so the items alone would put each in
    both years. Each year counts only the grade it gave, under the department that gave
    it (a renamed department's old name holds the earlier year, its new name the later).
    """
    earlier: dict[str, dict[str, int]] = {}
    later: dict[str, dict[str, int]] = {}
    for row in comparison.rows:
        if row.from_grade is not None:
            _count(earlier, row.from_department or row.department, row.from_grade)
        if row.to_grade is not None:
            _count(later, row.department, row.to_grade)
    header: list[Cell] = [_department_header(lang)]
    for year in (comparison.from_year, comparison.to_year):
        label = t.pick(lang, wareki(year), f"FY{year}")
        header += [f"{label} {g.value}" for g in Grade] + [f"{label} {_total_label(lang)}"]
    # Every department gave a grade in one year at least: the rows' own order.
    departments = dict.fromkeys(
        name
        for row in comparison.rows
        for name in (row.from_department or row.department, row.department)
    )
    table = [header]
    for name in departments:
        table.append([name, *_grade_cells(earlier.get(name)), *_grade_cells(later.get(name))])
    total = _total_label(lang)
    table.append([total, *_grade_cells(_summed(earlier)), *_grade_cells(_summed(later))])
    return table


def _department_header(lang: Language) -> str:
    return t.pick(lang, "主管課", "Department")


def _total_label(lang: Language) -> str:
    return t.pick(lang, "計", "Total")


def _count(counts: dict[str, dict[str, int]], department: str, grade: Grade) -> None:
    row = counts.setdefault(department, {g.value: 0 for g in Grade})
    row[grade.value] += 1


def _summed(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    return {g.value: sum(c[g.value] for c in counts.values()) for g in Grade}


def _grade_cells(counts: dict[str, int] | None) -> list[Cell]:
    values = [(counts or {}).get(g.value, 0) for g in Grade]
    return [*values, sum(values)]


def _text_width(values: list[str]) -> float:
    """A column width (in Excel's character units) for the longest value; Japanese
    characters take two."""
    widest = max((display_width(v) for v in values), default=DEFAULT_WIDTH)
    return max(widest + 2, DEFAULT_WIDTH)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _force_text(ws: Worksheet) -> None:
    # openpyxl stores any string starting with "=" as a formula; after safe_cell none does,
    # and typing every string cell as text makes that hold for the file, not just here.
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _format_columns(ws: Worksheet, rows: list[Row], columns: tuple[str, ...]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        wrapped = name in WRAPPED
        width = WIDTHS.get(name, WRAPPED_WIDTH if wrapped else DEFAULT_WIDTH)
        if name in FITTED:
            # Wide enough for the longest department (or sheet) name in the rows.
            width = max(width, _text_width([str(r[name]) for r in rows]))
        ws.column_dimensions[letter].width = width
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = wrap if wrapped else top


def _write_about(ws: Worksheet, answer: Answer) -> None:
    """Where the rows came from: the question, how it was read, the queries run."""
    lang = answer.language
    year = t.fiscal_year_label(answer.fiscal_year, lang) if answer.fiscal_year else ""
    facts: list[tuple[str, str | int]] = [
        (t.pick(lang, "質問", "Question"), answer.question),
        (t.pick(lang, "条件", "Reading"), answer.reading),
        (t.pick(lang, "年度", "Fiscal year"), year),
        (t.pick(lang, "件数", "Count"), answer.count),
        (t.pick(lang, "行数", "Rows"), len(answer.items)),
    ]
    facts += [
        (
            t.pick(lang, "クエリ", "Query"),
            f"{q.name} {json.dumps(q.params, ensure_ascii=False, default=str)}",
        )
        for q in answer.queries
    ]
    for key, value in facts:
        ws.append([key, safe_cell(value)])
    _force_text(ws)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 80
