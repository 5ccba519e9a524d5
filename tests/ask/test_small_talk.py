"""Greetings, thanks and "what do the grades mean?" get a kind reply, never "not understood"."""

from __future__ import annotations

import pytest

from bot.ask.answer import Answerer
from bot.ask.lexicon import Lexicon
from bot.ask.parser import is_thanks, parse_question
from tests.ask.test_evaluation_set import ALIASES


def _kind_help(answerer: Answerer, text: str) -> list[str]:
    """The lines of a help answer that is no refusal, with examples to ask next."""
    answer = answerer.answer(text)
    assert answer.intent == "help"
    assert answer.ok
    assert len(answer.suggestions) >= 3  # the examples, each answerable
    return answer.text.splitlines()


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("ありがとう！", "どういたしまして"),
        ("ありがとうございました。", "どういたしまして"),
        ("Thank you very much!", "You're welcome"),
        ("thx", "You're welcome"),
        ("こんにちは", "planbot は"),
        ("Good morning", "planbot answers"),
    ],
)
def test_small_talk_is_answered_kindly(seed_answerer: Answerer, text: str, head: str) -> None:
    assert _kind_help(seed_answerer, text)[0].startswith(head)


def test_thanks_inside_a_question_is_still_the_question() -> None:
    lexicon = Lexicon.build(["子ども政策課"], ALIASES)
    spec = parse_question("ありがとう、D評価の事業は？", lexicon, years=[2019])
    assert spec.intent == "list"
    assert [g.value for g in spec.grades] == ["D"]
    assert not is_thanks("thanks for the D items list, now show C")


@pytest.mark.parametrize(
    ("text", "legend"),
    [
        ("評価Cとは？", "  C: 検討が必要"),
        ("評価の基準は？", "  D: 極めて不十分・実施せず"),
        ("What does grade B mean?", "  B: mostly on track"),
    ],
)
def test_what_the_grades_mean_is_the_legend(
    seed_answerer: Answerer, text: str, legend: str
) -> None:
    assert legend in _kind_help(seed_answerer, text)


def test_a_question_about_items_naming_a_grade_is_about_items(seed_answerer: Answerer) -> None:
    assert seed_answerer.answer("評価Cの事業").intent == "list"
