"""Several parts of the plan named together, as read: each part kept, a level named once
filled into each, and a quoted text listed with a title no topic."""

from __future__ import annotations

import pytest

from bot.ask.parser import read_question
from bot.models import PlanPart, QuerySpec
from tests.ask.test_reading import TITLED


def read(question: str) -> QuerySpec:
    return read_question(question, TITLED, years=[2019]).spec


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("基本目標ⅠとⅡのD", [(1, None, None), (2, None, None)]),
        ("基本目標Ⅰと基本目標Ⅲの事業", [(1, None, None), (3, None, None)]),
        ("基本目標2、3の事業", [(2, None, None), (3, None, None)]),
        ("基本施策2と3", [(None, 2, None), (None, 3, None)]),
        ("基本目標Ⅱの基本施策1と3のB評価", [(2, 1, None), (2, 3, None)]),
        ("施策(1)と(2)の事業", [(None, None, 1), (None, None, 2)]),
        ("goals 2 and 3, graded D", [(2, None, None), (3, None, None)]),
        ("basic policies 1 and 2", [(None, 1, None), (None, 2, None)]),
        ("施策「推進体制の整備」と「安全の確保」の事業", [(3, 1, 5), (3, 1, 3)]),
    ],
)
def test_several_parts(question: str, parts: list[tuple[int | None, ...]]) -> None:
    spec = read(question)
    assert spec.parts == tuple(PlanPart(goal=g, policy=p, measure=m) for g, p, m in parts)
    assert (spec.goal, spec.policy, spec.measure) == (None, None, None)
    assert not spec.keywords


def test_one_part_stays_as_it_was() -> None:
    spec = read("基本目標Ⅱの基本施策1の事業")
    assert (spec.goal, spec.policy, spec.parts) == (2, 1, ())
    assert read("施策「安全の確保」の事業").measure == 3


def test_a_list_ends_where_its_numbers_do() -> None:
    spec = read("基本目標Ⅱと事業16")
    assert (spec.goal, spec.parts, spec.item_numbers) == (2, (), (16,))
    assert read("基本施策1と令和元年度のD").parts == ()
    # English "and I": a roman numeral after "and" must repeat its level's word.
    assert read("goal 2 and I need the D items").parts == ()


def test_a_quoted_text_listed_with_a_title_is_no_topic() -> None:
    spec = read("「安全の確保」と「男女平等教育の推進」の事業")
    assert spec.measure == 3
    assert not spec.keywords
    assert spec.unmatched[0] == "男女平等教育の推進"
