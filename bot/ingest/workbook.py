"""A report kept as an Excel workbook (.xlsx, .xlsm, .xls): its sheets as rows of cells.

The layout — page headers, legends, column labels, headings, item and continuation rows —
is the text export's, so the cells are handed to the same parser
(:func:`bot.ingest.report_text.parse_report_rows`). What is the workbook's own is read
here: which sheets are department sheets, merged cells, numbers stored as numbers, filler
rows and columns, and the guards a file from outside needs before it is opened.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from openpyxl.utils import get_column_letter

from bot.config import Settings
from bot.ingest.problems import Problem, ReportRejected
from bot.ingest.report_text import ReportRow, department_sheet_of, parse_report_rows
from bot.models import Report, SkippedSheet

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE container holding these streams (MS-OFFCRYPTO).
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_MB = 1024 * 1024


@dataclass(frozen=True)
class WorkbookLimits:
    """What a file from outside may hold before planbot declines to open it further."""

    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_columns: int

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkbookLimits:
        return cls(
            max_bytes=int(settings.max_upload_mb * _MB),
            max_unpacked_bytes=int(settings.max_unpacked_mb * _MB),
            max_rows=settings.max_sheet_rows,
            max_columns=settings.max_sheet_columns,
        )


DEFAULT_LIMITS = WorkbookLimits.from_settings(Settings.model_construct())

#: A sheet's cell values, row by row: (row number, values from column A).
Grid = Iterator[tuple[int, tuple[object, ...]]]


@dataclass
class _Sheet:
    title: str
    hidden: bool
    #: Reads the sheet's rows (only for the sheets that are read at all).
    rows: Callable[[], Grid]
    #: Merged ranges, 1-based and inclusive: (first row, first column, last row, last column).
    merges: Callable[[], list[tuple[int, int, int, int]]]


def is_workbook(name: str, data: bytes) -> bool:
    """A workbook by its name, or by its first bytes when the name says nothing."""
    return name.lower().endswith(WORKBOOK_SUFFIXES) or data[:8] == _OLE_MAGIC


def check_size(size: int, *, file: str, limits: WorkbookLimits) -> None:
    """Refuse a report file larger than PLANBOT_MAX_UPLOAD_MB."""
    if size > limits.max_bytes:
        raise ReportRejected(
            [
                Problem(
                    file,
                    1,
                    f"file is {size / _MB:.1f} MB; reports up to "
                    f"{limits.max_bytes / _MB:.3g} MB are accepted (PLANBOT_MAX_UPLOAD_MB)",
                )
            ]
        )


def parse_workbook_bytes(
    data: bytes, *, file: str, source_name: str, limits: WorkbookLimits = DEFAULT_LIMITS
) -> Report:
    """Parse a workbook's bytes into a report; raise ReportRejected naming every problem."""
    check_size(len(data), file=file, limits=limits)
    if not data.strip(b"\x00 \t\r\n"):
        raise ReportRejected([Problem(file, 1, "empty file: no workbook")])
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTION_STREAM in data:
            raise _refused(
                file,
                "the workbook is encrypted (password-protected): save a copy without a "
                "password (ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化を解除)",
            )
        sheets, close = _xls_sheets(data, file)
    elif data[:4] == _ZIP_MAGIC:
        _check_unpacked(data, file, limits)
        sheets, close = _xlsx_sheets(data, file)
    else:
        raise _refused(file, "not an Excel workbook (neither .xlsx nor .xls content)")
    try:
        rows, places, skipped = _department_rows(sheets, file, limits)
    finally:
        close()
    if not rows:
        named = "; ".join(f"{s.name} ({s.reason})" for s in skipped) or "none"
        raise _refused(file, f"no department sheet (【対象課 …】 header) in the workbook: {named}")
    return parse_report_rows(
        rows,
        file=file,
        source_name=source_name,
        checksum=hashlib.sha256(data).hexdigest(),
        places=places,
        skipped_sheets=tuple(skipped),
    )


def _refused(file: str, reason: str, place: str = "") -> ReportRejected:
    return ReportRejected([Problem(file, 1, reason, place)])


# --- guards ---------------------------------------------------------------------------

#: A member compressed more than this many times over is a bomb, not a spreadsheet
#: (shared strings of repeated report text compress ~10–20 times).
_MAX_RATIO = 200


def _check_unpacked(data: bytes, file: str, limits: WorkbookLimits) -> None:
    """Sizes from the zip's directory, before a byte is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refused(file, f"damaged workbook (not a readable zip: {exc})") from None
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise _refused(
            file,
            f"the workbook unpacks to {total / _MB:.0f} MB, more than "
            f"{limits.max_unpacked_bytes / _MB:g} MB (PLANBOT_MAX_UNPACKED_MB): refused "
            "as a possible decompression bomb",
        )
    for m in members:
        if m.file_size > _MB and m.file_size > _MAX_RATIO * max(m.compress_size, 1):
            raise _refused(
                file,
                f"{m.filename} is compressed {m.file_size // max(m.compress_size, 1)} times "
                "over: refused as a possible decompression bomb",
            )


# --- sheets to rows -------------------------------------------------------------------


@dataclass
class _Places:
    """Row index (1-based, across the workbook) → the sheet, row and columns it came from."""

    rows: list[tuple[str, int, tuple[int, ...]]] = field(default_factory=list)

    def cell(self, index: int, column: int | None) -> str:
        title, row, columns = self.rows[min(max(index, 1), len(self.rows)) - 1]
        col = columns[column] if column is not None and column < len(columns) else columns[0]
        return f"{title}!{get_column_letter(col + 1)}{row}"

    def row(self, index: int) -> int:
        return self.rows[index - 1][1]


def _department_rows(
    sheets: list[_Sheet], file: str, limits: WorkbookLimits
) -> tuple[list[ReportRow], _Places, list[SkippedSheet]]:
    rows: list[ReportRow] = []
    places = _Places()
    skipped: list[SkippedSheet] = []
    for sheet in sheets:
        if sheet.hidden:
            skipped.append(SkippedSheet(name=sheet.title, reason="hidden sheet"))
            continue
        grid = _read_grid(sheet, file, limits)
        if not any(department_sheet_of(cells) for _, cells in grid):
            skipped.append(
                SkippedSheet(name=sheet.title, reason="not a department sheet (no 【対象課 …】)")
            )
            continue
        columns = _filled_columns(grid)
        for number, cells in grid:
            kept = [cells[c] if c < len(cells) else "" for c in columns]
            places.rows.append((sheet.title, number, columns))
            # (The key caches how a row reads: tabs cannot be inside a workbook's cells.)
            rows.append((len(places.rows), "\t".join(kept), kept))
    return rows, places, skipped


def _read_grid(sheet: _Sheet, file: str, limits: WorkbookLimits) -> list[tuple[int, list[str]]]:
    """The sheet's non-empty rows as text cells, merged values carried down their rows."""
    grid: dict[int, list[str]] = {}
    for number, values in sheet.rows():
        if number > limits.max_rows:
            raise _refused(
                file,
                f"sheet has more than {limits.max_rows} rows (PLANBOT_MAX_SHEET_ROWS)",
                f"{sheet.title}!A{number}",
            )
        if len(values) > limits.max_columns and any(
            v is not None and v != "" for v in values[limits.max_columns :]
        ):
            raise _refused(
                file,
                f"sheet has more than {limits.max_columns} columns (PLANBOT_MAX_SHEET_COLUMNS)",
                f"{sheet.title}!{get_column_letter(limits.max_columns + 1)}{number}",
            )
        cells = [_text(v) for v in values[: limits.max_columns]]
        if any(cells):
            grid[number] = cells
    for first_row, col, last_row, _ in sheet.merges():
        # A merged cell's value belongs to every row it spans (an item's number and name
        # over its continuation rows); across a row it stays in its first cell, as a
        # heading merged over the page width is one cell of text.
        top = grid.get(first_row)
        value = top[col - 1] if top is not None and col - 1 < len(top) else ""
        if not value:
            continue
        for number in range(first_row + 1, min(last_row, limits.max_rows) + 1):
            cells = grid.setdefault(number, [])
            cells.extend([""] * (col - len(cells)))
            cells[col - 1] = value
    return sorted(grid.items())


def _filled_columns(grid: list[tuple[int, list[str]]]) -> tuple[int, ...]:
    """Columns with any text: a margin column or a spacer between columns is dropped."""
    width = max((len(cells) for _, cells in grid), default=0)
    return tuple(c for c in range(width) if any(c < len(r) and r[c] for _, r in grid)) or (0,)


def _text(value: object) -> str:
    """A cell as the text export writes it: 19 and 19.0 are "19"."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Line breaks inside a cell are kept (as the export's quoted cells keep them).
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        return text if text.strip() else ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d" if value.time() == time() else "%Y/%m/%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    return str(value)


# --- the two file formats -------------------------------------------------------------


def _xlsx_sheets(data: bytes, file: str) -> tuple[list[_Sheet], Callable[[], None]]:
    # Imported here: a text-only ingest never pays for loading openpyxl.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Read-only, cached formula values, no VBA kept: nothing in the file is run.
        book = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_vba=False, keep_links=False
        )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refused(file, f"damaged or unsupported workbook ({exc})") from None

    def sheet(ws: object) -> _Sheet:
        def rows() -> Grid:
            ws.reset_dimensions()  # type: ignore[attr-defined]  # (stated dimensions may be wrong)
            yield from enumerate(ws.iter_rows(values_only=True), start=1)

        def merges() -> list[tuple[int, int, int, int]]:
            return _xlsx_merges(book._archive, ws._worksheet_path)  # type: ignore[attr-defined]

        return _Sheet(ws.title, ws.sheet_state != "visible", rows, merges)  # type: ignore[attr-defined]

    return [sheet(ws) for ws in book.worksheets], book.close


# <mergeCell ref="A5:A7"/> (with or without a namespace prefix).
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}\d{1,7}:[A-Z]{1,3}\d{1,7})\""
)


def _xlsx_merges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges: read-only worksheets do not parse them.

    They sit in one element after all the cells: found by a byte search instead of a
    second XML parse of the whole sheet (which cost as much as reading its cells).
    """
    from openpyxl.utils.cell import range_boundaries

    data = archive.read(path)
    at = data.find(b"mergeCells")
    if at < 0:
        return []
    found: list[tuple[int, int, int, int]] = []
    for ref in _MERGE_REF.findall(data, at):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        found.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
    return found


def _xls_sheets(data: bytes, file: str) -> tuple[list[_Sheet], Callable[[], None]]:
    import xlrd

    try:
        # formatting_info: merged ranges are read only with it.
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise _refused(
                file, "the workbook is encrypted (password-protected): save a copy without one"
            ) from None
        raise _refused(file, f"damaged or unsupported .xls workbook ({exc})") from None
    except Exception as exc:  # xlrd raises assorted errors on a damaged file
        raise _refused(file, f"damaged .xls workbook ({type(exc).__name__})") from None

    def sheet(index: int) -> _Sheet:
        loaded: list[xlrd.sheet.Sheet] = []

        def ws() -> xlrd.sheet.Sheet:
            if not loaded:
                loaded.append(book.sheet_by_index(index))
            return loaded[0]

        def rows() -> Grid:
            s = ws()
            for r in range(s.nrows):
                yield r + 1, tuple(_xls_value(book, cell) for cell in s.row(r))

        def merges() -> list[tuple[int, int, int, int]]:
            return [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in ws().merged_cells]

        return _Sheet(book.sheet_names()[index], _xls_hidden(book, index), rows, merges)

    return [sheet(i) for i in range(book.nsheets)], book.release_resources


def _xls_hidden(book: object, index: int) -> bool:
    import xlrd

    assert isinstance(book, xlrd.book.Book)
    # (Visibility is in the workbook globals: no need to load the sheet.)
    return bool(book._sheet_visibility[index])


def _xls_value(book: object, cell: object) -> object:
    import xlrd

    kind, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, book.datemode)  # type: ignore[attr-defined]
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return value
