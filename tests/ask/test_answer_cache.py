"""Answers are remembered per warehouse snapshot, and only as long as it is live."""

from __future__ import annotations

from pathlib import Path

from bot.ask.answer import ANSWER_CACHE_SIZE, Answerer
from bot.ingest.warehouse import write_reports
from bot.models import Report
from bot.store.database import Store


def test_same_question_same_snapshot_is_answered_once(
    warehouse: Path, second_year_report: Report
) -> None:
    store = Store(warehouse)
    answerer = Answerer(store)
    first = answerer.answer("D評価の事業は？")
    assert answerer.answer("D評価の事業は？") is first
    assert [i.item_no for i in first.items] == [16]
    # A new snapshot (next year's report) answers afresh: item 72 is graded D in FY2020.
    write_reports(warehouse, [second_year_report])
    fresh = answerer.answer("D評価の事業は？")
    assert fresh is not first
    assert [i.item_no for i in fresh.items] == [72] and fresh.fiscal_year == 2020
    store.close()


def test_the_cache_is_bounded(warehouse: Path) -> None:
    store = Store(warehouse)
    answerer = Answerer(store)
    for n in range(ANSWER_CACHE_SIZE + 10):
        answerer.answer(f"事業{n}")
    assert len(answerer._answers) == ANSWER_CACHE_SIZE
    store.close()


def test_the_cache_can_be_turned_off(warehouse: Path) -> None:
    store = Store(warehouse)
    answerer = Answerer(store, cache_size=0)
    first = answerer.answer("D評価の事業は？")
    again = answerer.answer("D評価の事業は？")
    assert again is not first and again.items == first.items
    store.close()
