"""Property: any text at all — random, hostile, huge, garbled — gets a well-formed answer
and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ask.answer import Answerer
from bot.ask.text import question_text
from bot.models import Answer
from bot.render.json_answer import answer_dict
from tests.contract import JSON_FIELDS
from tests.test_warehouse import tree_digest

HOSTILE = [
    "",
    " ",
    "'; DROP TABLE evaluations; --",
    "1 OR 1=1",
    "$grades",
    "{snapshot}",
    "<script>alert('x')</script>",
    "<@U123> <!channel> <https://example.com|click>",
    "\x00\x01\x02\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "😀" * 50,
    "事業" * 2500,
    "D評価" + "？" * 4000,
    "A" * 5000,
    "\ud800",
    "事業-1の詳細",
    "事業0",
    "事業99999999999999999999",
    "令和999年度",
    "FY1900",
    "goal 0",
    "基本目標Ⅹ",
    "C以下以下以下",
    "not not not A",
    "%s %(x)s",
    "\\' \\\" \\\\",
]

_texts = st.one_of(
    st.text(max_size=300),
    st.text(
        alphabet=st.sampled_from(
            list("事業評価ABCDの詳細基本目標Ⅲ課センター子ども 0123456789?？,、")
        ),
        max_size=60,
    ),
    st.sampled_from(HOSTILE),
)


def assert_well_formed(answer: Answer, question: str) -> None:
    # The question as read: lone surrogates replaced (so every rendering is valid UTF-8).
    assert answer.question == question_text(question)
    assert answer.text.strip()
    # Helpful: an answer that lists nothing says so, says why, or offers what to ask.
    if not answer.items and answer.intent != "help":
        says_none = (
            "該当する事業はありませんでした" in answer.text or "No items match" in answer.text
        )
        assert says_none or answer.problem or answer.suggestions, answer.text
    # The seed is far below the row cap, so every matching item is listed.
    assert answer.count == len({i.item_no for i in answer.items})
    data = answer_dict(answer)
    assert set(data) >= JSON_FIELDS


@pytest.mark.parametrize("question", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_questions_get_helpful_answers(seed_answerer: Answerer, question: str) -> None:
    answer = seed_answerer.answer(question)
    assert_well_formed(answer, question)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_texts)
def test_any_text_gets_a_well_formed_answer(seed_answerer: Answerer, question: str) -> None:
    assert_well_formed(seed_answerer.answer(question), question)


def test_questions_change_nothing(seed_answerer: Answerer, seed_warehouse: Path) -> None:
    before = tree_digest(seed_warehouse / "warehouse")
    for question in HOSTILE:
        seed_answerer.answer(question)
    assert tree_digest(seed_warehouse / "warehouse") == before
    assert seed_answerer.answer("D評価の事業は？").count == 1
