"""Text normalisation shared by the parsers and the question reader.

Reports mix half- and full-width characters (（ ）/( ), ：/:, Ａ/A, １/1): every
comparison goes through NFKC, while the original text is kept for display.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

# Only markup the city's spreadsheets actually emit is stripped, so that text such as
# "<主管課の自己評価>" is never mistaken for a tag.
_BLOCK_TAG = re.compile(r"</?(?:p|div|li|ul|ol|tr|h[1-6])\b[^>]*>|<br\s*/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:span|b|i|u|em|strong|font|small|sup|sub|a)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{2,}")


def nfkc(text: str) -> str:
    """NFKC-normalise and trim: the form every match is made on."""
    return unicodedata.normalize("NFKC", text).strip()


def html_to_text(text: str) -> str:
    """Turn a cell's HTML into plain text, paragraphs becoming line breaks."""
    if "<" not in text and "&" not in text:
        return text.strip()
    text = _BLOCK_TAG.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    text = html.unescape(text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


# Punctuation that writers use or omit freely inside the same word
# (ワーク・ライフ・バランス = ワークライフバランス, 「見守り」 = 見守り), the middle dots
# of other fonts and keyboards among them (·, ‧, •, ∙, ⋅, ゠).
_SEARCH_NOISE = re.compile(r"[\s・･·‧•∙⋅゠\-‐‑–—―~〜、。,.「」『』()\[\]【】<>\"'/]+")
# 取組, 取組み, 取り組み, 取り組む, 取組む: one word written with or without okurigana.
# (Not before another み or む: a key folded once is folded again to itself.)
_TORIKUMI = re.compile("取り?組(?:[みむ](?![みむ]))?")


def search_key(text: str) -> str:
    """The form keyword search compares: NFKC, case-folded, spelling variants unified.

    The long-vowel mark is kept (it distinguishes words); only separators are dropped.
    """
    text = unify_kodomo(nfkc(text)).casefold()
    return _unify_torikumi(_SEARCH_NOISE.sub("", text))


def _unify_torikumi(text: str) -> str:
    # Dropped separators first, so 取り・組み is folded too; a plain test first, as
    # most texts do not have the word at all.
    return _TORIKUMI.sub("取組", text) if "組" in text else text


def unify_kodomo(text: str) -> str:
    """子供 and こども written as 子ども.

    They are one word to every reader; 児童 is left alone on purpose. (Two plain
    replacements: neither spelling can appear inside the other's replacement, and a
    search over whole warehouses of text is several times faster than a regex.)
    """
    return text.replace("子供", "子ども").replace("こども", "子ども")


# A private-use character: NFKC, case folding and the noise pattern all leave it alone,
# and as a starter it composes with nothing on either side.
_BATCH_SEPARATOR = "\ue000"


def search_keys(texts: Sequence[str]) -> list[str]:
    """``search_key`` of each text, in one pass over the batch instead of one per text."""
    if not texts:
        return []
    # Normalised one by one: NFKC's quick check returns most texts as they are, while
    # one non-normalised text would make it rework a whole joined batch.
    joined = _BATCH_SEPARATOR.join([unicodedata.normalize("NFKC", t) for t in texts])
    if joined.count(_BATCH_SEPARATOR) != len(texts) - 1:
        return [search_key(t) for t in texts]  # a text holds the separator itself
    joined = unify_kodomo(joined).casefold()
    return _unify_torikumi(_SEARCH_NOISE.sub("", joined)).split(_BATCH_SEPARATOR)


#: Characters after a municipality's name that make it the start of another word:
#: 市民, 区役所, 市政, 市議会, 市長, 市営, 市立, 市内, 市部.
PLACE_WORD_CONTINUES = "民役政議長営立内部"

_KANJI_DIGITS = {ch: n for n, ch in enumerate("一二三四五六七八九", start=1)}


def kanji_to_int(numeral: str) -> int | None:
    """A kanji numeral up to 九十九 ('三' → 3, '十二' → 12, '三十一' → 31); None when the
    text is not one."""
    tens, ten, ones = numeral.partition("十")
    if not numeral or any(ch not in _KANJI_DIGITS for ch in tens + ones) or len(ones) > 1:
        return None
    if not ten:
        return _KANJI_DIGITS[numeral] if len(numeral) == 1 else None
    if len(tens) > 1:
        return None
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(numeral: str) -> int | None:
    """Roman numeral (already NFKC, so Ⅲ is "III") to int; None when it is not one."""
    numeral = numeral.upper()
    if not numeral or any(ch not in ROMAN_VALUES for ch in numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        value = ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def int_to_roman(number: int) -> str:
    """Int to the upper-case roman numeral used in goal headings (Ⅰ, Ⅱ … as ASCII)."""
    parts = []
    for value, letters in (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while number >= value:
            parts.append(letters)
            number -= value
    return "".join(parts)


_ERA_BASE = {"令和": 2018, "平成": 1988}
# "令和2(2020)年度": the western year in brackets between the era year and 年度.
_ERA_YEAR = re.compile(r"(令和|平成)\s*(元|\d{1,2})\s*(?:\(\s*(?:19|20)\d{2}\s*\)\s*)?年度?")
_WESTERN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度")


def era_to_fiscal_year(era: str, year: str) -> int:
    """令和元 → 2019, 令和2 → 2020, 平成31 → 2019."""
    return _ERA_BASE[era] + (1 if year == "元" else int(year))


def find_fiscal_years(text: str) -> list[int]:
    """Every fiscal year a (NFKC) text names, in order: 令和元年度, 平成31年度, 2019年度."""
    found: list[tuple[int, int]] = []
    for m in _ERA_YEAR.finditer(text):
        found.append((m.start(), era_to_fiscal_year(m.group(1), m.group(2))))
    for m in _WESTERN_YEAR.finditer(text):
        found.append((m.start(), int(m.group(1))))
    return [year for _, year in sorted(found)]


def wareki(fiscal_year: int) -> str:
    """2019 → 令和元年度, 2020 → 令和2年度 (平成 before May 2019's fiscal year)."""
    if fiscal_year >= 2019:
        n = fiscal_year - 2018
        return f"令和{'元' if n == 1 else n}年度"
    return f"平成{fiscal_year - 1988}年度"
