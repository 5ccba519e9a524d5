"""Parser for the tab-separated text export of a progress survey report (進捗状況調査報告書).

The export is a concatenation of printed pages, one department sheet (対象課) after
another. Each page repeats a header and the grade legend; the plan hierarchy (goal →
basic policy → measure) arrives as headings in the first cell and carries over from
page to page; item rows hold the number in the first cell and the labelled columns
after it. Everything is matched on NFKC text, so full-width and half-width forms of
the same character are one; the original cell text is kept for display.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from pydantic import ValidationError
from rapidfuzz import fuzz

from bot.ingest.cut_off import cut_off_problem
from bot.ingest.fiscal_years import fiscal_year_problem, latest_fiscal_year
from bot.ingest.problems import Problem, ReportRejected
from bot.models import (
    BasicPolicy,
    Evaluation,
    Goal,
    Grade,
    Item,
    Measure,
    Report,
    SkippedSheet,
    SourceRef,
)
from bot.text import (
    PLACE_WORD_CONTINUES,
    find_fiscal_years,
    html_to_text,
    kanji_to_int,
    nfkc,
    roman_to_int,
    search_key,
)

# --- line shapes (all matched on NFKC text) -------------------------------------------
_SHEET = re.compile(r"【\s*対象課\s*:?\s*(?P<sheet>[^】]+?)\s*】")
_TITLE_PARTS = re.compile(r"^(?P<municipality>.+?[都道府県市区町村])(?P<plan>第.+?計画)")
_LEGEND = re.compile(r"^(?:【評価基準.*】|<主管課の自己評価>|[A-DＡ-Ｄ]\s*:.*)$")
_GOAL = re.compile(r"^基本目標\s*(?P<num>[IVXLC]+|\d+)(?![A-Za-z])\s*(?P<rest>.*)$")
_POLICY = re.compile(r"^基本施策\s*(?P<num>\d+)\s*(?P<title>.*)$")
# (1) …, also 施策(1) … and (一) …; a circled ① … is read as (1) before matching.
_MEASURE = re.compile(
    r"^(?:施策\s*)?\(\s*(?P<num>\d+|[一二三四五六七八九十]{1,3})\s*\)\s*(?P<title>.*)$"
)
# What notes say and headings do not: "①数値は令和2年3月末現在", "(2) 高齢者支援課の回答による".
_NOTE_WORDS = re.compile(
    r"数値|現在|参考|速報|※|注[:)]|による$|のものです|を含む|を除く|回答|評価は|自己評価"
)
_MEASURE_BARE = re.compile(r"^施策\s*(?P<num>\d+)\s*(?P<title>.*)$")  # 施策1 …
# A lone first cell numbered some other way ("2. 男性の…", "三、…"): a heading planbot
# cannot place, which must not be passed over as page furniture.
_OTHER_NUMBERING = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.)、]\s*\S{2,}")
# "基本目標Ⅱ:生活と…", "基本施策1 ・…": the separator is not part of the title.
_TITLE_SEPARATORS = ":・.、 "
_CIRCLED = {0x2460 + k: f"({k + 1})" for k in range(20)}
_COUNTS = re.compile(r"\((?P<body>[^()]*(?:新規|継続|充実|見直し)\s*:\s*\d+[^()]*)\)\s*$")
_COUNT = re.compile(r"(新規|継続|充実|見直し)\s*:\s*(\d+)")
_PRIORITY = re.compile(r"\s*[(\[]?\s*★\s*[)\]]?\s*")
_RELISTING = re.compile(r"\(\s*事業\s*(\d+)\s*再掲\s*\)")
_ITEM_NO = re.compile(r"^\d{1,5}$")
_GRADE_WITH_WORDS = re.compile(r"^([A-D])\s*[(:]\s*[^A-Za-z]*\)?$")
_HIERARCHY_LABELS = frozenset({"基本目標", "基本施策", "施策"})
_TARGET_SPLIT = re.compile(r"\s*[/・、,]\s*")

# The standard column order, used until the report's own column-label row is seen.
_DEFAULT_COLUMNS: dict[str, int] = {
    "number": 0,
    "name": 1,
    "summary": 2,
    "category": 3,
    "targets": 4,
    "department": 5,
    "plan": 6,
    "result": 7,
    "grade": 8,
    "next_plan": 9,
}
# A row must reach the grade; the next-year plan after it may be absent in short rows.
_REQUIRED = ("number", "name", "department", "grade")


class _Row(NamedTuple):
    """An evaluation row as read, before the whole report is known (its fiscal year)."""

    line: int
    item: Item
    department: str
    grade: str
    plan_text: str
    result_text: str
    next_plan_text: str
    sheet: str
    #: Read from a cell naming several departments (高齢者支援課・地域支援課).
    shared: bool = False


@dataclass
class _Hierarchy:
    goal: Goal | None = None
    policy: BasicPolicy | None = None
    measure: Measure | None = None


@dataclass
class _State:
    file: str
    #: The latest results year accepted (next fiscal year, from the caller's clock).
    latest_fiscal_year: int = field(default_factory=latest_fiscal_year)
    #: A results header named an impossible year (already a problem of its own).
    fiscal_year_refused: bool = False
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None
    municipality: str | None = None
    plan: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=lambda: dict(_DEFAULT_COLUMNS))
    fiscal_year: int | None = None
    fiscal_year_line: int = 0
    next_fiscal_year: int | None = None
    hierarchy: _Hierarchy = field(default_factory=_Hierarchy)
    goals: dict[int, Goal] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    item_lines: dict[int, int] = field(default_factory=dict)
    evaluations: list[Evaluation] = field(default_factory=list)
    pending: list[_Row] = field(default_factory=list)
    last_item: Item | None = None
    headings: dict[tuple[str, int, int], tuple[Goal | None, BasicPolicy | None, Measure | None]] = (
        field(default_factory=dict)
    )
    first_item_line: int = 0
    #: The last column-label row lacked a required column: item rows cannot be read.
    #: The column-label row last applied (every page repeats it: it is read once).
    label_cells: list[str] | None = None
    #: A lone numbered line not read as a heading, until an item or a heading follows.
    odd_heading: tuple[int, str] | None = None

    #: Where rows sit in a workbook; None for a text export (rows are its lines).
    places: RowPlaces | None = None

    def problem(self, line: int, reason: str, column: int | None = None) -> None:
        place = self.places.cell(line, column) if self.places is not None else ""
        self.problems.append(Problem(self.file, line, reason, place))

    def at(self, line: int) -> str:
        """A row named in a problem's words: "line 12", or "子ども政策課!A86"."""
        return f"line {line}" if self.places is None else self.places.cell(line, None)

    def source_line(self, line: int) -> int:
        return line if self.places is None else self.places.row(line)


class RowPlaces(Protocol):
    """Where the rows fed to the parser came from, when they are not a text file's lines."""

    def cell(self, index: int, column: int | None) -> str:
        """The cell a problem is at: ``SHEET!A86`` (the row's first cell without a column)."""
        ...

    def row(self, index: int) -> int:
        """The row number a source cites (the sheet's own row)."""
        ...


#: A table row as fed to the parser: (row index, the row's text as a cache key, its cells).
ReportRow = tuple[int, str, list[str]]


def parse_report_text(path: Path, *, display_name: str | None = None) -> Report:
    """Parse a report file; raise ReportRejected listing every problem found."""
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportRejected([Problem(name, 1, f"cannot read file: {exc.strerror}")]) from exc
    return parse_report_bytes(data, file=name, source_name=path.name)


def parse_report_bytes(data: bytes, *, file: str, source_name: str | None = None) -> Report:
    """Parse the export's bytes. ``file`` names it in problems; ``source_name`` in provenance."""
    text = _decode(data, file)
    rows = list(_rows(text))
    cut_off = cut_off_problem(rows, text, file)
    try:
        report = parse_report_rows(
            rows,
            file=file,
            source_name=source_name or Path(file).name,
            checksum=hashlib.sha256(data).hexdigest(),
        )
    except ReportRejected as exc:
        raise ReportRejected([*exc.problems, *([cut_off] if cut_off else [])]) from None
    if cut_off is not None:
        raise ReportRejected([cut_off])
    return report


def parse_report_rows(
    rows: Iterable[ReportRow],
    *,
    file: str,
    source_name: str,
    checksum: str,
    places: RowPlaces | None = None,
    skipped_sheets: tuple[SkippedSheet, ...] = (),
) -> Report:
    """The layout logic shared by every format: rows of cells in, a report out.

    Rows come in document order (a workbook's sheets one after another); ``places`` says
    where each row sits when problems and sources must name a sheet and cell.
    """
    state = _State(file=file, places=places)
    # Every printed page repeats its header, legend, column labels and headings: what a
    # row that is not an item row is depends on its text alone, so it is worked out once.
    known: dict[str, tuple[_Line, list[str]]] = {}
    for lineno, line, originals in rows:
        if (seen := known.get(line)) is None:
            head = nfkc(originals[0])
            if _ITEM_NO.match(head) and "".join(originals[1:]).strip():
                # Item rows: only the cells that are matched on are normalised; the long
                # texts are kept as written (and normalised once, for their search keys).
                _item_row(state, lineno, originals, int(head))
                continue
            row = "\t".join(originals)
            if "\u2460" <= row[:1] <= "\u2473":
                row = row.translate(_CIRCLED)  # "②男性の…" is measure (2), not "2男性の…"
            normal = unicodedata.normalize("NFKC", row)
            cells = [c.strip() for c in normal.split("\t")]
            seen = known[line] = (_classify(cells), cells)
        kind, cells = seen
        if kind.kind != "furniture":
            _apply(state, lineno, kind, cells, originals)
    return _finish(state, checksum, source_name, skipped_sheets)


_QUOTED_CELL = re.compile(r'(?:^|\t)"')
# A quoted cell spanning more lines than this is an unterminated quote, not a cell.
_MAX_CELL_LINES = 50


def department_sheet_of(cells: Iterable[str]) -> str | None:
    """The department a page header row names (【対象課 子ども政策課】), else None."""
    joined = nfkc(" ".join(c for c in cells if c))
    if "対象課" not in joined:
        return None
    return m.group("sheet") if (m := _SHEET.search(joined)) else None


def _rows(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(first line number, the row's text, original cells) per table row that is not blank.

    One row per line, except where Excel's tab-delimited export quoted a cell holding line
    breaks or tabs ("…"): then a row spans lines, and "" inside it is one quote.
    """
    # CRLF, CR and LF all end a line (str.splitlines would also split on form feeds and
    # other separators that can sit inside a cell).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if '"' not in line or not _QUOTED_CELL.search(line):
            i += 1
            # Whitespace stays whitespace under NFKC: a blank line is blank either way.
            if line.strip():
                cells = line.split("\t")
                yield i, line, _unquoted(cells) if "'" in line else cells
            continue
        start, end = i, i
        record = line
        while (
            _open_quote(record)
            and end + 1 < len(lines)
            and end - i < _MAX_CELL_LINES
            and not (_NEW_ROW.match(lines[end + 1]) and not _CLOSING_QUOTE.search(lines[end + 1]))
        ):
            end += 1
            record += "\n" + lines[end]
        if _open_quote(record):
            # Not a quoted cell after all: take it literally.
            originals = line.split("\t")
            i += 1
        else:
            originals = next(csv.reader([record], delimiter="\t", quotechar='"', strict=False))
            i = end + 1
        if any(c.strip() for c in originals):
            yield start + 1, "\n".join(lines[start:i]), _unquoted(originals)


# A line that begins a row of its own (an item, a heading, a page header) cannot be the
# inside of a quoted cell: a quote still open there was a stray one, not Excel's quoting.
_NEW_ROW = re.compile(
    # (A whole row: a cell's own inner line "(1)交流会\t12回" has a tab or two, a row more.)
    r"^\s*(?:[0-9０-９]{1,5}|[(（]\s*[0-9０-９]+\s*[)）][^\t]*|基本(?:目標|施策)[^\t]*|"
    r"[^\t]*【\s*対象課[^\t]*)(?:\t[^\t]*){3,}$"
)


# The end of a quoted cell: its quote, then the next cell or the end of the row. A line
# that has it closes the cell, whatever it starts with ("(2) 相談…"\tB\t…).
_CLOSING_QUOTE = re.compile(r'"(?:\t|$)')


def _open_quote(record: str) -> bool:
    """Whether a quoted cell is still open at the end of the record."""
    inside = False
    at_cell_start = True
    j = 0
    while j < len(record):
        ch = record[j]
        if inside:
            if ch == '"':
                if j + 1 < len(record) and record[j + 1] == '"':
                    j += 1
                else:
                    inside = False
        elif ch == '"' and at_cell_start:
            inside = True
        at_cell_start = not inside and ch == "\t"
        j += 1
    return inside


def _decode(data: bytes, file: str) -> str:
    if not data.strip():
        raise ReportRejected([Problem(file, 1, "empty file: no report text")])
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text" export is UTF-16 with a byte-order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportRejected([Problem(file, 1, "not a text file (broken UTF-16)")]) from None
    if b"\x00" in data:
        raise ReportRejected([Problem(file, 1, "not a text file (contains NUL bytes)")])
    # Exports are UTF-8 (with or without a BOM); older Windows tools write Shift_JIS.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # (utf-8-sig counts from after a BOM; the line and byte are the file's.)
        broken_at = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with one broken spot (a file cut or damaged mid-character): say where.
    line = data[:broken_at].count(b"\n") + 1
    reason = "not a text file (neither UTF-8 nor Shift_JIS)"
    if broken_at > 0:  # (all before it is UTF-8: the file is text, damaged there)
        reason = f"broken UTF-8 text at byte {broken_at} (a damaged or cut file?)"
    raise ReportRejected([Problem(file, line, reason)])


class _Line(NamedTuple):
    """What a row that is not an item row is: furniture, header, labels, heading, …"""

    kind: str
    text: str = ""
    sheet: str = ""


_FURNITURE = _Line("furniture")


def _classify(cells: list[str]) -> _Line:
    """A row's kind from its (NFKC) cells alone; rows starting with a number are items."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled:
        return _FURNITURE
    first = cells[0]
    joined = " ".join([cells[i] for i in filled])
    if "対象課" in joined and (sheet := _SHEET.search(joined)):
        return _Line("header", joined, sheet.group("sheet"))
    if len(filled) == 1 and _LEGEND.match(cells[filled[0]]):
        return _FURNITURE
    if any(c in _NAME_LABELS for c in cells) and any(_is_grade_label(c) for c in cells):
        return _Line("labels")
    if filled == [0]:
        if first.endswith("。") or _NOTE_WORDS.search(first):
            return _FURNITURE  # a note ("(1) 数値は令和2年3月末現在のものです。"), never a heading
        if first not in _HIERARCHY_LABELS and _looks_like_heading(first):
            return _Line("heading", first)
        if _OTHER_NUMBERING.match(first):
            return _Line(
                "odd_heading",
                f"heading '{first[:30]}' is numbered in a way that cannot be placed "
                "(expected 基本目標…, 基本施策N…, (N)…)",
            )
        # Any other lone cell (a page number, a title, the bare labels 基本目標, 施策 …)
        # is page furniture and carries no data.
        return _FURNITURE
    if all(cells[i] in _HIERARCHY_LABELS for i in filled):
        return _FURNITURE
    if not first:
        return _Line("continuation")
    if _looks_like_heading(first):
        return _Line("problem", f"heading '{first[:40]}' has text in other cells")
    return _Line("problem", f"garbled item number '{first[:20]}': expected digits")


def _looks_like_heading(text: str) -> bool:
    return text.startswith(("基本目標", "基本施策")) or bool(
        _MEASURE.match(text) or _MEASURE_BARE.match(text)
    )


def _apply(state: _State, lineno: int, line: _Line, cells: list[str], originals: list[str]) -> None:
    if line.kind == "heading":
        _heading(state, lineno, line.text)
    elif line.kind == "header":
        state.odd_heading = None  # a new page: the line was the last page's footnote
        _page_header(state, lineno, line.text, line.sheet)
    elif line.kind == "labels":
        state.odd_heading = None  # a note above the column labels, not a heading
        if cells is not state.label_cells or not state.columns:
            # (The same row again — classified once, so the same list — changes nothing.)
            state.label_cells = cells
            _column_labels(state, lineno, cells)
    elif line.kind == "continuation":
        _continuation_row(state, lineno, cells, originals)
    elif line.kind == "odd_heading":
        # A heading only if items follow it before a heading planbot can read; otherwise a
        # cover page's "1. 計画の概要" or a footnote "1) 数値は…".
        state.odd_heading = (lineno, line.text)
    elif line.kind == "problem":
        state.problem(lineno, line.text)


def _page_header(state: _State, lineno: int, joined: str, sheet: str) -> None:
    title = joined[: joined.find("【")].strip()
    state.sheet = sheet
    if sheet not in state.sheets:
        state.sheets.append(sheet)
    if state.title is not None:
        return
    state.title = title
    if parts := _title_parts(title):
        state.municipality, state.plan = parts
    else:
        state.problem(lineno, f"report header '{title[:40]}' names no municipality and plan")


def _title_parts(title: str) -> tuple[str, str] | None:
    """(municipality, plan) from a header title: "武蔵野市第四次男女平等推進計画 進捗…",
    also with a space between them ("国分寺市 男女共同参画推進計画")."""
    words = title.split(" ")
    for n in (1, 2):
        head = "".join(words[:n])
        if m := _TITLE_PARTS.match(head):
            return m.group("municipality"), m.group("plan")
        if (municipality := _municipality_prefix(head)) and (
            m := _PLAN_NAME.match(head, len(municipality))
        ):
            return municipality, m.group("plan")
    return None


def _municipality_prefix(head: str) -> str | None:
    """The municipality a title starts with, when no 第N次 marks where the plan begins
    ("国立市男女平等推進計画", "…行動計画(第6次)", "…プラン").

    The last 都道府県市区町村 within a name's length that is not the start of a word like
    市民 or 区役所: 東村山市 (not 東村), 武蔵村山市, 東京都国分寺市; 国分寺市 in
    国分寺市市民協働推進計画.
    """
    ends = [
        i
        for i, ch in enumerate(head[:_MUNICIPALITY_MAX])
        if ch in _SUFFIXES
        and i >= 1
        and head[i + 1 : i + 2] not in ("", *PLACE_WORD_CONTINUES, "街", "域")
        and not (ch == "区" and head[i - 1] == "地")  # 地区 (a district) in a plan's name
        # 都市 (a city, in a plan's name) after a municipality: "…市都市計画"
        and not (ch == "都" and head[i + 1 : i + 2] == "市")
        and not (ch == "市" and head[i - 1] == "都" and i >= 2 and head[i - 2] in _SUFFIXES)
    ]
    return head[: ends[-1] + 1] if ends else None


_SUFFIXES = "都道府県市区町村"
# A municipality's name with its prefecture and county ("北海道虻田郡洞爺湖町") fits.
_MUNICIPALITY_MAX = 10
_PLAN_NAME = re.compile(r"(?P<plan>.+?(?:計画|プラン)(?:\s*\(第[^)]*\))?)")


def _column_labels(state: _State, lineno: int, cells: list[str]) -> None:
    # The label row has no label for the number column: labels sit one cell to the left
    # of their data, unless the export did label the number, or left its label cell empty
    # (then the labels stand over their data).
    labels = [_label_core(c) for c in cells]
    has_number_label = any(_is_number_label(c) for c in labels)
    shift = 0 if has_number_label or not labels[0] else 1
    columns: dict[str, int] = {"number": 0}
    grade_columns: list[tuple[int, int]] = []  # (preference, column)
    results: list[tuple[int, int, int, str]] = []  # (year, preference, column, label)
    plans: list[tuple[int, str, str]] = []  # (column, label, label with its notes)
    for i, label in enumerate(labels):
        col = i + shift
        if _is_number_label(label):
            columns["number"] = i
        elif label in _NAME_LABELS:
            columns["name"] = col
        elif label in _SUMMARY_LABELS:
            columns["summary"] = col
        elif label == "区分":
            columns["category"] = col
        elif "対象者" in label:
            columns["targets"] = col
        elif label in _DEPARTMENT_LABELS:
            columns["department"] = col
        elif _is_grade_label(label):
            grade_columns.append((_grade_label_rank(label), col))
        elif label.endswith(_RESULT_ENDINGS):
            # The latest year's results (not a 前年度 column beside them), 事業実績 before an
            # indicator's 令和元年度実績.
            years = find_fiscal_years(cells[i])
            results.append((-max(years, default=0), 0 if "事業" in label else 1, col, cells[i]))
        elif label.endswith(_PLAN_ENDINGS):
            plans.append((col, label, cells[i]))
    if grade_columns:
        # "評価" beside "前年度評価" or "推進会議評価": this year's own grade, whatever the order.
        columns["grade"] = min(grade_columns)[1]
    if results:
        _, _, columns["result"], label = min(results)
        # The year from the whole label: "事業実績(令和元年度)" keeps it in its note.
        _results_year(state, lineno, label)
    _plan_columns(state, columns, plans)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        state.problem(lineno, f"column labels lack {', '.join(missing)}")
        state.columns = {}  # no row under these labels can be read
        return
    state.columns = columns


def _plan_columns(
    state: _State, columns: dict[str, int], plans: list[tuple[int, str, str]]
) -> None:
    """This year's plan and next year's among the plan-like columns: by the year a label
    names (令和元年度事業予定 / 令和2年度事業予定, in either order), else by place — before
    the results this year's, after them next year's; 今後の方向性 is next year's. A label
    without a year is taken only where no label with one is, and 関連計画 (another plan
    named) never."""
    year = state.fiscal_year
    result = columns.get("result")
    slots: dict[str, list[tuple[float, int, str]]] = {"plan": [], "next_plan": []}
    for col, label, whole in plans:
        years = find_fiscal_years(whole)
        if years and year is not None and years[0] in (year, year + 1):
            slot, rank = ("plan" if years[0] == year else "next_plan"), 0
        elif label.startswith(("次年度", "来年度", "翌年度")):
            slot, rank = "next_plan", 0.5
        elif label.startswith("今後"):
            slot, rank = "next_plan", 1
        elif label.endswith("計画") and not years and "事業" not in label:
            continue  # 関連計画, 上位計画: another plan's name, not this item's texts
        else:
            slot = "plan" if result is None or col < result else "next_plan"
            rank = 1 if years else 2
        slots[slot].append((rank - (1 if "事業" in label else 0) / 2, col, whole))
    for slot, found in slots.items():
        if found:
            _, columns[slot], whole = min(found)
            if slot == "next_plan" and (years := find_fiscal_years(whole)):
                state.next_fiscal_year = years[0]


# A label's trailing notes: "(案)", "(令和2年3月末現在)", "(見込み)", "※".
_LABEL_NOTES = re.compile(r"(?:\s*\([^()]*\)|\s*[※*]+)+$")
_RESULT_ENDINGS = ("実績", "実施状況", "取組結果")
_PLAN_ENDINGS = ("予定", "計画", "方針", "方向性", "取組", "取り組み")


def _label_core(label: str) -> str:
    return _LABEL_NOTES.sub("", label) or label


def _is_number_label(label: str) -> bool:
    key = label.casefold().replace(" ", "").rstrip(".")
    return key in ("事業番号", "番号", "no", "事業no", "項番", "通番", "整理番号")


def _grade_label_rank(label: str) -> int:
    """Which of several grade columns is the department's grade of this year (lowest)."""
    if label == "評価":
        return 0
    if "自己" in label or "主管課" in label:
        return 1
    # Another year's grade or another body's (前年度評価, 推進会議評価) only as a last resort.
    if find_fiscal_years(label) or any(w in label for w in _OTHER_GRADERS):
        return 3
    return 2


_OTHER_GRADERS = ("前年", "昨年", "年度", "会議", "委員", "審議", "外部", "市民", "第三者")


# The labels the city's exports use, and the wordings other sheets of the same survey use.
_NAME_LABELS = frozenset({"事業名", "事業名称"})
_SUMMARY_LABELS = frozenset({"事業概要", "事業内容", "概要"})
_DEPARTMENT_LABELS = frozenset({"主管課", "主管課名", "担当課", "所管課", "担当部署", "所管部署"})


def _is_grade_label(label: str) -> bool:
    """評価, or a longer wording of it: 自己評価, 評価(A〜D), 進捗評価."""
    if label == "評価":
        return True
    return len(label) <= 10 and (label.endswith("評価") or label.startswith("評価("))


def _results_year(state: _State, lineno: int, label: str) -> None:
    years = find_fiscal_years(label)
    if not years:
        state.problem(lineno, f"results header '{label}' names no fiscal year")
        return
    if state.fiscal_year is not None and state.fiscal_year != years[0]:
        state.problem(
            lineno,
            f"results header says FY{years[0]} but {state.at(state.fiscal_year_line)} "
            f"said FY{state.fiscal_year}: one report holds one fiscal year",
        )
        return
    if (impossible := fiscal_year_problem(label, years[0], state.latest_fiscal_year)) is not None:
        state.problem(lineno, f"results header '{label}': {impossible}")
        state.fiscal_year_refused = True
        return
    state.fiscal_year, state.fiscal_year_line = years[0], lineno


def _heading(state: _State, lineno: int, text: str) -> None:
    state.odd_heading = None
    h = state.hierarchy
    # Every page repeats the headings it continues under: build each model once.
    key = (text, h.goal.number if h.goal else 0, h.policy.number if h.policy else 0)
    if (known := state.headings.get(key)) is not None:
        # (A goal was registered in state.goals when its heading was first read.)
        h.goal, h.policy, h.measure = known
        return
    if _new_heading(state, lineno, text):
        state.headings[key] = (h.goal, h.policy, h.measure)


def _new_heading(state: _State, lineno: int, text: str) -> bool:
    """Read a heading into the hierarchy; whether it was one (and without problems)."""
    h = state.hierarchy
    if m := _GOAL.match(text):
        number = roman_to_int(m.group("num")) or (
            int(m.group("num")) if m.group("num").isdigit() else None
        )
        if not number:
            state.problem(lineno, f"goal heading '{text[:30]}' has no readable number")
            return False
        rest = m.group("rest")
        counts: dict[str, int] = {}
        if c := _COUNTS.search(rest):
            counts = {k: int(v) for k, v in _COUNT.findall(c.group("body"))}
            rest = rest[: c.start()]
        numeral = m.group("num") if not m.group("num").isdigit() else ""
        title = rest.strip().lstrip(_TITLE_SEPARATORS).strip()
        goal = Goal(number=number, numeral=numeral, title=title, category_counts=counts)
        known = state.goals.get(number)
        if known is None or (counts and not known.category_counts):
            # (The first heading of a goal may lack the counts a later page gives.)
            state.goals[number] = goal
        h.goal, h.policy, h.measure = goal, None, None
        return True
    if m := _POLICY.match(text):
        if h.goal is None:
            state.problem(lineno, "basic policy heading before any goal heading")
            return False
        h.policy = BasicPolicy(
            goal=h.goal.number,
            number=int(m.group("num")),
            title=m.group("title").strip().lstrip(_TITLE_SEPARATORS).strip(),
        )
        h.measure = None
        return True
    if m := _MEASURE.match(text) or _MEASURE_BARE.match(text):
        if h.goal is None or h.policy is None:
            state.problem(lineno, "measure heading before any basic policy heading")
            return False
        number = _number(m.group("num"))
        if not number:
            state.problem(lineno, f"measure heading '{text[:30]}' has no readable number")
            return False
        title = m.group("title").strip().lstrip(_TITLE_SEPARATORS)
        priority = "★" in title
        h.measure = Measure(
            goal=h.goal.number,
            policy=h.policy.number,
            number=number,
            title=_PRIORITY.sub("", title).strip() if priority else title.strip(),
            priority=priority,
        )
        return True
    state.problem(lineno, f"heading '{text[:30]}' has no readable number")
    return False


def _number(text: str) -> int:
    """'12' or a kanji numeral ('三', '十二'); 0 (no measure) for what is neither."""
    return int(text) if text.isdigit() else kanji_to_int(text) or 0


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return cells[i] if i is not None and i < len(cells) else ""


def _value(originals: list[str], columns: dict[str, int], name: str) -> str:
    """A cell as matched on: NFKC and trimmed, markup removed ("<p>B</p>" is B)."""
    return nfkc(_display(originals, columns, name))


def _item_row(state: _State, lineno: int, originals: list[str], number: int) -> None:
    cols = state.columns
    if not cols:
        return  # the label row's problem is the one to fix; every row would repeat it
    needed = max(cols[name] for name in _REQUIRED) + 1
    if len(originals) < needed:
        state.problem(
            lineno,
            f"row has {len(originals)} cells, needs at least {needed} (number through grade)",
        )
        return
    if cols["number"]:
        # Labels that name the number column put it elsewhere than the first cell.
        text = _value(originals, cols, "number")
        if not _ITEM_NO.match(text):
            state.problem(lineno, f"garbled item number '{text[:20]}': expected digits")
            return
        number = int(text)
    if number < 1:
        state.problem(lineno, f"item number {number} is not a plan item number")
        return
    h = state.hierarchy
    if h.goal is None or h.policy is None or h.measure is None:
        state.problem(lineno, f"item {number} appears before its goal, policy and measure")
        return
    name = _display(originals, cols, "name")
    if not name and state.last_item is not None and state.last_item.number == number:
        # The item above again, for another department: a workbook's number cell merged
        # down over its continuation rows gives each of them the number.
        _evaluation(state, lineno, originals, state.last_item)
        return
    if not name:
        state.problem(lineno, f"item {number} has no name", cols["name"])
        return
    if state.odd_heading is not None:
        # Items under a line that looked like a heading: they would be filed under the
        # heading before it.
        state.problem(*state.odd_heading)
        state.odd_heading = None
    if not state.first_item_line:
        state.first_item_line = lineno
    # An item on several department sheets keeps the first row's fields.
    known = state.items.get(number)
    if known is None:
        known = state.items[number] = _new_item(state, lineno, originals, number, name)
        if known is None:
            return
        state.item_lines[number] = lineno
    elif not _same_name(known.name, name):
        # Another item under a number already taken: a mistyped number would otherwise
        # put this row's grade on that item and lose this item.
        state.problem(
            lineno,
            f"item {number} is named '{name[:30]}' here but '{known.name[:30]}' at "
            f"{state.at(state.item_lines[number])}: is the number mistyped?",
        )
        return
    state.last_item = known
    _evaluation(state, lineno, originals, known)


_BRACKETED = re.compile(r"【[^】]*】|[(（][^)）]*[)）]")  # 【再掲】, (事業19再掲)


def _same_name(first: str, other: str) -> bool:
    """One item's name as two sheets write it: spacing, width, punctuation and a trailing
    note such as (再掲) aside."""
    a, b = (search_key(_BRACKETED.sub("", n)) for n in (first, other))
    # (取組 / 取り組み: the same name; another item's name is not, even a similar one.)
    return a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b) >= 90


def _new_item(
    state: _State, lineno: int, originals: list[str], number: int, name: str
) -> Item | None:
    cols, h = state.columns, state.hierarchy
    # Categories outside 新規/継続/充実/見直し are kept verbatim: other plans use others.
    relisted = _RELISTING.search(nfkc(name))
    targets = tuple(t for t in _TARGET_SPLIT.split(_value(originals, cols, "targets")) if t)
    try:
        return Item(
            number=number,
            name=name,
            summary=_display(originals, cols, "summary"),
            category=_value(originals, cols, "category"),
            target_groups=targets,
            relisted_from=int(relisted.group(1)) if relisted else None,
            goal=h.goal,
            policy=h.policy,
            measure=h.measure,
        )
    except ValidationError as exc:
        state.problem(lineno, f"item {number}: {_first_error(exc)}")
        return None


def _continuation_row(state: _State, lineno: int, cells: list[str], originals: list[str]) -> None:
    cols = state.columns
    if not cols:
        return
    if _cell(cells, cols, "name"):
        state.problem(lineno, "missing item number: the row names an item but has no number")
        return
    if not (_cell(cells, cols, "department") or _cell(cells, cols, "grade")):
        state.problem(lineno, "row has no item number, department or grade")
        return
    if state.last_item is None:
        state.problem(lineno, "continuation row (no item number) before any item")
        return
    needed = max(cols[name] for name in ("department", "grade")) + 1
    if len(cells) < needed:
        state.problem(
            lineno, f"row has {len(cells)} cells, needs at least {needed} (through grade)"
        )
        return
    _evaluation(state, lineno, originals, state.last_item)


def _evaluation(state: _State, lineno: int, originals: list[str], item: Item) -> None:
    cols = state.columns
    grade_text = _value(originals, cols, "grade").upper()
    if m := _GRADE_WITH_WORDS.match(grade_text):
        grade_text = m.group(1)  # "A(順調)", "B: 概ね順調": the letter and its legend
    department = _value(originals, cols, "department")
    if not grade_text:
        state.problem(lineno, f"item {item.number}: missing grade (expected A–D)", cols["grade"])
        return
    if grade_text not in Grade.__members__:
        state.problem(
            lineno,
            f"item {item.number}: grade '{grade_text[:10]}' is not one of A–D",
            cols["grade"],
        )
        return
    if not department:
        state.problem(
            lineno,
            f"item {item.number}: missing responsible department (主管課)",
            cols["department"],
        )
        return
    texts = (
        _display(originals, cols, "plan"),
        _display(originals, cols, "result"),
        _display(originals, cols, "next_plan"),
    )
    # "高齢者支援課・地域支援課": a row both departments answer for is an evaluation each.
    names = _departments(department)
    for name in names:
        state.pending.append(
            _Row(lineno, item, name, grade_text, *texts, state.sheet or department, len(names) > 1)
        )


_DEPARTMENT_SEPARATORS = "・、,/\n"
_DEPARTMENT_SPLIT = re.compile(rf"\s*[{_DEPARTMENT_SEPARATORS}]\s*")
# Only units of one level: 健康福祉部・高齢者支援課 or 男女平等推進室・人権係 name one unit.
_DEPARTMENT_ENDINGS = ("課", "室", "センター")


def _departments(cell: str) -> list[str]:
    if not any(sep in cell for sep in _DEPARTMENT_SEPARATORS):
        return [cell]  # (most cells: no split to run)
    parts = [p for p in _DEPARTMENT_SPLIT.split(cell) if p]
    # Units of one kind side by side (課 and 課, センター and 課), not a unit and its section
    # (子ども家庭支援センター・相談室).
    kinds = {"室" if p.endswith("室") else "課" for p in parts}
    if len(parts) > 1 and all(p.endswith(_DEPARTMENT_ENDINGS) for p in parts) and len(kinds) == 1:
        return parts
    return [cell]


def _display(originals: list[str], columns: dict[str, int], name: str) -> str:
    return html_to_text(_cell(originals, columns, name))


def _unquoted(cells: list[str]) -> list[str]:
    """Cells without Excel's text apostrophe, which an export puts before what a spreadsheet
    would run ('=…, '-…) and before a text that itself starts with one ('' → ')."""
    return [c[1:] if c[:1] == "'" and c[1:2] in _QUOTED_STARTS else c for c in cells]


_QUOTED_STARTS = ("=", "+", "-", "@", "'")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def _finish(
    state: _State, checksum: str, source_name: str, skipped_sheets: tuple[SkippedSheet, ...]
) -> Report:
    if state.fiscal_year is None and not state.fiscal_year_refused:
        state.problem(
            state.first_item_line or 1,
            "no fiscal-year header (a column label such as 令和元年度事業実績) "
            "before or among the items",
        )
    if state.title is None:
        state.problem(
            state.first_item_line or 1,
            "no report header (…報告書【対象課 …】) naming the municipality and plan",
        )
    if not state.pending and not state.problems:
        state.problem(1, "no plan items found: is this a progress report export?")
    seen: dict[tuple[int, str], tuple[int, str]] = {}
    year = state.fiscal_year
    # A department's own row for an item outranks a row it shares with another department.
    own = {(r.item.number, r.department) for r in state.pending if not r.shared}
    rows = [r for r in state.pending if not (r.shared and (r.item.number, r.department) in own)]
    for row in rows:
        key = (row.item.number, row.department)
        if (first := seen.get(key)) is not None:
            first_line, first_grade = first
            if first_grade != row.grade:
                state.problem(
                    row.line,
                    f"item {row.item.number} for {row.department} graded "
                    f"{row.grade} here but {first_grade} at {state.at(first_line)}",
                )
            continue
        seen[key] = (row.line, row.grade)
        if year is None:
            continue
        state.evaluations.append(
            Evaluation(
                item_number=row.item.number,
                department=row.department,
                sheet_department=row.sheet,
                fiscal_year=year,
                plan_text=row.plan_text,
                result_text=row.result_text,
                grade=Grade(row.grade),
                next_plan_text=row.next_plan_text,
                source=SourceRef(
                    file=source_name, sheet=row.sheet, line=state.source_line(row.line)
                ),
            )
        )
    if state.problems:
        raise ReportRejected(state.problems)
    if state.fiscal_year is None or not (state.municipality and state.plan and state.title):
        raise ReportRejected([Problem(state.file, 1, "report header incomplete")])
    return Report(
        municipality=state.municipality,
        plan=state.plan,
        title=state.title,
        fiscal_year=state.fiscal_year,
        next_fiscal_year=state.next_fiscal_year,
        source_file=source_name,
        checksum=checksum,
        sheets=tuple(state.sheets),
        goals=tuple(sorted(state.goals.values(), key=lambda g: g.number)),
        items=tuple(sorted(state.items.values(), key=lambda i: i.number)),
        evaluations=tuple(state.evaluations),
        skipped_sheets=skipped_sheets,
    )
