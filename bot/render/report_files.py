"""A fiscal year written back out as the report file: a workbook or the text export.

``planbot export`` writes these, and so can anything else that needs a year's report as a
file (:func:`export_report`). Ingesting what is written gives the same rows.

No cell is ever written so that a spreadsheet runs it: in the workbook every text is a
text cell (never a formula, whatever it starts with); in the text export a text starting
with ``=``, ``+``, ``-`` or ``@`` gets Excel's text apostrophe, which the text parser drops.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.models import Report
from bot.render.export import SHEET_TITLE_FORBIDDEN, SHEET_TITLE_MAX, safe_cell
from bot.render.report_layout import (
    COLUMN_COUNT,
    COLUMN_WIDTHS,
    WRAPPED_COLUMNS,
    Cell,
    SheetLayout,
    report_layout,
)
from bot.store.report_model import load_report

ExportFormat = Literal["xlsx", "txt"]


def export_report(
    data_dir: Path,
    fiscal_year: int,
    *,
    fmt: ExportFormat = "xlsx",
    municipality: str | None = None,
    plan: str | None = None,
) -> bytes:
    """The warehouse's report for a fiscal year as file bytes (raises ReportNotFound)."""
    report = load_report(data_dir, fiscal_year, municipality=municipality, plan=plan)
    return report_xlsx(report) if fmt == "xlsx" else report_text(report)


def export_filename(report: Report, fmt: ExportFormat) -> str:
    """``<municipality>_<plan>_fy<year>.<ext>``: names from the warehouse, made path-safe."""
    stem = SHEET_TITLE_FORBIDDEN.sub("_", f"{report.municipality}_{report.plan}").replace(" ", "_")
    return f"{stem}_fy{report.fiscal_year}.{fmt}"


def report_text(report: Report) -> bytes:
    """The tab-separated text export: UTF-8 with a BOM and CRLF, as Japanese Excel opens it."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    for sheet in report_layout(report):
        for row in sheet.rows:
            writer.writerow([_text_cell(c) for c in row.cells])
        writer.writerow([])
    return buf.getvalue().encode("utf-8-sig")


def _text_cell(value: Cell) -> Cell:
    # A text that begins with the apostrophe itself gets one more, so that reading the
    # file back (which drops one) gives the text as it was.
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "'"):
        return "'" + value
    return safe_cell(value)


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    titles: set[str] = set()
    for sheet in report_layout(report):
        ws = book.create_sheet(_unique_title(sheet.department, titles))
        _write_sheet(ws, sheet)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _unique_title(name: str, taken: set[str]) -> str:
    base = SHEET_TITLE_FORBIDDEN.sub("・", name).strip("' ")[:SHEET_TITLE_MAX] or "sheet"
    title, n = base, 2
    while title in taken:
        # Two departments whose names agree in their first 31 characters.
        suffix = f"({n})"
        title, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_BOLD = Font(bold=True)


def _write_sheet(ws: Worksheet, sheet: SheetLayout) -> None:
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row.cells, start=1):
            if value == "":
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                # A text cell, never a formula: "=…" is shown as written, not run.
                cell.data_type = "s"
            if row.kind in ("item", "more"):
                cell.alignment = _WRAP if c - 1 in WRAPPED_COLUMNS else _TOP
        if row.kind in ("title", "labels", "goal", "policy", "measure"):
            for cell in ws[r]:
                cell.font = _BOLD
        if row.kind in ("title", "goal", "policy", "measure"):
            # A heading reads across the page: one cell merged over the columns.
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COLUMN_COUNT)
    for c, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    labels = sheet.label_row
    # The header, legend and labels stay in view and repeat on every printed page.
    ws.freeze_panes = f"C{labels + 1}"
    ws.print_title_rows = f"1:{labels}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
