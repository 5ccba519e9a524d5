"""A question's text: cleaned (NFKC, 子供/こども → 子ども, numbers written out), and the
working copy the recognisers consume, each blanking the span it read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.models import Problem, Span, SpanKind
from bot.text import kanji_to_int, nfkc, unify_kodomo

MAX_QUESTION_CHARS = 500
#: What of a question is read at all. Cleaning may shorten a text (markup, courtesies,
#: runs of spaces), so more than the limit is kept; cleaning a whole 200 MB line before
#: cutting it took 82 s and 2.8 GB.
RAW_QUESTION_CHARS = 20 * MAX_QUESTION_CHARS


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")

_JA_CHAR = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ"

JA_RUN = re.compile(f"[{_JA_CHAR}]+")

HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309fー]+$")

EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")

ACRONYM = re.compile(r"^[A-Z]{2,4}$")


@dataclass
class Work:
    """The question being consumed: recognised spans are blanked out of ``text`` and kept,
    with what recognised them, in ``spans``."""

    text: str
    spans: list[Span] = field(default_factory=list)
    kind: SpanKind = SpanKind.OTHER

    def take(self, start: int, end: int) -> None:
        if self.text[start:end].strip():
            self.spans.append(
                Span(kind=self.kind, start=start, end=end, text=self.text[start:end].strip())
            )
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    @contextmanager
    def reading(self, kind: SpanKind) -> Iterator[Work]:
        """Spans taken inside the block are recorded as ``kind``."""
        before, self.kind = self.kind, kind
        try:
            yield self
        finally:
            self.kind = before


# Numbers written out where a number is expected: 基本目標二, 令和二年度, 平成三十一年度,
# goal three. (Elsewhere kanji numerals are words: 一人親, 一番.)
_KANJI_NUMBER = re.compile(
    # Not inside a longer word: 事業一覧 is a list, not item 1.
    r"(基本目標|基本施策|施策|令和|平成|事業)\s*([一二三四五六七八九十]{1,4})"
    r"(?=年|[^\u3400-\u9fff]|$)(?![つ番度人回かヶカ])"
)

_ENGLISH_NUMBER = re.compile(
    r"\b(goal|policy|measure|item|fy|fiscal\s+year)\s+(one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve)\b",
    re.IGNORECASE,
)

_ENGLISH_NUMBERS = [
    *("one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
]


def _spelled_numbers(text: str) -> str:
    text = _KANJI_NUMBER.sub(
        lambda m: f"{m.group(1)}{kanji_to_int(m.group(2)) or m.group(2)}", text
    )
    return _ENGLISH_NUMBER.sub(
        lambda m: f"{m.group(1)} {_ENGLISH_NUMBERS.index(m.group(2).lower()) + 1}", text
    )


# What a Slack message carries besides the question: links, mentions (<@U…>, <!here>,
# <#C…|name>, a typed @planbot), emoji codes, HTML-escaped quote marks.
_SLACK_MARKUP = re.compile(
    # (A link ends where ASCII does: "…/report.pdfの事業16" keeps its Japanese; an emoji
    # code is lower case, so "評価:A:" keeps its grade; "@高齢者支援課" is no mention.)
    r"<(?:[@#!][^>]*|https?://[^>]*|mailto:[^>]*)>|https?://[!-~]+|(?<![\w@])@[A-Za-z0-9._-]+"
    r"|:[a-z0-9_+\-]{2,}:|^\s*(?:&gt;|>)\s?",
    re.MULTILINE,
)
# Courtesies around a question, which carry nothing to search for.
_SOCIAL = re.compile(
    r"お疲れ様(?:です|でございます)?|おつかれさま(?:です)?|お疲れさま(?:です)?|"
    r"(?:いつも)?お世話に(?:なって(?:おります|います))?|度々すみません|すみません|すいません|"
    r"恐れ入りますが|恐縮ですが|お手数(?:ですが|をおかけしますが|をおかけします)?|"
    r"(?:どうぞ)?よろしくお願い(?:いたします|致します|します)|よろしくです|"
    r"【(?:質問|至急|急ぎ|確認|お願い|相談|再送|依頼|共有|連絡|報告)】|(?:^|\s)(?:件名|本文)\s*[:：]|"
    r"[(（]?(?:大至急|至急|急ぎ(?:です)?)[)）]?|急ぎで|"
    r"(?:ちょっと|少し)?確認(?:なん|な)ですが|質問(?:です|なんですが|があります)|"
    # Why the asker needs it, in so many words ("来週の会議で使うので、") — never a clause
    # around it, which is where the subject is ("高齢者支援課の件ですが、").
    r"(?:来週|今週|明日|次回|今度)?の?[\u4e00-\u9fff\u30a0-\u30ff]{0,8}?"
    r"(?:会議|打ち合わせ|打合せ|資料|報告書?)(?:で|に)使う(?:ので|ため)|"
    r"(?:課長|部長|係長|室長|上司|市長)に(?:報告|説明)する(?:ので|ため|必要があって)|"
    r"(?:この|その|あの|上の|先ほどの)?(?:スレッド|投稿|メッセージ|メール)の件(?:ですが|で)?|"
    # Who asked the asker: "市民からの問い合わせ対応のため", "議員から質問があり".
    r"(?:市民|住民|議員|委員|利用者|窓口)(?:の方)?(?:から|より)の?(?:問い?合わ?せ|質問|相談|要望|照会)"
    r"(?:対応)?(?:の(?:ため|関係で)|があり|があって|があったので|を受けて|で)?",
)


def question_text(raw: str) -> str:
    """A question as received, made safe to read and to echo: cut to what is read at all,
    and any lone surrogate (undecodable bytes from a command line, a JSON escape from an
    API) replaced by U+FFFD, so every rendering of it is valid UTF-8."""
    cut = raw[:RAW_QUESTION_CHARS]
    try:
        cut.encode("utf-8")
    except UnicodeEncodeError:
        cut = cut.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return cut


def clean_question(raw: str) -> tuple[str, Problem | None]:
    """Normalise user input; returns (text, problem) where problem explains a refusal."""
    too_long = len(raw) > RAW_QUESTION_CHARS
    raw = question_text(raw)
    text = _SLACK_MARKUP.sub(" ", raw.replace("&lt;", "<").replace("&amp;", "&"))
    text = re.sub(r"(?<![A-Za-z])D\.\s?V\.?(?![A-Za-z])", "DV", text)  # "D.V."
    text = _CONTROL.sub(" ", text)
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in ("Cs", "Co", "So") or ch == "★"
    )
    text = nfkc(text)
    text = unify_kodomo(text)
    text = _SOCIAL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" 、,。")
    text = _spelled_numbers(text)
    if too_long or len(text) > MAX_QUESTION_CHARS:
        return text[:MAX_QUESTION_CHARS], Problem.TOO_LONG
    return text, None


def take_regex(work: Work, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = list(pattern.finditer(work.text))
    for m in reversed(found):
        work.take(m.start(), m.end())
    return found
