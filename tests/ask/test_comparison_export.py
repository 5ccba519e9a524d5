"""A comparison taken away as CSV and XLSX: both years' grades and the change on every
item's row, read back from the files the real answer exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from bot.ask.answer import Answerer
from bot.models import Answer, Grade, Intent
from bot.render.export import COLUMNS, to_csv, to_xlsx
from tests import reports

EARLIER, LATER = "令和2年度評価", "令和3年度評価"
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def compared(three_year_answerer: Answerer) -> Answer:
    answer = three_year_answerer.answer("高齢者支援課の令和2年度と令和3年度を比べてください")
    assert answer.intent == Intent.COMPARE and answer.comparison is not None
    return answer


def grades_of(answerer: Answerer, question: str) -> dict[int, Grade]:
    """Each item's grade as a plain list answer gives it (another shape, another query)."""
    answer = answerer.answer(question)
    assert answer.intent == Intent.LIST and answer.count, question
    return {i.item_no: i.grade for i in answer.items}


def read_csv(data: bytes) -> Rows:
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_xlsx(data: bytes) -> Rows:
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    return [
        {h: "" if v is None else str(v) for h, v in zip(header, r, strict=True)} for r in rows[1:]
    ]


def expected_change(before: Grade | None, after: Grade | None) -> str:
    if before is None:
        return "新規"
    if after is None:
        return "廃止"
    if before == after:
        return "同じ"
    return "上がった" if after < before else "下がった"


@pytest.mark.parametrize("read, encode", [(read_csv, to_csv), (read_xlsx, to_xlsx)])
def test_both_years_grades_and_the_change_on_every_row(
    three_year_answerer: Answerer,
    compared: Answer,
    read: Callable[[bytes], Rows],
    encode: Callable[[Answer], bytes],
) -> None:
    rows = read(encode(compared))
    assert EARLIER in rows[0] and LATER in rows[0] and "変化" in rows[0]
    assert "評価" not in rows[0]
    before = grades_of(three_year_answerer, "高齢者支援課の令和2年度の事業")
    after = grades_of(three_year_answerer, "高齢者支援課の令和3年度の事業")
    by_no = {int(r["事業番号"]): r for r in rows}
    assert len(by_no) == len(rows)  # one row per item
    assert set(by_no) == set(before) | set(after)
    for number, row in by_no.items():
        was, now = before.get(number), after.get(number)
        assert row[EARLIER] == (was.value if was else "")
        assert row[LATER] == (now.value if now else "")
        assert row["変化"] == expected_change(was, now)
    # The fixture's own changes: one item dropped (last reported in 2020), one added.
    assert by_no[reports.DROPPED_FY2021]["変化"] == "廃止"
    assert by_no[reports.DROPPED_FY2021]["年度"] == "2020"
    assert by_no[reports.ADDED_FY2021]["変化"] == "新規"
    assert by_no[42]["変化"] == "下がった"


def test_an_english_comparison_words_the_change_in_english(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("compare the elderly support division with last year")
    assert answer.language == "en" and answer.comparison is not None
    by_no = {int(r["事業番号"]): r for r in read_csv(to_csv(answer))}
    assert {EARLIER, LATER} <= set(next(iter(by_no.values())))
    assert by_no[reports.DROPPED_FY2021]["変化"] == "dropped"
    assert by_no[reports.ADDED_FY2021]["変化"] == "added"
    assert by_no[42]["変化"] == "down"
    assert {r["変化"] for r in by_no.values()} <= {"same", "up", "down", "added", "dropped"}


def test_other_answers_keep_the_one_grade_column(three_year_answerer: Answerer) -> None:
    answer = three_year_answerer.answer("高齢者支援課の令和3年度の事業")
    assert answer.comparison is None
    assert list(read_csv(to_csv(answer))[0]) == list(COLUMNS)
    header = next(
        load_workbook(io.BytesIO(to_xlsx(answer))).worksheets[0].iter_rows(values_only=True)
    )
    assert "評価" in header and "変化" not in header
