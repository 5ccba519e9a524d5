"""Parse a batch of report files, collecting every refused file's problems."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.ingest.problems import Problem, ReportRejected
from bot.ingest.report_text import parse_report_text
from bot.models import Report


def parse_report_files(paths: Sequence[Path]) -> tuple[list[Report], list[Problem]]:
    """Every sound file parsed, in the order given, and the problems of every other one.

    Parsing stays in this process: a pool of workers was measured no faster, as sending
    the parsed models back costs about what parsing them does.
    """
    reports: list[Report] = []
    problems: list[Problem] = []
    with _collector_paused():
        for path in paths:
            try:
                reports.append(parse_report_text(path))
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
