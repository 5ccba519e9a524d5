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
        # A context noun ending a compound stays in it; alone or after another, it is context.
        ("安否確認", ["安否確認"]),
        ("情報共有", ["情報共有"]),
        ("内容確認", []),
        ("会議資料", []),
        ("進み具合", []),
        ("評価の内訳", ["評価"]),
        ("全角で失礼します", []),
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


@pytest.mark.parametrize(
    ("token", "words"),
    [
        # A noun that works as an adverb heads a compound noun (一時保護), not a time word
        # before a context noun (午後会議).
        ("一時保護", ["一時保護"]),
        ("午後会議", []),
        ("順番", []),
    ],
)
def test_adverbial_nouns(token: str, words: list[str]) -> None:
    assert content_words(token) == words


@pytest.mark.parametrize(
    ("question", "keywords"),
    [
        # The clause saying why a message is sent holds no topic …
        (
            "窓口で市民の方に説明する必要があるため、相談窓口の周知に関する事業を教えて",
            ["相談窓口", "周知"],
        ),
        (
            "議員さんから問い合わせが来ていて、ストーカー被害の支援をしている事業",
            ["ストーカー被害", "支援"],
        ),
        ("市議会で取り上げられそうなので、配偶者暴力に関する事業の件数", ["配偶者暴力"]),
        # … unless the rest of the message names nothing ("DV相談の件ですが、何件？") …
        ("DV相談の件ですが、何件ありますか", ["DV", "相談"]),
        # … and a purpose ("…のため") is what the message is about.
        ("DV防止のため、どんな事業がありますか", ["DV", "防止"]),
        # English words joined by a hyphen that make no known phrase are their parts.
        ("DV-related items", ["DV"]),
    ],
)
def test_topics_of_the_request_not_of_its_reason(question: str, keywords: list[str]) -> None:
    spec = parse_question(question, LEXICON, years=[2019])
    assert sorted(k.word for k in spec.keywords) == sorted(keywords)


def test_a_topics_core_is_searched_too() -> None:
    # What is done or suffered about a word ("ストーカー被害", "ヘルパー派遣") finds the word.
    spec = parse_question("ストーカー被害の事業", LEXICON, years=[2019])
    assert "ストーカー" in spec.keywords[0].matches


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        # Topics named as alternatives are one topic either matches …
        ("DVとストーカーの事業", {"DV・ストーカー": {"ストーカー", "配偶者暴力", "dv"}}),
        ("介護や見守りに関する事業", {"介護・見守り": {"介護", "見守り"}}),
        # … not a partner in doing something, nor a topic of a topic: both must match.
        ("警察と連携している事業", {"警察": {"警察"}, "連携": {"連携"}}),
        ("DVの相談窓口", {"相談窓口": {"相談窓口"}, "DV": {"dv"}}),
    ],
)
def test_alternatives_and_conjunctions(question: str, topics: dict[str, set[str]]) -> None:
    spec = parse_question(question, LEXICON, years=[2019])
    got = {k.word: set(k.matches) for k in spec.keywords}
    assert set(got) == set(topics)
    for word, matches in topics.items():
        assert matches <= got[word]


def test_compound_heads_come_off_one_after_another() -> None:
    """ "DV対策状況" is searched as itself, "DV対策" and "DV"; "DV対策" is one topic, not DV
    and 対策 both required."""
    spec = parse_question("安否確認体制の状況", LEXICON, years=[2019])
    assert [k.word for k in spec.keywords] == ["安否確認体制"]
    assert {"安否確認体制", "安否確認", "安否"} <= set(spec.keywords[0].matches)
    assert [k.word for k in parse_question("DV対策の事業", LEXICON, years=[2019]).keywords] == [
        "DV"
    ]
