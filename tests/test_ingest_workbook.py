"""Reports kept as Excel workbooks: read into the same rows as the text export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.cli import main
from bot.ingest.files import parse_report_data, parse_report_file
from bot.ingest.problems import ReportRejected
from bot.ingest.report_text import parse_report_bytes
from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import write_reports
from bot.ingest.workbook import WorkbookLimits, parse_workbook_bytes
from bot.models import Report
from tests import reports, workbooks
from tests.test_warehouse import tree_digest

SEED_TABLE = workbooks.table_from_text(reports.seed_text())
LONG_NAME = "子ども家庭部子ども家庭支援センター子ども家庭相談係兼児童虐待防止担当"  # > 31


def rows(report: Report) -> list[tuple[object, ...]]:
    """An evaluation as the warehouse keeps it, apart from which file and line it cites."""
    return sorted(
        (
            e.item_number,
            e.department,
            e.sheet_department,
            e.fiscal_year,
            e.grade,
            e.plan_text,
            e.result_text,
            e.next_plan_text,
            e.source.sheet,
        )
        for e in report.evaluations
    )


def same_report(a: Report, b: Report) -> None:
    assert rows(a) == rows(b)
    assert a.items == b.items
    assert a.goals == b.goals
    assert (a.municipality, a.plan, a.title, a.fiscal_year, a.next_fiscal_year, a.sheets) == (
        b.municipality,
        b.plan,
        b.title,
        b.fiscal_year,
        b.next_fiscal_year,
        b.sheets,
    )


@pytest.fixture(scope="module")
def seed_text_report() -> Report:
    return parse_report_bytes(reports.SEED.read_bytes(), file="seed.txt")


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".xls"])
def test_the_seed_as_a_workbook_is_the_seed(suffix: str, seed_text_report: Report) -> None:
    maker = workbooks.xls_bytes if suffix == ".xls" else workbooks.xlsx_bytes
    data = maker(SEED_TABLE)
    report = parse_report_data(data, file=f"seed{suffix}", source_name=f"seed{suffix}")
    same_report(report, seed_text_report)
    # The summary sheet and the hidden list behind the grade dropdown are named, not read.
    assert [(s.name, s.reason.split(" ")[0]) for s in report.skipped_sheets] == [
        ("集計", "not"),
        ("リスト", "hidden"),
    ]


def test_a_workbook_row_cites_its_sheet_and_row() -> None:
    data = workbooks.xlsx_bytes(SEED_TABLE)
    report = parse_workbook_bytes(data, file="seed.xlsx", source_name="seed.xlsx")
    sheet = load_workbook(io.BytesIO(data))["子ども政策課"]
    row_of_16 = next(c.row for c in sheet["B"] if c.value == 16)  # (column A is a margin)
    ev = next(e for e in report.evaluations if e.item_number == 16)
    assert (ev.source.file, ev.source.sheet, ev.source.line) == (
        "seed.xlsx",
        "子ども政策課",
        row_of_16,
    )


def test_furigana_never_joins_the_text(seed_text_report: Report) -> None:
    data = workbooks.xlsx_bytes(SEED_TABLE)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    assert sheet_xml.count(b"<rPh") > 100
    report = parse_workbook_bytes(data, file="f.xlsx", source_name="f.xlsx")
    assert not any(workbooks.FURIGANA in i.name + i.summary for i in report.items)
    same_report(report, seed_text_report)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    merges=st.booleans(),
    numbers=st.booleans(),
    filler=st.booleans(),
    extra=st.booleans(),
    breaks=st.booleans(),
    long_name=st.booleans(),
    xls=st.booleans(),
)
def test_same_report_as_workbook_and_text_gives_the_same_warehouse_rows(
    tmp_path_factory: pytest.TempPathFactory,
    merges: bool,
    numbers: bool,
    filler: bool,
    extra: bool,
    breaks: bool,
    long_name: bool,
    xls: bool,
) -> None:
    table = SEED_TABLE
    if breaks:
        table = workbooks.with_line_breaks(table)
    if long_name:
        table = workbooks.renamed_department(table, "子ども家庭支援センター", LONG_NAME)
    features = workbooks.Features(
        merges=merges, numbers=numbers, furigana=False, filler=filler, extra_sheets=extra
    )
    book = (workbooks.xls_bytes if xls else workbooks.xlsx_bytes)(table, features)
    tmp = tmp_path_factory.mktemp("same")
    text_file = tmp / "report.txt"
    text_file.write_text(workbooks.text_from_table(table), encoding="utf-8")
    book_file = tmp / ("report.xls" if xls else "report.xlsx")
    book_file.write_bytes(book)
    tables = []
    for path in (text_file, book_file):
        write_reports(tmp / path.suffix, [parse_report_file(path)])
        snapshot = current_snapshot(tmp / path.suffix)
        assert snapshot is not None
        table_rows = pq.read_table(snapshot / "evaluations").drop_columns(
            ["source_file", "source_line", "report_checksum"]
        )
        tables.append(sorted(map(str, table_rows.to_pylist())))
    assert tables[0] == tables[1]
    assert len(tables[0]) == 41


def _bad_grade_table() -> dict[str, list[list[str]]]:
    table = {k: [list(r) for r in v] for k, v in SEED_TABLE.items()}
    for row in table["子ども政策課"]:
        if row and row[0] == "16":
            row[8] = "E"
    return table


def test_a_refused_workbook_names_sheet_and_cell_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--data-dir", str(tmp_path), str(reports.SEED)]) == 0
    before = tree_digest(tmp_path / "warehouse")
    bad = tmp_path / "bad.xlsx"
    data = workbooks.xlsx_bytes(_bad_grade_table(), workbooks.Features(filler=False))
    bad.write_bytes(data)
    assert main(["ingest", "--data-dir", str(tmp_path), str(bad)]) != 0
    sheet = load_workbook(io.BytesIO(data))["子ども政策課"]
    row_of_16 = next(c.row for c in sheet["A"] if c.value == 16)
    err = capsys.readouterr().err
    assert f"{bad}:子ども政策課!I{row_of_16}: item 16: grade 'E' is not one of A–D" in err
    assert tree_digest(tmp_path / "warehouse") == before


def test_ingest_names_skipped_sheets_and_answers_cite_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "musashino_fy2019.xlsx"
    book.write_bytes(workbooks.xlsx_bytes(SEED_TABLE))
    assert main(["ingest", "--data-dir", str(tmp_path), str(book)]) == 0
    out = capsys.readouterr().out
    assert "skipped sheet '集計'" in out
    assert "skipped sheet 'リスト': hidden sheet" in out
    assert main(["ask", "--data-dir", str(tmp_path), "D評価の事業は？"]) == 0
    answer = capsys.readouterr().out
    assert "事業16" in answer
    assert "musashino_fy2019.xlsx 子ども政策課" in answer


LIMITS = WorkbookLimits(
    max_bytes=2 * 1024 * 1024, max_unpacked_bytes=5_000_000, max_rows=500, max_columns=30
)


def _refusal(data: bytes, name: str = "r.xlsx", limits: WorkbookLimits = LIMITS) -> str:
    with pytest.raises(ReportRejected) as caught:
        parse_report_data(data, file=name, source_name=name, limits=limits)
    return str(caught.value)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * 3_000_000)
    with pytest.raises(ReportRejected) as caught:
        parse_report_file(big, LIMITS)
    assert "file is 2.9 MB; reports up to 2 MB are accepted (PLANBOT_MAX_UPLOAD_MB)" in str(
        caught.value
    )


def test_a_decompression_bomb_is_refused_before_it_is_inflated() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    assert len(buf.getvalue()) < 200_000
    assert "decompression bomb" in _refusal(buf.getvalue())


def test_a_sheet_beyond_the_row_or_column_limit_is_refused() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "子ども政策課"
    book.active["A1"] = "…【対象課 子ども政策課】"
    book.active.cell(row=900, column=1, value="x")
    buf = io.BytesIO()
    book.save(buf)
    assert "r.xlsx:子ども政策課!A501: sheet has more than 500 rows" in _refusal(buf.getvalue())
    book.active.cell(row=2, column=40, value="x")
    buf = io.BytesIO()
    book.save(buf)
    assert "r.xlsx:子ども政策課!AE2: sheet has more than 30 columns" in _refusal(buf.getvalue())


def test_an_encrypted_workbook_is_refused_with_a_clear_message() -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(workbooks.xlsx_bytes(SEED_TABLE))).encrypt("secret", out)
    message = _refusal(out.getvalue())
    assert "encrypted (password-protected)" in message


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"%PDF-1.7 not a workbook", "not an Excel workbook"),
        (b"PK\x03\x04broken", "damaged workbook"),
    ],
)
def test_what_is_not_a_workbook_gets_a_clear_answer(data: bytes, reason: str) -> None:
    assert reason in _refusal(data)


def test_a_workbook_without_department_sheets_names_what_it_has() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "集計"
    book.active["A1"] = "=SUM(B1:B3)"
    buf = io.BytesIO()
    book.save(buf)
    assert "no department sheet (【対象課 …】 header) in the workbook: 集計" in _refusal(
        buf.getvalue()
    )
