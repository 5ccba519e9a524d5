"""Japanese keywords are cut at particles, compound ones included."""

from __future__ import annotations

from bot.ask.lexicon import Lexicon
from bot.ask.parser import parse_question
from tests.ask.test_evaluation_set import ALIASES

LEXICON = Lexicon.build(["高齢者支援課", "子ども家庭支援センター"], ALIASES)


def words(question: str) -> list[str]:
    return [k.word for k in parse_question(question, LEXICON, years=[2019]).keywords]


def test_compound_particles_split_between_words() -> None:
    assert words("配偶者からの暴力") == ["配偶者", "暴力"]
    assert words("令和元年度までの講座") == ["講座"]
