"""Workbooks for tests, built from a report's text export the way the office keeps them.

A report is first a *table*: its department sheets, each a list of rows of cells, as the
text export lays them out. From one table come both a text export (Excel's tab-delimited
"save as text": merged values in their first cell only, quoted cells for line breaks) and
a workbook with what real workbooks add: merged cells, numbers stored as numbers,
furigana, filler rows and columns, a summary sheet with formulas, a hidden list feeding a
grade dropdown. Nothing here is a binary fixture: every file is made from the seed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

Table = dict[str, list[list[str]]]  # sheet title → rows of cells

_HEADER = re.compile(r"【対象課\s*(?P<sheet>[^】]+)】")
_HEADING = re.compile(r"^(基本目標|基本施策|\(\d+\)|（\d+）)")


@dataclass(frozen=True)
class Features:
    """What the workbook holds beyond the table's cells (all on by default)."""

    merges: bool = True
    numbers: bool = True
    furigana: bool = True
    filler: bool = True
    extra_sheets: bool = True
    #: Items whose number is written as text (the rest as numbers, some as 19.0).
    text_numbers: frozenset[int] = field(default_factory=lambda: frozenset({21, 40}))


def table_from_text(text: str) -> Table:
    """The export's lines grouped by the department sheet whose page they are on."""
    table: Table = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text), delimiter="\t"):
        if m := _HEADER.search("".join(row)):
            current = table.setdefault(m.group("sheet").strip(), [])
        if current is None:
            continue
        current.append(row)
    return table


def text_from_table(table: Table) -> str:
    """The table as Excel's tab-delimited text export writes it."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    for rows in table.values():
        writer.writerows(rows)
    return buf.getvalue()


def with_line_breaks(table: Table) -> Table:
    """Result texts written over several lines inside their cells (Alt+Enter)."""
    out: Table = {}
    for sheet, rows in table.items():
        out[sheet] = [
            [
                c.replace("。", "。\n", 1) if i == 7 and "。" in c[:-1] else c
                for i, c in enumerate(r)
            ]
            for r in rows
        ]
    return out


def renamed_department(table: Table, old: str, new: str) -> Table:
    """A department under another (longer) name, everywhere the report names it."""
    return {
        (new if sheet == old else sheet): [[c.replace(old, new) for c in r] for r in rows]
        for sheet, rows in table.items()
    }


def xlsx_bytes(table: Table, features: Features | None = None) -> bytes:
    """The table as an .xlsx workbook with the features asked for."""
    f = features or Features()
    book = Workbook()
    book.remove(book.active)
    if f.extra_sheets:
        summary = book.create_sheet("集計")
        summary.append(["対象課", "A", "B", "C", "D"])
    for title, rows in table.items():
        ws = book.create_sheet(title[:31])  # Excel cuts a sheet name at 31 characters
        at, dc = _positions(rows, f.filler), 1 if f.filler else 0
        for r, cells in zip(at, rows, strict=True):
            for c, text in enumerate(cells):
                if text == "":
                    continue
                cell = ws.cell(row=r + 1, column=c + 1 + dc, value=_value(text, c + 1, f))
                if "\n" in text:
                    cell.alignment = Alignment(wrap_text=True)
        if f.merges:
            _merge(ws, rows, f, at, dc)
        if f.extra_sheets:
            sheet_ref = f"'{ws.title}'"
            summary.append([title, *(f'=COUNTIF({sheet_ref}!I:I,"{g}")' for g in "ABCD")])
            dv = DataValidation(type="list", formula1="=リスト!$A$1:$A$4")
            dv.add(f"{'J' if f.filler else 'I'}1:{'J' if f.filler else 'I'}500")
            ws.add_data_validation(dv)
    if f.extra_sheets:
        hidden = book.create_sheet("リスト")
        for g in "ABCD":
            hidden.append([g])
        hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    return _with_furigana(data) if f.furigana else data


def xls_bytes(table: Table, features: Features | None = None) -> bytes:
    """The table as an Excel 97–2003 .xls workbook (xlwt)."""
    import xlwt

    f = features or Features()
    book = xlwt.Workbook(encoding="utf-8")
    if f.extra_sheets:
        summary = book.add_sheet("集計")
        summary.write(0, 0, "対象課")
    for title, rows in table.items():
        ws = book.add_sheet(title[:31])
        at, dc = _positions(rows, f.filler), 1 if f.filler else 0
        merged = {k: v for k, v in _merge_ranges(rows, f).items() if k != v} if f.merges else {}
        covered = {
            (r, c)
            for (r0, c0), (r1, c1) in merged.items()
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
        }
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                if (r, c) not in covered and text != "":
                    ws.write(at[r], c + dc, _value(text, c + 1, f))
        for (r0, c0), (r1, c1) in merged.items():
            ws.write_merge(at[r0], at[r1], c0 + dc, c1 + dc, _value(rows[r0][c0], c0 + 1, f))
    if f.extra_sheets:
        hidden = book.add_sheet("リスト")
        for i, g in enumerate("ABCD"):
            hidden.write(i, 0, g)
        hidden.visibility = 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _positions(rows: list[list[str]], filler: bool) -> list[int]:
    """Each table row's 0-based sheet row: with filler, an empty spacer row follows every
    goal heading and two empty rows and a margin column come first."""
    out: list[int] = []
    at = 2 if filler else 0
    for row in rows:
        out.append(at)
        at += 2 if filler and row and row[0].startswith("基本目標") and len(row[0]) > 10 else 1
    return out


def _value(text: str, column: int, f: Features) -> object:
    """Item numbers as numbers (some as 19.0, as a formula's result would be)."""
    if f.numbers and column == 1 and text.isdigit() and int(text) not in f.text_numbers:
        return float(text) if int(text) % 3 == 0 else int(text)
    return text


def _merge_ranges(rows: list[list[str]], f: Features) -> dict[tuple[int, int], tuple[int, int]]:
    """(top row, column) → (bottom row, column): an item's first four cells down over its
    continuation rows; a heading across the page width (0-based, before filler)."""
    ranges: dict[tuple[int, int], tuple[int, int]] = {}
    width = max(len(r) for r in rows)
    for i, row in enumerate(rows):
        if not row:
            continue
        if row[0] and all(c == "" for c in row[1:]) and _HEADING.match(row[0]):
            ranges[(i, 0)] = (i, width - 1)
        elif row[0].isdigit():
            end = i
            while (
                end + 1 < len(rows)
                and len(rows[end + 1]) > 5
                and rows[end + 1][0] == ""
                and rows[end + 1][5]
            ):
                end += 1
            if end > i:
                for c in range(4):
                    ranges[(i, c)] = (end, c)
    return ranges


def _merge(ws: object, rows: list[list[str]], f: Features, at: list[int], dc: int) -> None:
    for (r0, c0), (r1, c1) in _merge_ranges(rows, f).items():
        if (r0, c0) != (r1, c1):
            ws.merge_cells(  # type: ignore[attr-defined]
                start_row=at[r0] + 1,
                start_column=c0 + 1 + dc,
                end_row=at[r1] + 1,
                end_column=c1 + 1 + dc,
            )


# A string cell's text, shared (<si>) or inline (<is>): furigana go after its <t>.
_STRING = re.compile(rb"<(si|is)>(<t(?: [^>]*)?>[^<]{2,}</t>)</\1>")
FURIGANA = "フリガナ"


def _with_furigana(data: bytes) -> bytes:
    """Phonetic guides (furigana) on every string, as Japanese Excel keeps them (<rPh>)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    ruby = f'<rPh sb="0" eb="1"><t>{FURIGANA}</t></rPh><phoneticPr fontId="1"/>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/") and info.filename.endswith(".xml"):
                body = _STRING.sub(lambda m: b"<%s>%s%s</%s>" % (m[1], m[2], ruby, m[1]), body)
            dst.writestr(info, body)
    return out.getvalue()
