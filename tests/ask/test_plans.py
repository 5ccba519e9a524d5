"""A successor plan renumbers its items: item 16 of two plans is two items, not one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.ask.answer import Answerer
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.store.database import Store
from tests import reports
from tests.ask.test_evaluation_set import ALIASES

NEXT_PLAN = "第五次男女平等推進計画"


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answerer]:
    tmp = tmp_path_factory.mktemp("plans")
    # FY2020 under the next plan: the same rows, so every number means another item.
    text = reports.second_year_text().replace("第四次男女平等推進計画", NEXT_PLAN)
    successor = reports.write(tmp, "plan5_fy2020.txt", text)
    write_reports(tmp / "data", [parse_report_text(reports.SEED), parse_report_text(successor)])
    store = Store(tmp / "data")
    yield Answerer(store, aliases_file=ALIASES)
    store.close()


def test_an_items_history_is_per_plan(answerer: Answerer) -> None:
    answer = answerer.answer("事業16の推移")
    assert answer.count == 2  # the fourth plan's item 16 and the fifth plan's
    assert {(i.plan, i.fiscal_year) for i in answer.items} == {
        ("第四次男女平等推進計画", 2019),
        (NEXT_PLAN, 2020),
    }
    # Each line says which plan it is, the lines being otherwise alike.
    lines = [line for line in answer.text.splitlines() if line.startswith("・事業16")]
    assert len(lines) == 2
    assert "第四次男女平等推進計画 子ども政策課" in lines[0]
    assert f"{NEXT_PLAN} 子ども政策課" in lines[1]


def test_grades_are_not_compared_across_plans(answerer: Answerer) -> None:
    # The FY2020 fixture changes five grades, but under another plan: nothing "changed".
    answer = answerer.answer("what changed between FY2019 and FY2020?")
    assert answer.intent == "trend"
    assert answer.count == 0


def test_one_plan_per_year_reads_as_before(answerer: Answerer) -> None:
    answer = answerer.answer("D評価の事業は？")
    assert (answer.fiscal_year, answer.count) == (2020, 1)
    assert "第五次" not in answer.text  # one plan in the answer: no need to name it


def test_an_items_details_name_its_plan(answerer: Answerer) -> None:
    answer = answerer.answer("事業16の詳細")
    assert "位置づけ: 第五次男女平等推進計画 基本目標Ⅱ" in answer.text
