"""A representative sample of the hostile sweep (the whole is ``python -m tests.hostile.sweep``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ask.answer import Answerer
from bot.store.database import Store
from tests import reports
from tests.hostile.checks import check_malformed_report, check_question
from tests.hostile.corpus import hostile_questions, malformed_reports

SAMPLE_QUESTIONS = 240
#: One report for each kind of damage the corpus makes.
SAMPLE_REPORTS = 12


@pytest.fixture(scope="module")
def answerer(seed_warehouse: Path) -> Iterator[Answerer]:
    store = Store(seed_warehouse)
    yield Answerer(store)
    store.close()


def test_hostile_questions_are_answered_safely(answerer: Answerer) -> None:
    for raw in hostile_questions(SAMPLE_QUESTIONS):
        check_question(answerer, raw)


@pytest.mark.parametrize(
    "report",
    list(malformed_reports(reports.seed_text(), SAMPLE_REPORTS)),
    ids=lambda r: r.damage.replace(" ", "-"),
)
def test_a_malformed_report_loses_nothing(
    seed_warehouse: Path, tmp_path: Path, report: object
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(seed_warehouse, data_dir, symlinks=True)
    check_malformed_report(data_dir, report, tmp_path)  # type: ignore[arg-type]
