"""Only the nouns of a message are topics: verbs, adjectives, endings, time and context
words, and the plan's own name never become search terms."""

from __future__ import annotations

import pytest

from bot.ask.lexicon import Lexicon
from bot.ask.parser import parse_question
from bot.ask.tokens import content_words
from tests.ask.test_evaluation_set import ALIASES

LEXICON = Lexicon.build(
    ["高齢者支援課", "子ども家庭支援センター"],
    ALIASES,
    ["武蔵野市"],
    ["武蔵野市第四次男女平等推進計画"],
)


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("関わっている", []),
        ("良くなりましたか", []),
        ("一番多いのは", []),
        ("打合せ用", []),
        ("来週の会議", []),
        ("どうなってる", []),
        ("ストーカー被害", ["ストーカー被害"]),
        ("見守り", ["見守り"]),
        ("ワーク・ライフ・バランス", ["ワーク・ライフ・バランス"]),
        ("DV関係", ["DV"]),
        ("子育て関連", ["子育て"]),
        ("関係", []),
    ],
)
def test_content_words(token: str, words: list[str]) -> None:
    assert content_words(token) == words


@pytest.mark.parametrize(
    ("question", "keywords"),
    [
        ("地域包括支援センターが関わっている事業", ["地域包括支援センター"]),
        ("お疲れさまです、午後の打合せ用に高齢者支援課の事業を一覧でお願いします", []),
        ("推進計画の進捗について、評価がDの事業があれば教えていただけますか", []),
        ("見守りに関わる事業が出てくるか知りたいです", ["見守り"]),
        ("男女平等に関する事業", ["男女平等"]),
    ],
)
def test_questions_keep_only_their_topics(question: str, keywords: list[str]) -> None:
    spec = parse_question(question, LEXICON, years=[2019])
    assert [k.word for k in spec.keywords] == keywords
