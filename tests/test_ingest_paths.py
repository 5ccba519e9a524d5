"""Only regular files are read: a FIFO, a device or a directory is refused at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from tests import reports


def ingest(data_dir: Path, *paths: Path) -> int:
    return main(["ingest", "--data-dir", str(data_dir), *map(str, paths)])


def test_a_fifo_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever

    assert ingest(tmp_path / "data", fifo) == 1
    assert f"{fifo}:1: a named pipe (FIFO), not a regular file" in capsys.readouterr().err
    assert not (tmp_path / "data" / "warehouse").exists()


def test_a_symlink_to_a_device_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "report.txt"
    link.symlink_to("/dev/zero")  # endless: reading it would fill memory

    assert ingest(tmp_path / "data", link) == 1
    assert "a character device, not a regular file" in capsys.readouterr().err


def test_a_directory_is_refused_and_the_good_file_beside_it_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ingest(tmp_path / "data", reports.SEED, tmp_path) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}:1: a directory, not a regular file" in err
    assert "warehouse was not changed" in err


def test_a_symlink_to_a_report_is_read(tmp_path: Path) -> None:
    link = tmp_path / "latest.txt"
    link.symlink_to(reports.SEED)
    assert ingest(tmp_path / "data", link) == 0


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLANBOT_MAX_UPLOAD_MB", "1")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)  # sparse: three MB that were never written

    assert ingest(tmp_path / "data", big) == 1
    assert "PLANBOT_MAX_UPLOAD_MB" in capsys.readouterr().err
