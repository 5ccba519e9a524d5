"""A department or a goal side by side in two fiscal years: every item with both grades,
through the real reader, DuckDB and every face (text, JSON, Block Kit)."""

from __future__ import annotations

from bot.ask.answer import Answerer
from bot.models import Answer, Grade, Intent, Problem
from bot.render.blocks import answer_messages
from bot.render.json_answer import answer_dict
from tests import reports


def grades_of(answerer: Answerer, question: str) -> dict[int, Grade]:
    """Each item's grade as a plain list answer gives it (another shape, another query)."""
    answer = answerer.answer(question)
    assert answer.intent == Intent.LIST and answer.count, question
    return {i.item_no: i.grade for i in answer.items}


def test_each_item_shows_the_grade_each_year_gave_it(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("高齢者支援課の令和2年度と令和3年度を比べてください")
    assert answer.intent == Intent.COMPARE and answer.comparison is not None
    before = grades_of(three_year_answerer, "高齢者支援課の令和2年度の事業")
    after = grades_of(three_year_answerer, "高齢者支援課の令和3年度の事業")
    rows = {r.item_no: r for r in answer.comparison.rows}
    assert set(rows) == set(before) | set(after)
    for number, row in rows.items():
        assert (row.from_grade, row.to_grade) == (before.get(number), after.get(number))
    # The fixture's own changes: one item dropped, one added, item 42 C → D.
    assert rows[reports.DROPPED_FY2021].change == "dropped"
    assert rows[reports.ADDED_FY2021].change == "added"
    assert rows[42].change == "down"
    assert {n for n, r in rows.items() if r.change == "same"} == {
        n for n in set(before) & set(after) if before[n] == after[n]
    }
    assert answer.count == len(rows)


def test_each_years_grade_counts_are_that_years_summary(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("基本目標Ⅲを令和2年度と令和3年度で比べると？")
    assert answer.comparison is not None
    for year, counts in (
        ("令和2年度", answer.comparison.from_grades),
        ("令和3年度", answer.comparison.to_grades),
    ):
        summary = three_year_answerer.answer(f"基本目標Ⅲの{year}のまとめ").summary
        assert summary is not None
        assert counts == summary.grades


def test_a_renamed_department_is_compared_under_both_names(three_year_answerer: Answerer) -> None:
    old, new = reports.RENAMED
    answer = three_year_answerer.answer(f"{new}を前年度と比較")
    assert answer.comparison is not None
    assert {r.item_no for r in answer.comparison.rows} == set(
        grades_of(three_year_answerer, f"{old}の令和2年度の事業")
    )
    assert all(r.from_department == old for r in answer.comparison.rows)
    for number, (before, after) in reports.FY2021_CHANGES.items():
        row = next((r for r in answer.comparison.rows if r.item_no == number), None)
        if row is not None:
            assert (row.from_grade, row.to_grade) == (Grade(before), Grade(after))


def test_a_split_department_keeps_only_the_items_it_took(three_year_answerer: Answerer) -> None:
    old, split = reports.SPLIT
    for department, numbers in split.items():
        answer = three_year_answerer.answer(f"{department}の令和2年度と令和3年度を比べて")
        assert answer.comparison is not None
        assert {r.item_no for r in answer.comparison.rows} == set(numbers), department
        assert {r.from_department for r in answer.comparison.rows} == {old}
        assert not [r for r in answer.comparison.rows if r.change in ("added", "dropped")]


def test_a_change_question_still_lists_only_what_changed(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("高齢者支援課で前年度と比べて評価が変わった事業")
    assert answer.intent == Intent.TREND and answer.comparison is None
    assert {i.item_no for i in answer.items} == {42}


def test_every_face_shows_both_grades(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("compare the elderly support division with last year")
    assert answer.comparison is not None
    data = answer_dict(answer)
    assert data["intent"] == "compare"
    assert [r["item_no"] for r in data["comparison"]["rows"]] == [i.item_no for i in answer.items]
    changed = [r for r in answer.comparison.rows if r.change != "same"]
    assert changed
    text_rows = [ln for ln in answer.text.splitlines() if ln.startswith("• Item")]
    assert len(text_rows) == len(answer.comparison.rows)
    blocks = _blocks(answer, page_size=50)
    rows = [b["text"]["text"] for b in blocks if b["type"] == "section" and "accessory" in b]
    assert len(rows) == len(answer.comparison.rows)
    for row, line in zip(answer.comparison.rows, rows, strict=True):
        before = row.from_grade.value if row.from_grade else "—"
        after = row.to_grade.value if row.to_grade else "—"
        assert f"{before} → {after}" in line
        # Changed ones stand out.
        assert (row.change != "same") == (f"*{before} → {after}" in line)
    tables = [b for b in blocks if b["type"] == "table"]
    assert len(tables) == 1 and len(tables[0]["rows"]) == 3  # header, one row per year


def test_a_long_comparison_pages_and_keeps_the_counts_on_every_page(
    three_year_answerer: Answerer,
) -> None:
    answer = three_year_answerer.answer("基本目標Ⅲを令和2年度と令和3年度で比べると？")
    first, second = (_blocks(answer, page=p, page_size=10) for p in (0, 1))
    for blocks in (first, second):
        status = next(b for b in blocks if b["type"] == "context")["elements"][0]["text"]
        assert "令和2年度（2020年度）: A" in status and "令和3年度（2021年度）: A" in status
    shown = [b for page in (first, second) for b in page if "accessory" in b]
    assert len(shown) == 20


def test_one_year_has_nothing_to_compare(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("高齢者支援課の評価を比較してほしい")
    assert answer.intent == Intent.COMPARE
    assert answer.problem == Problem.ONE_YEAR and answer.comparison is None
    missing = seed_answerer.answer("高齢者支援課を前年度と比べて")
    assert missing.problem == Problem.NO_YEAR


def _blocks(answer: Answer, *, page: int = 0, page_size: int = 10) -> list[dict[str, object]]:
    messages = answer_messages(answer, page=page, page_size=page_size)
    return [b for m in messages for b in m.blocks]
