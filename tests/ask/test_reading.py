"""A message read into a Reading: every recognised span and flag is kept, without DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ask.lexicon import HierarchyTitle, Lexicon
from bot.ask.parser import read_question
from bot.models import Flag, Grade, Intent, Problem, QuerySpec, SpanKind

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


TITLED = Lexicon.build(
    ["子ども家庭支援センター", "高齢者支援課"],
    ALIASES,
    titles=[
        title
        for row in (
            {
                "goal_no": 3,
                "goal_title": "人権を尊重し、あらゆる暴力を許さないまち",
                "policy_no": 1,
                "policy_title": "配偶者等からの暴力の未然防止と被害者支援【第二次配偶者暴力対策基本計画】",
                "measure_no": 5,
                "measure_title": "推進体制の整備",
            },
            {
                "goal_no": 3,
                "goal_title": "人権を尊重し、あらゆる暴力を許さないまち",
                "policy_no": 1,
                "policy_title": "配偶者等からの暴力の未然防止と被害者支援【第二次配偶者暴力対策基本計画】",
                "measure_no": 3,
                "measure_title": "安全の確保",
            },
        )
        for title in HierarchyTitle.from_row(row)
    ],
)


def read(question: str, years: list[int] | None = None) -> QuerySpec:
    return read_question(question, TITLED, years=years or [2019]).spec


@pytest.mark.parametrize(
    ("question", "grades"),
    [
        ("良くない評価の事業を教えて", "CD"),
        ("悪い評価がついている事業は？", "CD"),
        ("評価が低い事業", "CD"),
        ("items with poor grades", "CD"),
        ("評価が高い事業", "AB"),
        # Not where the item does stand: every other grade.
        ("評価がAになっていないもの", "BCD"),
        ("A評価になってない事業", "BCD"),
        # A comparison with a letter is the letter's side, not "bad" itself.
        ("Aより悪い評価の事業", "BCD"),
    ],
)
def test_grades_said_in_words(question: str, grades: str) -> None:
    spec = read(question)
    assert "".join(g.value for g in spec.grades) == grades
    assert spec.intent == Intent.LIST


def test_a_count_is_no_question_of_meaning() -> None:
    # "って何件" counts; "って何" alone asks what a grade means.
    assert read("A評価じゃない事業って何件？").intent == Intent.COUNT
    assert read("A評価って何？").intent == Intent.HELP


def test_left_out_after_the_word_it_qualifies() -> None:
    spec = read("新規事業以外で、子ども家庭支援センターの事業は何件？")
    assert set(spec.categories) == {"継続", "充実", "見直し"}
    assert spec.departments == ("子ども家庭支援センター",)


def test_item_numbers_each_with_their_mark() -> None:
    assert read("#56〜#58の評価を教えて").item_numbers == (56, 57, 58)
    assert read("No.29とNo.31の担当課").item_numbers == (29, 31)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # Items compared with each other are shown side by side; over years, a trend.
        ("事業40、41、42の評価を比較したい", Intent.DETAIL),
        ("事業40と41を令和元年度と令和2年度で比較", Intent.TREND),
        ("事業42の評価はどう変わりましたか", Intent.TREND),
        # "All together" is a list; "summarise" is a summary.
        ("高齢者支援課と地域支援課の事業をまとめて見たい", Intent.LIST),
        ("高齢者支援課の評価をまとめてください", Intent.SUMMARY),
        # The plan's revision next year is context, not the items' next-year plans.
        ("来年度の計画改定の参考にしたいので、見直し区分の事業はありますか", Intent.LIST),
        ("来年度の計画を教えて", Intent.DETAIL),
    ],
)
def test_intent_words_in_context(question: str, intent: Intent) -> None:
    assert read(question, [2019, 2020]).intent == intent


@pytest.mark.parametrize(
    ("question", "ranking", "grades"),
    [
        ("基本目標Ⅲの中で一番Bが多い課は？", "most", "B"),
        ("基本目標Ⅲで一番A評価が多い課", "most", "A"),
        ("重点施策でB評価が多いのはどこの課？", "most", "B"),
        ("B評価の多い順に課を並べて", "most", "B"),
        ("A評価の件数が多い課の上位を教えて", "most", "A"),
        ("どの課が一番A評価をとっていますか", "most", "A"),
        ("A評価が最も少ない課は？", "fewest", "A"),
    ],
)
def test_rankings_as_people_word_them(question: str, ranking: str, grades: str) -> None:
    spec = read(question)
    assert spec.intent == Intent.SUMMARY
    assert spec.ranking == ranking
    assert "".join(g.value for g in spec.grades) == grades


@pytest.mark.parametrize(
    ("question", "before", "after"),
    [
        ("令和元年度にAで令和2年度にB以下の事業", "A", "BCD"),
        ("前年度A評価で、今年度はA以外になった事業", "A", "BCD"),
        ("令和元年度にBで令和2年度にAになった事業", "B", "A"),
    ],
)
def test_a_grade_for_each_year(question: str, before: str, after: str) -> None:
    spec = read(question, [2019, 2020])
    assert spec.intent == Intent.TREND
    assert "".join(g.value for g in spec.from_grades) == before
    assert "".join(g.value for g in spec.to_grades) == after
    assert (spec.compare_fiscal_year, spec.fiscal_year) == (2019, 2020)


def test_the_same_grade_in_each_year_is_held_in_both() -> None:
    for question in ("去年B評価で今年もBの事業", "令和元年度と令和2年度の両方でB評価の事業"):
        spec = read(question, [2019, 2020])
        assert (spec.over, spec.over_years, spec.grades) == ("every", (2019, 2020), (Grade.B,))


def test_two_lists_of_a_year_each_are_no_condition() -> None:
    spec = read("令和元年度のD評価と令和2年度のD評価", [2019, 2020])
    assert spec.over is None
    assert not spec.from_grades


@pytest.mark.parametrize(
    ("question", "where"),
    [
        # A title without its note in brackets.
        ("「配偶者等からの暴力の未然防止と被害者支援」の件数", (3, 1, None)),
        # A title after the part's number, unquoted: no topic words left.
        ("基本目標Ⅲのうち、施策(5)推進体制の整備の事業", (3, None, 5)),
        ("施策(3)安全の確保の事業", (None, None, 3)),
    ],
)
def test_parts_of_the_plan_by_title(question: str, where: tuple[int | None, ...]) -> None:
    spec = read(question)
    assert (spec.goal, spec.policy, spec.measure) == where
    assert spec.keywords == ()


def test_a_widening_denied() -> None:
    assert read("B以上じゃない事業").grades == (Grade.C, Grade.D)
    assert read("C以下ではない事業").grades == (Grade.A, Grade.B)


def test_good_or_bad_of_named_items_asks_about_them() -> None:
    spec = read("事業72と事業16、どっちの評価が悪い？")
    assert (spec.intent, spec.item_numbers, spec.grades) == (Intent.DETAIL, (72, 16), ())
    spec = read("事業39について、子ども家庭支援センターと高齢者支援課のそれぞれの評価")
    assert spec.intent == Intent.DETAIL


def test_a_grade_first_reached_and_a_quoted_letter() -> None:
    spec = read("令和2年度にはじめてD評価がついた事業", [2019, 2020])
    assert (spec.intent, spec.to_grades) == (Intent.TREND, (Grade.D,))
    assert read("評価が「C」の事業").grades == (Grade.C,)


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("評価が上がった事業と下がった事業をそれぞれ教えて", "changed"),
        ("Did any item in the elderly support division get worse?", "down"),
    ],
)
def test_which_way_grades_moved(question: str, direction: str) -> None:
    spec = read(question, [2019, 2020])
    assert (spec.intent, spec.trend_direction) == (Intent.TREND, direction)


@pytest.mark.parametrize(
    ("question", "grades"),
    [
        ("list everything from the centre that isn't an A", "BCD"),
        ("items where the grade is C or below", "CD"),
    ],
)
def test_english_grade_phrases(question: str, grades: str) -> None:
    assert "".join(g.value for g in read(question).grades) == grades


def test_english_grade_for_each_year() -> None:
    spec = read("show me the items that were B last year and are A this year", [2019, 2020])
    assert (spec.from_grades, spec.to_grades) == ((Grade.B,), (Grade.A,))
    # One condition for both years named is held in each of them.
    spec = read("which items were graded C or D in both FY2019 and FY2020?", [2019, 2020])
    assert (spec.over, spec.grades) == ("every", (Grade.C, Grade.D))


def test_a_grade_kept_and_items_that_came() -> None:
    spec = read("2019年度と2020年度でB評価のままの事業", [2019, 2020])
    assert (spec.intent, spec.grades, spec.trend_direction) == (Intent.TREND, (Grade.B,), "same")
    # The word 評価 alone does not make "added" a grade that changed.
    spec = read("令和3年度に新しく加わった事業の評価は？", [2019, 2020, 2021])
    assert (spec.intent, spec.trend_direction) == (Intent.TREND, "added")


def test_next_years_plan_in_english() -> None:
    spec = read("What does the elderly support division plan to do next year for item 41?")
    assert (spec.intent, spec.item_numbers) == (Intent.DETAIL, (41,))


@pytest.mark.parametrize(
    ("question", "direction", "grades"),
    [
        # A grade kept, in other words.
        ("Aを維持している事業", "same", "A"),
        ("評価が前年度と同じ子ども育成課の事業", "same", ""),
        # A change said mid-sentence, to a widened grade.
        ("令和2年度に評価が下がり、C以下になった事業", "down", ""),
    ],
)
def test_grades_kept_or_reached(question: str, direction: str, grades: str) -> None:
    spec = read(question, [2019, 2020])
    assert (spec.intent, spec.trend_direction) == (Intent.TREND, direction)
    assert "".join(g.value for g in spec.grades) == grades


def test_a_widened_grade_reached() -> None:
    assert read("C以下になった事業", [2019, 2020]).to_grades == (Grade.C, Grade.D)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("B評価ってどれくらいある？", Intent.COUNT),
        ("子ども政策課の評価ってどう？", Intent.SUMMARY),
        ("子ども家庭支援センターで一番多い評価は？", Intent.SUMMARY),
        ("前年度との違いを教えて", Intent.TREND),
    ],
)
def test_casual_wordings(question: str, intent: Intent) -> None:
    assert read(question, [2019, 2020]).intent == intent


def test_a_letter_before_tte_and_priorities() -> None:
    assert read("Dって何件？").grades == (Grade.D,)
    assert read("Which measures in goal 2 are priorities?").priority is True


def test_a_grade_that_was_for_each_year_in_any_order() -> None:
    spec = read("令和2年度にBだった事業のうち、前年度はAだったもの", [2019, 2020])
    assert (spec.from_grades, spec.to_grades) == ((Grade.A,), (Grade.B,))
    assert read("高齢者支援課で一番多い評価は何ですか").intent == Intent.SUMMARY


@pytest.mark.parametrize(
    ("question", "left_out"),
    [
        ("高齢者支援課と違う課のD評価", "高齢者支援課"),
        ("子育て支援課とは別の部署でB評価の事業", "子育て支援課"),
        ("市民活動推進課とは異なる所管の事業", "市民活動推進課"),
    ],
)
def test_a_department_unlike_the_one_named_leaves_it_out(question: str, left_out: str) -> None:
    spec = read_question(question, LEXICON, years=[2019]).spec
    assert spec.problem is None
    assert spec.excluded_departments == (left_out,)
    assert left_out not in spec.departments and spec.departments


def test_a_grade_unlike_a_department_is_not_leaving_it_out() -> None:
    spec = read_question("高齢者支援課と違う評価の事業", LEXICON, years=[2019]).spec
    assert spec.excluded_departments == ()
    assert spec.departments == ("高齢者支援課",)


@pytest.mark.parametrize(
    ("question", "grades"),
    [("CかD", "CD"), ("評価はBかD？", "BD"), ("A/Cの事業", "AC"), ("Bか、Cのもの", "BC")],
)
def test_the_second_of_two_grades_offered_is_read(question: str, grades: str) -> None:
    spec = read_question(question, LEXICON, years=[2019]).spec
    assert "".join(g.value for g in spec.grades) == grades
