"""Rankings inside a selection as read: what is ranked, in which order, and that the
selection (a goal, a department, a topic, a year) stays a filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ask.lexicon import Lexicon
from bot.ask.parser import read_question
from bot.models import Flag, Intent, QuerySpec

ALIASES = Path(__file__).resolve().parents[2] / "data" / "aliases.toml"
LEXICON = Lexicon.build(["子ども政策課", "高齢者支援課", "子ども家庭支援センター"], ALIASES)


def read(question: str) -> QuerySpec:
    return read_question(question, LEXICON, years=[2019, 2020]).spec


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("基本目標Ⅲで評価が一番多いのはどれ？", "most"),
        ("どの評価が一番多い？", "most"),
        ("一番多い評価は", "most"),
        ("高齢者支援課で多い評価は？", "most"),
        ("基本目標Ⅱで一番少ない評価は？", "fewest"),
        ("前年度、一番多かった評価は？", "most"),
        ("most common grade in goal 2", "most"),
        ("which grade is the least common?", "fewest"),
    ],
)
def test_the_grade_most_common(question: str, order: str) -> None:
    spec = read(question)
    assert (spec.ranked, spec.ranking) == ("grade", order)
    assert spec.intent == Intent.SUMMARY
    assert not spec.grades  # every grade is counted, none filters


def test_the_selection_stays_a_filter() -> None:
    assert read("基本目標Ⅲで評価が一番多いのはどれ？").goal == 3
    assert read("高齢者支援課で多い評価は？").departments == ("高齢者支援課",)
    spec = read("令和2年度の介護の事業で一番評価が低いのは？")
    assert spec.fiscal_year == 2020
    assert [k.word for k in spec.keywords] == ["介護"]


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("介護の事業で一番評価が低いのは？", "worst"),
        ("子ども政策課さんの事業で、評価が一番低いのはどれ？", "worst"),
        ("一番よい評価の事業は？", "best"),
        ("基本目標Ⅱの中で最も評価が高い事業", "best"),
        ("いちばん遅れている事業はどれ", "worst"),
        ("lowest-rated item about childcare", "worst"),
        ("which items are rated the highest?", "best"),
        ("the worst items of 高齢者支援課", "worst"),
    ],
)
def test_the_items_graded_lowest_or_highest(question: str, order: str) -> None:
    spec = read(question)
    assert (spec.ranked, spec.ranking) == ("item", order)
    assert spec.intent == Intent.LIST
    assert not spec.grades  # the lowest grade held, whichever it is: not C and D
    assert spec.problem is None


def test_low_grades_without_a_superlative_are_c_and_d() -> None:
    spec = read("評価が低い事業")
    assert spec.ranked is None
    assert [g.value for g in spec.grades] == ["C", "D"]
    assert [g.value for g in read("遅れている事業").grades] == ["C", "D"]


@pytest.mark.parametrize(
    ("question", "ranked", "order"),
    [
        ("評価が一番よい基本目標は？", "goal", "best"),
        ("どの基本目標が一番進んでいる？", "goal", "best"),
        ("基本施策ごとに一番遅れているのは？", "policy", "worst"),
        ("基本目標の中で最も評価が低いのは？", "goal", "worst"),
        ("一番進んでいる施策はどれ", "measure", "best"),
        ("最も評価が低い課の事業", "department", "worst"),
        ("B評価が一番多い基本目標は？", "goal", "most"),
        ("which goal has the most D?", "goal", "most"),
        ("which basic policy is doing worst?", "policy", "worst"),
        ("best performing goal", "goal", "best"),
        ("Which department is furthest behind?", "department", "worst"),
        # An order asked of the groups: best (worst) first.
        ("評価の高い順に基本目標を並べて", "goal", "best"),
        ("基本施策を評価の低い順に教えて", "policy", "worst"),
        ("基本目標を評価で並べて", "goal", "best"),
        ("rank the goals by grade", "goal", "best"),
    ],
)
def test_groups_ranked(question: str, ranked: str, order: str) -> None:
    reading = read_question(question, LEXICON, years=[2019])
    spec = reading.spec
    assert (spec.ranked, spec.ranking) == (ranked, order)
    assert spec.intent == Intent.SUMMARY
    assert Flag.RANKING in reading.flags
    assert not spec.keywords  # "基本目標" is what is ranked, no topic


def test_a_count_ranking_keeps_its_grade_and_a_named_goal_is_no_level() -> None:
    spec = read("B評価が一番多い基本目標は？")
    assert [g.value for g in spec.grades] == ["B"]
    assert spec.goal is None
    # A goal named by its number is the selection, not what is ranked.
    assert read("基本目標Ⅱで一番評価が低いのは？").ranked == "item"


def test_departments_ranked_by_a_count_as_before() -> None:
    spec = read("A評価が一番多いのはどこの課？")
    assert (spec.ranked, spec.ranking) == ("department", "most")
    assert [g.value for g in spec.grades] == ["A"]


def test_an_order_of_items_is_no_ranking_of_groups() -> None:
    # Without a department or part of the plan ranked, "評価の低い順" orders nothing new.
    spec = read("評価の低い順に事業を並べて")
    assert spec.ranked is None
    # … it orders the items, worst first, and is no C/D filter.
    assert spec.ranking == "worst" and not spec.grades
