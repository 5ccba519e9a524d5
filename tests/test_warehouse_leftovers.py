"""What a kill or a full disk leaves when CURRENT switches is cleaned on the next write,
keeping the last PLANBOT_KEEP_SNAPSHOTS snapshots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.integrity import snapshot_dirs
from bot.ingest.snapshots import current_snapshot
from tests import reports

# Kills the writer at the moment CURRENT switches: the new snapshot is complete and in
# place, the new pointer file written but never renamed over CURRENT.
_KILL_AT_SWITCH = """
import sys, time
from pathlib import Path
from bot.ingest import warehouse
from bot.ingest.report_text import parse_report_text
def stuck(root, snapshot_id):
    (root / ".CURRENT.deadbeef").write_text("")
    print("switching", flush=True)
    time.sleep(60)
warehouse.switch_current = stuck
warehouse.write_reports(Path(sys.argv[1]), [parse_report_text(Path(sys.argv[2]))])
"""


def snapshots_on_disk(data_dir: Path) -> list[str]:
    return [p.name for p in snapshot_dirs(data_dir)]


def test_a_kill_at_the_switch_leaves_nothing_after_the_next_write(
    warehouse: Path, tmp_path: Path
) -> None:
    before = current_snapshot(warehouse)
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_AT_SWITCH, str(warehouse), str(fy2020)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "switching"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    root = warehouse / "warehouse"
    orphans = [n for n in snapshots_on_disk(warehouse) if before and n > before.name]
    assert len(orphans) == 1 and list(root.glob(".CURRENT.*"))
    assert current_snapshot(warehouse) == before  # still answering from the old one

    regraded = reports.replace_cell(reports.seed_text(), 16, 8, "C")
    path = reports.write(tmp_path, reports.SEED.name, regraded)
    assert main(["ingest", "--data-dir", str(warehouse), str(path)]) == 0

    assert not list(root.glob(".CURRENT.*"))
    assert orphans[0] not in snapshots_on_disk(warehouse)
    assert not list((root / "snapshots").glob(".tmp-*"))


def test_keep_snapshots_sets_how_many_stay(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANBOT_KEEP_SNAPSHOTS", "2")
    for grade in "ABCD":
        text = reports.replace_cell(reports.seed_text(), 16, 8, grade)
        path = reports.write(tmp_path, reports.SEED.name, text)
        assert main(["ingest", "--data-dir", str(warehouse), str(path)]) == 0
    kept = snapshots_on_disk(warehouse)
    assert len(kept) == 2
    assert kept[0] == current_snapshot(warehouse).name  # type: ignore[union-attr]
