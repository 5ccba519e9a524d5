"""Counts over two fiscal years (the later year's, the earlier beside it); shares of grades."""

from __future__ import annotations

from bot.ask.answer import Answerer


def test_a_count_over_two_years_gives_both(two_year_answerer: Answerer) -> None:
    # FY2019: item 16 graded D; FY2020: item 72 (16 became B).
    answer = two_year_answerer.answer("how many D items in 2019 and 2020?")
    assert (answer.intent, answer.fiscal_year, answer.count) == ("count", 2020, 1)
    assert answer.text.splitlines()[0] == "grade D · FY2020: 1 item (FY2019: 1 item)"
    years = [q.params.get("fiscal_year") for q in answer.queries if q.name == "count_matching"]
    assert 2019 in years

    ja = two_year_answerer.answer("令和元年度と令和2年度のB評価は何件")
    first = ja.text.splitlines()[0]
    assert first.endswith("（令和元年度（2019年度）: 11件）"), first


def test_a_share_question_gets_every_grade_with_its_percentage(seed_answerer: Answerer) -> None:
    # The seed's 41 evaluations: A 28, B 12, D 1.
    answer = seed_answerer.answer("A評価の割合は？")
    assert answer.intent == "summary"
    assert "A 28 (68%) / B 12 (29%) / C 0 (0%) / D 1 (2%)" in answer.text
