"""Many years and a reorganisation: an item's history follows its number, whatever its
department is called from one year to the next (fixture: reports.reorganised_year_text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.ask.answer import Answerer
from bot.digest.compose import compose_digest
from bot.digest.ledger import Subscription
from bot.digest.schedule import Schedule
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.store.database import Store
from tests import reports

ALIASES = Path(__file__).resolve().parents[1] / "data" / "aliases.toml"
MONDAY = datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture(scope="module")
def answerer(three_year_warehouse: Path) -> Iterator[Answerer]:
    store = Store(three_year_warehouse)
    yield Answerer(store, aliases_file=ALIASES)
    store.close()


def _numbers(answer: object) -> list[int]:
    return sorted({i.item_no for i in answer.items})  # type: ignore[attr-defined]


def test_the_fixture_is_three_years_with_a_reorganisation(answerer: Answerer) -> None:
    assert answerer.years() == [2019, 2020, 2021]
    rows = answerer.store.run("departments").rows
    latest = {r["department"]: r["latest_year"] for r in rows}
    old, new = reports.RENAMED
    assert latest[old] == 2020 and latest[new] == 2021
    assert latest[reports.SPLIT[0]] == 2020
    assert {latest[d] for d in reports.SPLIT[1]} == {2021}


def test_changes_follow_the_item_through_a_rename_and_a_split(answerer: Answerer) -> None:
    answer = answerer.answer("what changed since last year?")
    assert answer.intent == "trend"
    assert _numbers(answer) == sorted(reports.FY2021_CHANGES)
    moved = {i.item_no: i.from_department for i in answer.items}
    assert moved[16] == reports.RENAMED[0]
    assert moved[35] == reports.SPLIT[0]
    assert moved[42] is None  # still graded by the same department
    assert "子ども政策課 B→A" in answer.text

    improved = answerer.answer("改善した事業")
    assert _numbers(improved) == [16]
    fell = answerer.answer("評価が下がった事業")
    assert _numbers(fell) == [33, 35, 42]


def test_an_unchanged_grade_is_same_across_the_rename(answerer: Answerer) -> None:
    same = answerer.answer("昨年度と同じ評価の子ども子育て支援課の事業")
    assert same.intent == "trend"
    # 18, 29, 31 kept B under the new name; 16 changed.
    assert _numbers(same) == [18, 29, 31]


def test_the_digest_says_what_changed_for_a_renamed_departments_item(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    texts = [
        ("musashino_fy2019.txt", reports.seed_text()),
        ("musashino_fy2020.txt", reports.second_year_text()),
    ]
    for name, text in texts:
        write_reports(data_dir, [parse_report_text(reports.write(tmp_path, name, text))])
    sub = Subscription(id="all", channel="C1", schedule=Schedule(), language="ja")
    store = Store(data_dir)
    try:
        before = compose_digest(store, sub, MONDAY, None)
        path = reports.write(tmp_path, "musashino_fy2021.txt", reports.reorganised_year_text())
        write_reports(data_dir, [parse_report_text(path)])
        after = compose_digest(store, sub, MONDAY, before.state)
    finally:
        store.close()
    changes = "\n".join(after.changes)
    assert "事業16" in changes and "FY2020 子ども政策課 B → FY2021 A" in changes
    assert "事業35" in changes and "子ども育成課 A → FY2021 B" in changes
    # Items that kept their grade under a new name are no change.
    assert "事業18" not in changes
