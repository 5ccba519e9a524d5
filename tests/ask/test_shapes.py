"""The question shapes: asked in order, each question answered by the one it reads as."""

from __future__ import annotations

import pytest

from bot.ask import shapes
from bot.ask.answer import Answerer
from bot.models import Intent, QuerySpec
from bot.render.text import goal_label


@pytest.mark.parametrize("intent", list(Intent))
def test_every_intent_is_answered_by_a_shape_of_its_own_or_the_list(
    two_year_answerer: Answerer, intent: Intent
) -> None:
    shape = shapes.shape_for(two_year_answerer.context(), QuerySpec(intent=intent))
    own = {Intent.TREND: "trend", Intent.COMPARE: "compare", Intent.SUMMARY: "summary"}
    assert shape.name == own.get(intent, intent.value if intent == Intent.HELP else "list")


def test_every_shape_has_its_own_name_and_the_last_answers_whatever_is_left(
    two_year_answerer: Answerer,
) -> None:
    names = [s.name for s in shapes.REGISTRY]
    assert len(set(names)) == len(names)
    assert shapes.REGISTRY[-1].matches(two_year_answerer.context(), QuerySpec())


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("D評価の事業", "list"),
        ("高齢者支援課のまとめ", "summary"),
        ("事業19の評価の推移", "item_history"),
        ("評価が下がった事業", "trend"),
        ("高齢者支援課を前年度と比べて", "compare"),
        ("3年連続でAの事業", "over_years"),
        ("平成10年度のD評価の事業", "no_year"),
        ("こんにちは", "help"),
        ("高齢課の事業", "clarify"),
    ],
)
def test_a_question_is_answered_by_the_shape_it_reads_as(
    two_year_answerer: Answerer, question: str, shape: str
) -> None:
    spec = two_year_answerer.parse(question)
    assert shapes.shape_for(two_year_answerer.context(), spec).name == shape


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("来月の審議会資料用に、基本目標Ⅰの評価の内訳を教えていただけますか", "基本目標Ⅰ"),
        ("基本目標Ⅱの基本施策9の事業", "その基本施策・施策"),
        ("goal 1 items", "Goal I"),
    ],
)
def test_a_part_of_the_plan_the_report_lacks_is_named_with_the_goals_it_has(
    two_year_answerer: Answerer, question: str, part: str
) -> None:
    answer = two_year_answerer.answer(question)
    assert answer.problem == "no_part" and not answer.ok and not answer.items
    goals = sorted({item.goal for item in two_year_answerer.answer("全部の事業").items})
    assert goals and 1 not in goals
    assert answer.text.startswith(part)
    for goal in goals:
        assert goal_label(goal, answer.language) in answer.text


def test_a_part_the_report_has_is_answered_as_asked(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("基本目標Ⅲの施策(5)の事業")
    assert answer.problem is None and answer.items
    assert {(i.goal, i.measure) for i in answer.items} == {(3, 5)}


def test_items_that_came_and_went_are_one_answer_with_both_queries(
    three_year_answerer: Answerer,
) -> None:
    """Both lists in one answer: its queries name both years' lookups and its filters the
    question as asked, not the first list's half of it."""
    answer = three_year_answerer.answer(
        "令和3年度に新しく入った事業と、なくなった事業を教えてください"
    )
    assert sorted(i.item_no for i in answer.items) == [86, 87] and answer.count == 2
    assert [q.name for q in answer.queries].count("items_not_in_year") == 2
    assert answer.filters["trend_direction"] == "came_and_went"
