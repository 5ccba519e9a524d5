"""Text normalisation: the batch form of the search key is the one-by-one form."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import kanji_to_int, search_key, search_keys, unify_kodomo

# Characters that exercise every step: full-width forms, the 子ども spellings, separators,
# combining marks (which must not compose across texts) and the batch's own separator.
_PIECES = st.sampled_from(
    [
        "子供",
        "こども",
        "子ども",
        "ＤＶ",
        "ﾃｽﾄ",
        "\u3099",
        "\u0301",
        "・",
        " ",
        "\u3000",
        "\ue000",
        "ß",
        "|",
        "取り",
        "組み",
        "組む",
        "み",
        "·",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=6).map("".join)


@given(st.lists(_TEXT, max_size=12))
@settings(max_examples=400, deadline=None)
def test_search_keys_equals_search_key_of_each_text(texts: list[str]) -> None:
    assert search_keys(texts) == [search_key(t) for t in texts]


# Words of reports, with the separators and okurigana that normalisation drops between
# them (combining marks are left out: a dropped separator lets NFKC compose them).
_WORDS = st.lists(
    st.sampled_from(
        [
            "取り",
            "取",
            "組み",
            "組む",
            "組",
            "み",
            "む",
            "・",
            "·",
            " ",
            "子供",
            "こども",
            "ＤＶ",
            "|",
        ]
    ),
    max_size=8,
).map("".join)


@given(_WORDS)
@settings(max_examples=300, deadline=None)
def test_a_search_key_is_its_own_search_key(text: str) -> None:
    # A stored key is keyed again when a year is indexed by a newer normalisation.
    assert search_key(search_key(text)) == search_key(text)


def test_torikumi_and_middle_dots_fold_together() -> None:
    spellings = ["取組", "取組み", "取り組み", "取り組む", "取組む", "取り・組み"]
    assert {search_key(f"{s}の推進") for s in spellings} == {"取組の推進"}
    dotted = ["ワーク・ライフ・バランス", "ワーク･ライフ･バランス", "ワーク·ライフ·バランス"]
    assert {search_key(s) for s in dotted} == {"ワークライフバランス"}


def test_search_keys_on_report_text() -> None:
    texts = ["  子供の 見守り ", "ＤＶ防止・啓発", "", "ワーク・ライフ・バランス"]
    assert search_keys(texts) == ["子どもの見守り", "dv防止啓発", "", "ワークライフバランス"]


@given(_TEXT)
@settings(max_examples=300, deadline=None)
def test_kodomo_spellings_are_unified_left_to_right(text: str) -> None:
    # The definition: every 子供, こども or 子ども, scanning left to right, becomes 子ども.
    assert unify_kodomo(text) == re.sub("子供|こども|子ども", "子ども", text)


def test_every_kodomo_spelling_becomes_one() -> None:
    assert unify_kodomo("こどもと子供と子ども") == "子どもと子どもと子ども"


def test_kanji_numerals() -> None:
    assert [kanji_to_int(k) for k in ("三", "十", "十二", "二十", "三十一", "九十九")] == [
        3,
        10,
        12,
        20,
        31,
        99,
    ]
    # Not numerals: 覧 (事業一覧), repeated tens, digits side by side, nothing.
    assert [kanji_to_int(k) for k in ("覧", "十十", "一二", "")] == [None] * 4
