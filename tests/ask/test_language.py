"""The language of a question: what planbot replies in, with or without a warehouse."""

from __future__ import annotations

import pytest

from bot.ask.language import question_language
from tests.ask.test_evaluation_set import CASES


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("D評価の事業は？", "ja"),
        ("which measures are graded D?", "en"),
        ("show 子ども家庭支援センター items", "en"),
        ("子ども家庭支援センターの事業", "ja"),
        ("事業42 details", "en"),
        ("No.16", "ja"),
        ("#39", "ja"),
        ("42", "ja"),
        ("goal 3", "en"),
        ("「DV」を含む事業", "ja"),
        # Nothing but a quoted term: no words left to judge by.
        ("「DV」", "ja"),
        ('"DV"', "ja"),
        ("", "ja"),
    ],
)
def test_question_language_without_a_vocabulary(text: str, lang: str) -> None:
    assert question_language(text) == lang


def test_replies_without_a_warehouse_speak_the_answers_language() -> None:
    # A refusal sent before any report is ingested (no vocabulary yet) must be in the
    # language the answer would have had: the evaluation set says which that is.
    wrong = [(c["q"], c["lang"]) for c in CASES if question_language(c["q"]) != c["lang"]]
    assert wrong == []
