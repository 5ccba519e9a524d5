"""Parse a batch of report files, collecting every refused file's problems."""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.ingest.problems import Problem, ReportRejected
from bot.ingest.report_text import parse_report_bytes
from bot.ingest.workbook import (
    DEFAULT_LIMITS,
    WorkbookLimits,
    check_size,
    is_workbook,
    parse_workbook_bytes,
)
from bot.models import Report


def parse_report_file(path: Path, limits: WorkbookLimits = DEFAULT_LIMITS) -> Report:
    """A text export or a workbook, told apart by name (and a workbook's first bytes)."""
    name = str(path)
    data = read_regular_file(path, limits=limits)
    return parse_report_data(data, file=name, source_name=path.name, limits=limits)


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def read_regular_file(path: Path, *, limits: WorkbookLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file of at most the upload limit, else ReportRejected.

    Opened without blocking and checked on the open descriptor (not the name, which could
    be swapped in between): a FIFO would block the read forever, a device such as
    /dev/zero (perhaps behind a symlink) would read until memory runs out.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReportRejected([Problem(name, 1, f"cannot read file: {exc.strerror}")]) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            why = f"{_kind(st.st_mode)}, not a regular file: only report files are read"
            raise ReportRejected([Problem(name, 1, why)])
        # (An oversized file is refused before a byte of it is read.)
        check_size(st.st_size, file=name, limits=limits)
        chunks: list[bytes] = []
        left = limits.max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise ReportRejected([Problem(name, 1, f"cannot read file: {exc.strerror}")]) from exc
    finally:
        os.close(fd)
    check_size(len(data), file=name, limits=limits)  # it grew while being read
    return data


def parse_report_data(
    data: bytes, *, file: str, source_name: str, limits: WorkbookLimits = DEFAULT_LIMITS
) -> Report:
    """A report's bytes in either format; ``file`` names it in problems."""
    if is_workbook(source_name, data):
        return parse_workbook_bytes(data, file=file, source_name=source_name, limits=limits)
    check_size(len(data), file=file, limits=limits)
    return parse_report_bytes(data, file=file, source_name=source_name)


def parse_report_files(
    paths: Sequence[Path], limits: WorkbookLimits = DEFAULT_LIMITS
) -> tuple[list[Report], list[Problem]]:
    """Every sound file parsed, in the order given, and the problems of every other one.

    Parsing stays in this process: a pool of workers was measured no faster, as sending
    the parsed models back costs about what parsing them does.
    """
    reports: list[Report] = []
    problems: list[Problem] = []
    with _collector_paused():
        for path in paths:
            try:
                reports.append(parse_report_file(path, limits))
            except ReportRejected as exc:
                problems.extend(exc.problems)
    return reports, problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A batch keeps tens of thousands of small acyclic models alive (reference counting
    # frees them); the cyclic collector would re-scan all of them again and again.
    # Measured on 200 files: 1.29 s → 0.84 s.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
