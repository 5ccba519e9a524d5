"""A message read into a Reading: every recognised span and flag is kept, without DuckDB."""

from __future__ import annotations

from pathlib import Path

from bot.ask.lexicon import Lexicon
from bot.ask.parser import read_question
from bot.models import Flag, Intent, Problem, SpanKind

ALIASES = Path(__file__).resolve().parents[2] / "data" / "aliases.toml"
LEXICON = Lexicon.build(["子育て支援課", "高齢者支援課", "市民活動推進課"], ALIASES)


def test_spans_say_what_read_each_part() -> None:
    reading = read_question("令和元年度の高齢者支援課のD評価の事業は何件？", LEXICON, years=[2019])
    kinds = {span.kind: span.text for span in reading.spans}
    assert kinds[SpanKind.YEAR] == "令和元年度"
    assert kinds[SpanKind.DEPARTMENT] == "高齢者支援課"
    assert "D" in kinds[SpanKind.GRADE]
    assert SpanKind.INTENT in kinds
    assert reading.spec.intent == Intent.COUNT
    assert reading.spec.departments == ("高齢者支援課",)
    # Offsets point into the cleaned text.
    for span in reading.spans:
        assert reading.text[span.start : span.end].strip() == span.text


def test_flags_keep_what_drove_a_decision() -> None:
    per_group = read_question("課ごとの件数", LEXICON, years=[2019])
    assert Flag.PER_GROUP in per_group.flags
    assert per_group.spec.intent == Intent.SUMMARY
    follow_up = read_question("それの詳細", LEXICON, years=[2019])
    assert Flag.FOLLOW_UP in follow_up.flags
    assert follow_up.spec.problem == Problem.NO_CONTEXT
    hello = read_question("こんにちは", LEXICON, years=[2019])
    assert hello.flags == {Flag.HELP}
    assert hello.spec.intent == Intent.HELP


def test_topic_words_are_spans_too() -> None:
    reading = read_question("子育てに関する事業", LEXICON, years=[2019])
    assert [s.text for s in reading.spans_of(SpanKind.TOPIC)] == ["子育て"]
