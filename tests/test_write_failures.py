"""A full disk or a read-only data directory: one clear line, a non-zero exit, and the
previous snapshot still answering. (Real filesystems: a tiny tmpfs, remounted read-only.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.snapshots import current_snapshot
from tests import reports
from tests.mounts import remount_read_only, tmpfs
from tests.test_warehouse import tree_digest


@pytest.fixture
def small_disk(tmp_path: Path, seed_warehouse: Path) -> Iterator[Path]:
    """A data dir holding the seed's warehouse on a tmpfs with little room left."""
    with tmpfs(tmp_path / "disk", size_kb=400) as disk:
        data_dir = disk / "data"
        shutil.copytree(seed_warehouse, data_dir, symlinks=True)
        yield data_dir


def test_a_full_disk_refuses_in_one_line_and_keeps_the_previous_snapshot(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = current_snapshot(small_disk)
    filler = small_disk.parent / "filler"
    with filler.open("wb") as fh:  # take what room is left
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())

    assert main(["ingest", "--data-dir", str(small_disk), str(fy2020)]) == 1

    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("refused:")]
    assert "No space left on device" in line and "previous snapshot is unchanged" in line
    assert current_snapshot(small_disk) == before
    assert not list((small_disk / "warehouse" / "snapshots").glob(".tmp-*"))
    assert main(["ask", "--data-dir", str(small_disk), "D評価の事業は？"]) == 0
    assert "事業16" in capsys.readouterr().out


def test_a_read_only_data_dir(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(small_disk / "warehouse")
    remount_read_only(small_disk.parent)
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())

    # The same file again changes nothing: nothing to write, so it succeeds read-only.
    assert main(["ingest", "--data-dir", str(small_disk), str(reports.SEED)]) == 0
    assert "already up to date" in capsys.readouterr().out

    assert main(["ingest", "--data-dir", str(small_disk), str(fy2020)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Read-only file system" in err

    assert main(["digest", "--preview", "--data-dir", str(small_disk)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "PLANBOT_STATE_DIR" in err
    assert tree_digest(small_disk / "warehouse") == before
