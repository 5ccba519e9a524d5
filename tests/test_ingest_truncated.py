"""A cut-off report never shrinks the warehouse: it is refused, saying what it would remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.report_text import parse_report_text
from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.ingest.warehouse import ingest_removals
from tests import reports
from tests.test_warehouse import tree_digest

SEED_NAME = reports.SEED.name


def seed_lines() -> list[str]:
    return reports.seed_text().split("\n")


def item_line(item_no: int) -> int:
    """The 1-based line of an item's row in the seed."""
    return reports.line_of(reports.seed_text(), rf"^{item_no}\t")


def held_evaluations(data_dir: Path) -> int:
    snapshot = current_snapshot(data_dir)
    assert snapshot is not None
    return sum(int(s["evaluations"]) for s in read_manifest(snapshot)["sources"])


def ingest(data_dir: Path, path: Path, *extra: str) -> int:
    return main(["ingest", "--data-dir", str(data_dir), *extra, str(path)])


@pytest.fixture
def full(warehouse: Path) -> Path:
    assert held_evaluations(warehouse) == 41
    return warehouse


def test_a_copy_cut_between_lines_is_refused_listing_what_it_would_remove(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cut after item 71's row: a whole-looking file, the same name as the one held.
    cut = "\n".join(seed_lines()[: item_line(71)]) + "\n"
    path = reports.write(tmp_path, SEED_NAME, cut)
    before = tree_digest(full / "warehouse")

    assert ingest(full, path) == 1

    err = capsys.readouterr().err
    assert tree_digest(full / "warehouse") == before
    assert "子ども家庭支援センター" in err and "would be removed" in err
    for gone in (72, 74, 83):
        assert f"item {gone} " in err
    assert "item 71 " not in err
    assert "--allow-removals" in err


def test_allow_removals_writes_what_the_operator_asked_for(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = "\n".join(seed_lines()[: item_line(71)]) + "\n"
    path = reports.write(tmp_path, SEED_NAME, cut)
    removals = ingest_removals(full, [parse_report_text(path)])

    assert ingest(full, path, "--allow-removals") == 0
    assert held_evaluations(full) == 41 - removals.evaluations_removed
    assert [e.item_no for s in removals.sheets for e in s.removed] == [
        72,
        74,
        78,
        79,
        80,
        82,
        83,
    ]


def test_a_file_cut_after_an_item_number_is_refused_at_that_line(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = seed_lines()
    n = item_line(79)
    path = reports.write(tmp_path, "copy.txt", "\n".join([*lines[: n - 1], "79"]))

    assert ingest(full, path) == 1
    assert f"copy.txt:{n}: the file ends after an item number" in capsys.readouterr().err
    assert held_evaluations(full) == 41


def test_a_file_cut_inside_its_last_cell_is_refused(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = seed_lines()
    n = item_line(79)
    # Every cell is there, the last one stops half-way and no line break follows.
    path = reports.write(tmp_path, "copy.txt", "\n".join([*lines[: n - 1], lines[n - 1][:-12]]))

    assert ingest(full, path) == 1
    err = capsys.readouterr().err
    assert f"copy.txt:{n}: the file ends inside an item row" in err
    assert held_evaluations(full) == 41


def test_a_last_row_missing_cells_is_refused_even_with_its_line_break(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = seed_lines()
    n = item_line(79)
    short = "\t".join(lines[n - 1].split("\t")[:9])  # number through grade, no next plan
    path = reports.write(tmp_path, "copy.txt", "\n".join([*lines[: n - 1], short, ""]))

    assert ingest(full, path) == 1
    assert f"copy.txt:{n}: the last item row has 9 cells" in capsys.readouterr().err


def test_a_version_of_the_same_file_missing_sheets_is_refused(
    full: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cut just before the last department's first page: whole rows, one sheet fewer.
    end = reports.line_of(reports.seed_text(), "【対象課 子ども家庭支援センター】") - 1
    path = reports.write(tmp_path, SEED_NAME, "\n".join(seed_lines()[:end]) + "\n")

    removals = ingest_removals(full, [parse_report_text(path)])
    assert [m.sheets for m in removals.missing_sheets] == [("子ども家庭支援センター",)]

    assert ingest(full, path) == 1
    assert "lacks sheet(s) '子ども家庭支援センター'" in capsys.readouterr().err


def test_a_whole_report_and_a_regrading_remove_nothing(full: Path, tmp_path: Path) -> None:
    regraded = reports.replace_cell(reports.seed_text(), 18, 8, "A")
    path = reports.write(tmp_path, SEED_NAME, regraded)
    assert ingest_removals(full, [parse_report_text(reports.SEED)]).empty
    assert ingest_removals(full, [parse_report_text(path)]).empty
    assert ingest(full, path) == 0
