"""A warehouse of several municipalities: a question may pick one by name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.ask.answer import Answerer
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.models import Answer
from bot.store.database import Store
from tests import reports
from tests.ask.test_evaluation_set import ALIASES


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    tmp = tmp_path_factory.mktemp("cities")
    mitaka = reports.write(tmp, "mitaka_fy2019.txt", reports.other_city_text())
    write_reports(tmp / "data", [parse_report_text(reports.SEED), parse_report_text(mitaka)])
    store = Store(tmp / "data")
    yield store
    store.close()


def _places(answer: Answer) -> set[str]:
    return {i.municipality for i in answer.items}


@pytest.mark.parametrize(
    ("question", "municipality"),
    [
        ("三鷹市のD評価", "三鷹市"),
        ("三鷹のD評価", "三鷹市"),  # without 市
        ("D items in 武蔵野市", "武蔵野市"),
    ],
)
def test_a_question_picks_a_municipality(store: Store, question: str, municipality: str) -> None:
    answer = Answerer(store, aliases_file=ALIASES).answer(question)
    assert answer.filters["municipality"] == municipality
    assert (answer.count, _places(answer)) == (1, {municipality})
    assert answer.text.splitlines()[0].startswith(municipality)


def test_without_a_name_every_municipality_answers(store: Store) -> None:
    answer = Answerer(store, aliases_file=ALIASES).answer("D評価の事業")
    assert (answer.count, _places(answer)) == (2, {"武蔵野市", "三鷹市"})
    # Each line says whose item 16 it is.
    assert [line for line in answer.text.splitlines() if "三鷹市 子ども政策課" in line]


def test_a_citys_citizens_are_the_city_and_a_target_group(store: Store) -> None:
    answer = Answerer(store, aliases_file=ALIASES).answer("三鷹市民向けの事業")
    assert answer.filters["municipality"] == "三鷹市"
    assert answer.filters["target_groups"] == ["市民"]
    assert "keywords" not in answer.filters
    assert _places(answer) == {"三鷹市"}


def test_a_deployment_pinned_to_a_city_says_so(store: Store) -> None:
    pinned = Answerer(store, aliases_file=ALIASES, municipality="武蔵野市")
    other = pinned.answer("三鷹市のD評価")
    assert (other.ok, other.problem, other.items) == (False, "other_municipality", ())
    assert "武蔵野市" in other.text and "三鷹市" in other.text
    own = pinned.answer("武蔵野市のD評価")
    assert (own.count, _places(own)) == (1, {"武蔵野市"})


def test_two_municipalities_at_once_are_asked_one_by_one(store: Store) -> None:
    answer = Answerer(store, aliases_file=ALIASES).answer("三鷹市と武蔵野市のD評価")
    assert (answer.intent, answer.ok, answer.problem) == ("help", False, "several_municipalities")
    assert answer.suggestions == ("三鷹市のD評価", "武蔵野市のD評価")


def test_this_year_is_the_latest_the_city_named_has_reported(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # 武蔵野市 has reported FY2019 only, 三鷹市 FY2020 already.
    tmp = tmp_path_factory.mktemp("years")
    mitaka = reports.write(
        tmp, "mitaka_fy2020.txt", reports.other_city_text(reports.second_year_text())
    )
    write_reports(tmp / "data", [parse_report_text(reports.SEED), parse_report_text(mitaka)])
    store = Store(tmp / "data")
    try:
        answer = Answerer(store, aliases_file=ALIASES).answer("武蔵野市の今年度のD評価")
        assert (answer.fiscal_year, answer.count, _places(answer)) == (2019, 1, {"武蔵野市"})
        latest = Answerer(store, aliases_file=ALIASES).answer("D評価の事業")
        assert latest.fiscal_year == 2020  # no city named: the warehouse's latest
    finally:
        store.close()


def test_split_questions_keep_a_name_as_it_was_written(store: Store) -> None:
    answer = Answerer(store, aliases_file=ALIASES).answer("三鷹と武蔵野市のD評価")
    assert answer.suggestions == ("三鷹のD評価", "武蔵野市のD評価")
