"""The parquet warehouse: year-aware merges, idempotence, atomic snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bot.ingest import warehouse as warehouse_lib
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import current_snapshot, read_manifest, write_reports
from bot.models import Report
from tests import reports


def _grades(data_dir: Path) -> list[tuple[int, int, str, str]]:
    snap = current_snapshot(data_dir)
    assert snap is not None
    return duckdb.sql(
        f"SELECT fiscal_year, item_no, department, grade FROM read_parquet("
        f"'{snap}/evaluations/*/*.parquet', hive_partitioning = true) ORDER BY ALL"
    ).fetchall()


def tree_digest(root: Path) -> str:
    """A digest of every file's path and bytes under root: 'byte-for-byte as it was'."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_first_ingest_writes_snapshot_and_manifest(warehouse: Path, seed_report: Report) -> None:
    snap = current_snapshot(warehouse)
    assert snap is not None
    manifest = read_manifest(snap)
    assert manifest["fiscal_years"] == [2019]
    (source,) = manifest["sources"]
    assert source["checksum"] == seed_report.checksum
    assert (source["fiscal_year"], source["items"], source["evaluations"]) == (2019, 40, 41)
    assert source["file"] == reports.SEED.name
    assert len(_grades(warehouse)) == 41


def test_same_report_again_changes_nothing(warehouse: Path, seed_report: Report) -> None:
    before = tree_digest(warehouse / "warehouse")
    result = write_reports(warehouse, [seed_report])
    assert not result.changed
    assert tree_digest(warehouse / "warehouse") == before


def test_second_year_is_added(warehouse: Path, second_year_report: Report) -> None:
    result = write_reports(warehouse, [second_year_report])
    assert result.changed and result.fiscal_years == [2019, 2020]
    rows = _grades(warehouse)
    assert len(rows) == 82
    assert (2019, 16, "子ども政策課", "D") in rows
    assert (2020, 16, "子ども政策課", "B") in rows


def test_year_again_replaces_it(warehouse: Path, tmp_path: Path) -> None:
    corrected = reports.replace_cell(reports.seed_text(), 16, 8, "C")
    report = parse_report_text(reports.write(tmp_path, "corrected.txt", corrected))
    write_reports(warehouse, [report])
    rows = _grades(warehouse)
    assert len(rows) == 41
    assert (2019, 16, "子ども政策課", "C") in rows
    manifest = read_manifest(current_snapshot(warehouse))
    assert [s["file"] for s in manifest["sources"]] == ["corrected.txt"]
    # Idempotent: once more, nothing changes.
    assert not write_reports(warehouse, [report]).changed


def test_partial_report_replaces_only_its_sheets(warehouse: Path, tmp_path: Path) -> None:
    # A report holding only 子ども政策課's sheet replaces that sheet and keeps the others.
    report = _policy_sheet_corrected(tmp_path)
    assert report.sheets == ("子ども政策課",)
    write_reports(warehouse, [report])
    rows = _grades(warehouse)
    assert len(rows) == 41
    assert (2019, 18, "子ども政策課", "A") in rows
    sources = read_manifest(current_snapshot(warehouse))["sources"]
    by_file = {s["file"]: s for s in sources}
    assert by_file["policy_only.txt"]["evaluations"] == 4
    assert by_file[reports.SEED.name]["evaluations"] == 37
    assert "子ども政策課" not in by_file[reports.SEED.name]["sheets"]


def _policy_sheet_corrected(tmp_path: Path) -> Report:
    """子ども政策課's sheet alone, item 18 regraded A (B in the seed)."""
    lines = reports.seed_text().split("\n")
    start = reports.line_of("\n".join(lines), "【対象課 子ども政策課】") - 1
    end = reports.line_of("\n".join(lines), "【対象課 子ども育成課】") - 1
    text = reports.replace_cell("\n".join(lines[start:end]), 18, 8, "A")
    return parse_report_text(reports.write(tmp_path, "policy_only.txt", text))


def test_a_report_and_its_correction_in_one_ingest(tmp_path: Path, seed_report: Report) -> None:
    # The later file wins for its sheet; the earlier keeps its four others (it was dropped).
    data_dir = tmp_path / "data"
    write_reports(data_dir, [seed_report, _policy_sheet_corrected(tmp_path)])
    rows = _grades(data_dir)
    assert len(rows) == 41
    assert (2019, 18, "子ども政策課", "A") in rows
    by_file = {s["file"]: s for s in read_manifest(current_snapshot(data_dir))["sources"]}
    assert (
        by_file[reports.SEED.name]["evaluations"],
        by_file["policy_only.txt"]["evaluations"],
    ) == (
        37,
        4,
    )


def test_the_original_again_reverts_a_correction(warehouse: Path, tmp_path: Path) -> None:
    seed = parse_report_text(reports.SEED)
    write_reports(warehouse, [_policy_sheet_corrected(tmp_path)])
    assert (2019, 18, "子ども政策課", "A") in _grades(warehouse)
    result = write_reports(warehouse, [seed])
    assert result.changed and result.added == [reports.SEED.name]
    assert (2019, 18, "子ども政策課", "B") in _grades(warehouse)
    # And then it is whole again: a third time changes nothing.
    assert not write_reports(warehouse, [seed]).changed


def test_one_sheet_again_keeps_the_years_other_goals(warehouse: Path, tmp_path: Path) -> None:
    # 子ども政策課's sheet has goal II only; goal III stays.
    write_reports(warehouse, [_policy_sheet_corrected(tmp_path)])
    snap = current_snapshot(warehouse)
    goals = duckdb.sql(f"SELECT goal_no FROM '{snap}/goals.parquet' ORDER BY 1").fetchall()
    assert goals == [(2,), (3,)]


def test_failed_write_leaves_previous_snapshot(
    warehouse: Path, second_year_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(warehouse / "warehouse")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(warehouse_lib, "_write_reports_table", boom)
    with pytest.raises(OSError):
        write_reports(warehouse, [second_year_report])
    assert tree_digest(warehouse / "warehouse") == before
    assert len(_grades(warehouse)) == 41


_KILL_SCRIPT = """
import sys, time
from pathlib import Path
from bot.ingest import warehouse
from bot.ingest.report_text import parse_report_text
real = warehouse._write_goals
def slow(*a, **k):
    real(*a, **k)
    print("writing", flush=True)
    time.sleep(60)
warehouse._write_goals = slow
warehouse.write_reports(Path(sys.argv[1]), [parse_report_text(Path(sys.argv[2]))])
"""


def test_kill_mid_write_leaves_previous_snapshot_readable(warehouse: Path, tmp_path: Path) -> None:
    before = tree_digest(warehouse / "warehouse")
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, str(warehouse), str(fy2020)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The half-written snapshot exists only as a temp dir; CURRENT still names the old one.
    assert len(_grades(warehouse)) == 41
    leftovers = list((warehouse / "warehouse" / "snapshots").glob(".tmp-*"))
    assert leftovers
    # The next writer cleans up and succeeds.
    write_reports(warehouse, [parse_report_text(fy2020)])
    assert len(_grades(warehouse)) == 82
    assert not list((warehouse / "warehouse" / "snapshots").glob(".tmp-*"))
    assert tree_digest(warehouse / "warehouse") != before


def test_old_snapshots_are_pruned(warehouse: Path, tmp_path: Path) -> None:
    for grade in "ABC":
        text = reports.replace_cell(reports.seed_text(), 16, 8, grade)
        write_reports(warehouse, [parse_report_text(reports.write(tmp_path, "r.txt", text))])
        time.sleep(0.002)
    snapshots = [p for p in (warehouse / "warehouse" / "snapshots").iterdir()]
    assert len(snapshots) == warehouse_lib.KEEP_SNAPSHOTS
    assert current_snapshot(warehouse) in snapshots


def test_manifest_is_json_with_row_counts(two_year_warehouse: Path) -> None:
    manifest = json.loads((current_snapshot(two_year_warehouse) / "manifest.json").read_text())
    assert manifest["row_counts"]["evaluations"] == 82
    assert manifest["fiscal_years"] == [2019, 2020]
    # The year written first keeps its counts when a later ingest only adds a year.
    counts = {s["fiscal_year"]: (s["items"], s["evaluations"]) for s in manifest["sources"]}
    assert counts == {2019: (40, 41), 2020: (40, 41)}
