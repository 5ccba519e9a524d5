"""A damaged snapshot never stops planbot: checksums in the manifest, verified on opening,
the newest whole snapshot answered from (and said so), ``planbot check`` to mend."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ask.answer import Answerer
from bot.cli import main
from bot.ingest.integrity import check_snapshot, sha256_of
from bot.ingest.report_text import parse_report_text
from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.ingest.warehouse import write_reports
from bot.store.database import Store, WarehouseDamaged
from tests import reports


@pytest.fixture
def two_snapshots(tmp_path: Path, seed_report: object) -> Iterator[tuple[Path, str, str]]:
    """A data dir whose first snapshot holds FY2019 and whose current one adds FY2020.

    FY2019's partition is one file hard-linked into both: damage to it is damage to both
    (the tests damage FY2020's, which only the current snapshot has)."""
    data_dir = tmp_path / "data"
    write_reports(data_dir, [seed_report])  # type: ignore[list-item]
    first = current_snapshot(data_dir)
    second_year = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    write_reports(data_dir, [parse_report_text(second_year)])
    current = current_snapshot(data_dir)
    assert first is not None and current is not None
    yield data_dir, first.name, current.name


def partition(data_dir: Path, snapshot: str, year: int) -> Path:
    return (
        data_dir
        / "warehouse"
        / "snapshots"
        / snapshot
        / "evaluations"
        / f"fiscal_year={year}"
        / "part.parquet"
    )


def years_answered(data_dir: Path) -> list[int]:
    store = Store(data_dir)
    try:
        return Answerer(store).years()
    finally:
        store.close()


def test_the_manifest_records_every_data_files_checksum(
    two_snapshots: tuple[Path, str, str],
) -> None:
    data_dir, _, current = two_snapshots
    snapshot = data_dir / "warehouse" / "snapshots" / current
    files = read_manifest(snapshot)["files"]
    # The parquet files and the term index's arrays; not the manifest itself.
    on_disk = sorted(
        p.relative_to(snapshot).as_posix()
        for p in snapshot.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    )
    assert sorted(files) == on_disk
    for rel, entry in files.items():
        assert entry["sha256"] == sha256_of(snapshot / rel)
        assert entry["bytes"] == (snapshot / rel).stat().st_size
    assert check_snapshot(snapshot).ok


@pytest.mark.parametrize("damage", ["zeroed", "truncated", "deleted"])
def test_a_damaged_current_snapshot_falls_back_to_the_last_whole_one(
    two_snapshots: tuple[Path, str, str], caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    data_dir, first, current = two_snapshots
    part = partition(data_dir, current, 2020)
    data = part.read_bytes()
    if damage == "zeroed":
        part.write_bytes(b"\0" * len(data))
    elif damage == "truncated":
        part.write_bytes(data[: len(data) // 2])
    else:
        shutil.rmtree(part.parent)

    with caplog.at_level(logging.ERROR):
        store = Store(data_dir)
        try:
            answer = Answerer(store).answer("D評価の事業は？")
            assert store.snapshot.name == first
            assert [c.damaged.name for c in store.fallbacks if c.damaged] == [current]
        finally:
            store.close()

    assert "事業16" in answer.text  # answered, from FY2019's whole snapshot
    (said,) = [r for r in caplog.records if "is damaged" in r.getMessage()]
    assert current in said.getMessage() and first in said.getMessage()
    assert "fiscal_year=2020" in said.getMessage()  # which file, not just "no data"


def test_ask_answers_from_the_fallback_without_a_traceback(
    two_snapshots: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _, current = two_snapshots
    partition(data_dir, current, 2020).write_bytes(b"")
    assert main(["ask", "--data-dir", str(data_dir), "D評価の事業は？"]) == 0
    out, err = capsys.readouterr()
    assert "事業16" in out and "Traceback" not in err


def test_no_whole_snapshot_left_is_said_plainly(two_snapshots: tuple[Path, str, str]) -> None:
    data_dir, first, current = two_snapshots
    for snapshot in (first, current):
        partition(data_dir, snapshot, 2019).write_bytes(b"PAR1")
    store = Store(data_dir)
    try:
        with pytest.raises(WarehouseDamaged, match="planbot check"):
            store.refresh()
    finally:
        store.close()


def test_check_finds_the_damage_and_repair_mends_it(
    two_snapshots: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, first, current = two_snapshots
    partition(data_dir, current, 2020).write_bytes(b"\0" * 64)

    assert main(["check", "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert f"DAMAGED  {current} (current)" in out and f"ok       {first}" in out

    assert main(["check", "--data-dir", str(data_dir), "--repair"]) == 0
    assert (data_dir / "warehouse" / "CURRENT").read_text().strip() == first
    assert (data_dir / "warehouse" / "damaged" / current).is_dir()
    capsys.readouterr()
    assert main(["check", "--data-dir", str(data_dir)]) == 0
    assert "the warehouse is whole" in capsys.readouterr().out
    assert years_answered(data_dir) == [2019]


def test_the_next_ingest_builds_on_the_last_whole_snapshot(
    two_snapshots: tuple[Path, str, str], tmp_path: Path
) -> None:
    data_dir, _, current = two_snapshots
    partition(data_dir, current, 2020).write_bytes(b"\0" * 64)
    second_year = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())

    write_reports(data_dir, [parse_report_text(second_year)])

    assert current_snapshot(data_dir).name != current  # type: ignore[union-attr]
    assert years_answered(data_dir) == [2019, 2020]
    manifest = json.loads(
        (current_snapshot(data_dir) / "manifest.json").read_text()  # type: ignore[operator]
    )
    assert check_snapshot(current_snapshot(data_dir)).ok  # type: ignore[arg-type]
    assert manifest["format"] == 2
