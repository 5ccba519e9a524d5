"""A follow-up's reading: what it names replaces, what it leaves unnamed is carried over."""

from __future__ import annotations

import pytest

from bot.ask.answer import Answerer
from bot.ask.followup import Continued, continue_reading
from bot.models import Grade


def follow(answerer: Answerer, first: str, then: str) -> Continued:
    continued = continue_reading(answerer.parse(first), answerer.read(then))
    assert continued is not None
    return continued


def test_a_year_alone_keeps_the_grade_and_the_shape(two_year_answerer: Answerer) -> None:
    continued = follow(two_year_answerer, "高齢者支援課のまとめ", "令和2年度は？")
    assert continued.spec.intent == "summary"
    assert continued.spec.departments == ("高齢者支援課",)
    assert continued.spec.fiscal_year == 2020
    assert continued.note() == "前の質問から引き継いだ条件: 高齢者支援課"
    answer = two_year_answerer.answer_spec("令和2年度は？", continued.spec)
    assert answer.ok and answer.fiscal_year == 2020 and answer.count > 0


def test_a_named_year_is_carried_over_and_said(two_year_answerer: Answerer) -> None:
    continued = follow(two_year_answerer, "2019年度のD評価の事業", "子ども政策課だけ")
    assert continued.spec.grades == (Grade.D,) and continued.spec.fiscal_year == 2019
    assert continued.note() == "前の質問から引き継いだ条件: 評価D・令和元年度（2019年度）"


def test_a_grade_replaces_the_grade_and_a_detail_keeps_the_filters(
    two_year_answerer: Answerer,
) -> None:
    grade = follow(two_year_answerer, "D評価の事業は？", "Cは？")
    assert grade.spec.grades == (Grade.C,)
    detail = follow(two_year_answerer, "高齢者支援課の事業", "それの詳細")
    assert (detail.spec.intent, detail.spec.departments) == ("detail", ("高齢者支援課",))
    assert detail.spec.problem is None


def test_item_numbers_stand_on_their_own(two_year_answerer: Answerer) -> None:
    continued = follow(two_year_answerer, "2019年度の高齢者支援課のD評価", "事業16の詳細")
    assert continued.spec.item_numbers == (16,)
    assert not continued.spec.departments and not continued.spec.grades
    assert continued.spec.fiscal_year == 2019


@pytest.mark.parametrize("then", ["ヘルプ", "help", "存在しない課の事業"])
def test_help_and_problems_of_its_own_are_not_continued(
    two_year_answerer: Answerer, then: str
) -> None:
    assert (
        continue_reading(two_year_answerer.parse("D評価の事業は？"), two_year_answerer.read(then))
        is None
    )
