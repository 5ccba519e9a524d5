"""planbot export: a fiscal year written back in the report's layout, and read back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.cli import main
from bot.ingest.files import parse_report_data
from bot.ingest.report_text import parse_report_bytes
from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import write_reports
from bot.models import Report
from bot.render.report_files import export_report, report_text, report_xlsx
from bot.store.report_model import ReportNotFound, load_report
from bot.text import html_to_text
from tests import reports
from tests.test_ingest_workbook import same_report


def warehouse_rows(data_dir: Path) -> list[str]:
    snapshot = current_snapshot(data_dir)
    assert snapshot is not None
    table = pq.read_table(snapshot / "evaluations").drop_columns(
        ["source_file", "source_line", "report_checksum"]
    )
    return sorted(map(str, table.to_pylist()))


@pytest.mark.parametrize("fmt", ["xlsx", "txt"])
def test_an_exported_year_reads_back_as_the_same_report(
    fmt: str, two_year_warehouse: Path, tmp_path: Path
) -> None:
    for year in (2019, 2020):
        data = export_report(two_year_warehouse, year, fmt=fmt)  # type: ignore[arg-type]
        back = parse_report_data(data, file=f"r.{fmt}", source_name=f"r.{fmt}")
        same_report(back, load_report(two_year_warehouse, year))
        write_reports(tmp_path / fmt, [back])
    assert warehouse_rows(tmp_path / fmt) == warehouse_rows(two_year_warehouse)


def test_the_seed_round_trips_through_the_warehouse(seed_report: Report) -> None:
    for data in (report_xlsx(seed_report), report_text(seed_report)):
        back = parse_report_data(
            data, file="r", source_name="r.xlsx" if data[:2] == b"PK" else "r.txt"
        )
        same_report(back, seed_report)


_texts = st.one_of(
    st.sampled_from(['=HYPERLINK("http://x","y")', "@SUM(A1)", "-", "+81", "'=1", "''"]),
    st.text(alphabet="=+-@'\"\n 　あ事業Ａ1,.;()", max_size=20),
).map(html_to_text)


@settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # (shrinking 41 texts takes minutes)
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    texts=st.lists(st.tuples(_texts, _texts, _texts), min_size=41, max_size=41),
    fmt=st.sampled_from(["xlsx", "txt"]),
)
def test_round_trip_keeps_every_text_and_runs_none(
    seed_report: Report,
    tmp_path_factory: pytest.TempPathFactory,
    texts: list[tuple[str, str, str]],
    fmt: str,
) -> None:
    """Whatever the texts hold — formulas, quotes, line breaks — the same rows come back."""
    evaluations = tuple(
        ev.model_copy(update={"plan_text": p, "result_text": r, "next_plan_text": n})
        for ev, (p, r, n) in zip(seed_report.evaluations, texts, strict=True)
    )
    report = seed_report.model_copy(update={"evaluations": evaluations})
    tmp = tmp_path_factory.mktemp("rt")
    write_reports(tmp / "a", [report])
    data = export_report(tmp / "a", 2019, fmt=fmt)  # type: ignore[arg-type]
    write_reports(tmp / "b", [parse_report_data(data, file="x", source_name=f"x.{fmt}")])
    assert warehouse_rows(tmp / "b") == warehouse_rows(tmp / "a")
    if fmt == "xlsx":
        for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
            assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(name)
    else:
        lines = data.decode("utf-8-sig").split("\r\n")
        assert not any(
            c.startswith(("=", "+", "-", "@")) for line in lines for c in line.split("\t")
        )


def test_the_workbook_is_laid_out_for_the_office(seed_report: Report) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(seed_report)))
    assert book.sheetnames == [
        "高齢者支援課",
        "子ども政策課",
        "子ども育成課",
        "子ども家庭支援センター",
    ]
    ws = book["子ども政策課"]
    labels = next(r for r in ws.iter_rows() if r[0].value == "事業番号")[0].row
    assert ws.cell(row=1, column=1).value.endswith("【対象課 子ども政策課】")
    assert [ws.cell(row=r, column=1).value for r in range(3, 5)] == [
        "【評価基準について】",
        "<主管課の自己評価>",
    ]
    assert ws.freeze_panes == f"C{labels + 1}"
    assert ws.print_title_rows == f"$1:${labels}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(
        ws.PAPERSIZE_A4
    )
    row16 = next(r for r in ws.iter_rows() if r[0].value == 16)
    assert row16[8].value == "D" and row16[7].alignment.wrap_text
    assert ws.column_dimensions["H"].width > ws.column_dimensions["A"].width
    assert any(str(m).startswith("A") for m in ws.merged_cells.ranges)  # headings across


def test_the_text_export_opens_in_japanese_excel(seed_report: Report) -> None:
    data = report_text(seed_report)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    evaluations = (
        seed_report.evaluations[0].model_copy(update={"result_text": "=1+2"}),
        *seed_report.evaluations[1:],
    )
    data = report_text(seed_report.model_copy(update={"evaluations": evaluations}))
    assert "\t'=1+2\t" in data.decode("utf-8-sig")
    back = parse_report_bytes(data, file="r.txt")
    assert back.evaluations[0].result_text == "=1+2"


def test_export_command(
    two_year_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fy2020.xlsx"
    args = ["export", "--data-dir", str(two_year_warehouse), "--fiscal-year", "2020"]
    assert main([*args, "--out", str(out)]) == 0
    assert "FY2020: 4 sheets, 41 evaluations" in capsys.readouterr().out
    grades = {r[0].value: r[8].value for r in load_workbook(out)["子ども政策課"].iter_rows()}
    assert grades[16] == "B"  # FY2020's grade, not FY2019's D
    assert main(["export", "--data-dir", str(two_year_warehouse), "--fiscal-year", "2031"]) == 1
    assert "holds no report for FY2031" in capsys.readouterr().err


def test_a_year_of_several_cities_asks_which(tmp_path: Path) -> None:
    mitaka = parse_report_bytes(reports.other_city_text().encode(), file="m.txt")
    write_reports(tmp_path, [parse_report_bytes(reports.SEED.read_bytes(), file="s.txt"), mitaka])
    with pytest.raises(ReportNotFound, match="several reports"):
        load_report(tmp_path, 2019)
    assert load_report(tmp_path, 2019, municipality="三鷹市").municipality == "三鷹市"
