"""What a digest says changed, when the warehouse holds more than one municipality."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.digest import compose
from bot.digest.compose import compose_digest
from bot.digest.ledger import Subscription
from bot.digest.schedule import Schedule
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.store.database import Store
from tests import reports

JST = ZoneInfo("Asia/Tokyo")
MONDAY = datetime(2026, 11, 30, 9, tzinfo=JST)


def _ingest(data_dir: Path, tmp: Path, name: str, text: str) -> None:
    write_reports(data_dir, [parse_report_text(reports.write(tmp, name, text))])


def test_changes_across_municipalities_name_the_city_and_its_own_item(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _ingest(data_dir, tmp_path, "musashino2019.txt", reports.seed_text())
    _ingest(data_dir, tmp_path, "mitaka2019.txt", reports.other_city_text())
    sub = Subscription(id="all", channel="C1", schedule=Schedule(), language="ja")
    pinned = Subscription(id="city", channel="C2", schedule=Schedule(), language="ja")
    store = Store(data_dir)
    try:
        first = compose_digest(store, sub, MONDAY, None)
        first_pinned = compose_digest(store, pinned, MONDAY, None, municipality="武蔵野市")
        assert (
            first.state["names"]["三鷹市|第四次男女平等推進計画|16"] == reports.OTHER_CITY_ITEM_16
        )
        assert (
            first.state["names"]["武蔵野市|第四次男女平等推進計画|16"] != reports.OTHER_CITY_ITEM_16
        )

        # Musashino reports FY2020; Mitaka corrects item 42 of FY2019 (B → C).
        _ingest(data_dir, tmp_path, "musashino2020.txt", reports.second_year_text())
        _ingest(
            data_dir,
            tmp_path,
            "mitaka2019_corrected.txt",
            reports.replace_cell(reports.other_city_text(), 42, 8, "C"),
        )
        second = compose_digest(store, sub, MONDAY, first.state)
        second_pinned = compose_digest(
            store, pinned, MONDAY, first_pinned.state, municipality="武蔵野市"
        )
    finally:
        store.close()

    changes = "\n".join(second.changes)
    musashino_16 = first.state["names"]["武蔵野市|第四次男女平等推進計画|16"]
    assert f"事業16 {musashino_16}（武蔵野市 子ども政策課）: FY2019 D → FY2020 B" in changes
    assert reports.OTHER_CITY_ITEM_16 not in changes  # Mitaka's item 16 did not change
    assert "（三鷹市 高齢者支援課）: 評価 B→C" in changes
    # Every year-over-year change is Musashino's; Mitaka reported no FY2020.
    year_lines = [line for line in second.changes if "FY2019" in line]
    assert len(year_lines) == len(reports.FY2020_CHANGES)
    assert all("武蔵野市" in line for line in year_lines)

    pinned_changes = "\n".join(second_pinned.changes)
    assert f"事業16 {musashino_16}（子ども政策課）: FY2019 D → FY2020 B" in pinned_changes
    assert "三鷹市" not in pinned_changes


def test_a_long_list_of_changes_is_cut_and_counted(
    seed_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "CHANGES_MAX", 5)
    sub = Subscription(id="en", channel="C1", schedule=Schedule(), language="en")
    store = Store(seed_warehouse)
    try:
        first = compose_digest(store, sub, MONDAY, None)
        flipped = {k: "D" if v != "D" else "A" for k, v in first.state["grades"].items()}
        previous = {**first.state, "grades": flipped}
        digest = compose_digest(store, sub, MONDAY, previous)
    finally:
        store.close()
    assert len(digest.changes) == 6
    assert digest.changes[-1] == f"and {len(flipped) - 5} more changes"
    assert all(": grade " in line for line in digest.changes[:5])


def test_items_added_and_removed_within_the_year_are_named(seed_warehouse: Path) -> None:
    sub = Subscription(id="ja", channel="C1", schedule=Schedule(), language="ja")
    store = Store(seed_warehouse)
    try:
        first = compose_digest(store, sub, MONDAY, None)
        # As if item 16 was not in last week's report and a since-dropped item 999 was.
        grades = {k: v for k, v in first.state["grades"].items() if k.split("|")[1] != "16"}
        grades["2019|999|子ども政策課|武蔵野市|第四次男女平等推進計画"] = "B"
        names = {**first.state["names"], "武蔵野市|第四次男女平等推進計画|999": "廃止された事業"}
        previous = {**first.state, "grades": grades, "names": names}
        digest = compose_digest(store, sub, MONDAY, previous)
    finally:
        store.close()
    item16 = first.state["names"]["武蔵野市|第四次男女平等推進計画|16"]
    assert digest.changes == (
        f"事業16 {item16} が追加されました。",
        "事業999 廃止された事業 がなくなりました。",
    )


def _changes_after_fy2020(tmp_path: Path, name: str, fy2020: str) -> tuple[str, ...]:
    """The changes a digest reports when FY2020 (text ``fy2020``) joins the seed's FY2019."""
    data_dir = tmp_path / name
    _ingest(data_dir, tmp_path, "plan4_2019.txt", reports.seed_text())
    sub = Subscription(id="ja", channel="C1", schedule=Schedule(), language="ja")
    store = Store(data_dir)
    try:
        first = compose_digest(store, sub, MONDAY, None)
        _ingest(data_dir, tmp_path, f"{name}_2020.txt", fy2020)
        return compose_digest(store, sub, MONDAY, first.state).changes
    finally:
        store.close()


def test_a_successor_plan_is_not_compared_with_the_plan_before(tmp_path: Path) -> None:
    # The next plan renumbers its items: its item 16 is not the previous plan's item 16.
    successor = reports.second_year_text().replace("第四次", "第五次")
    changes = _changes_after_fy2020(tmp_path, "plan5", successor)
    assert changes[0] == "令和2年度（2020年度）の報告書が追加されました。"
    assert not [line for line in changes if "→" in line]
    # Within one plan the same change is reported (the FY2020 fixture moves 16 D → B).
    same_plan = _changes_after_fy2020(tmp_path, "plan4", reports.second_year_text())
    assert any("FY2019 D → FY2020 B" in line for line in same_plan)


def test_a_state_stored_before_keys_carried_the_plan_still_compares(
    seed_warehouse: Path,
) -> None:
    sub = Subscription(id="ja", channel="C1", schedule=Schedule(), language="ja")
    store = Store(seed_warehouse)
    try:
        current = compose_digest(store, sub, MONDAY, None).state
    finally:
        store.close()
    # year|item|department|municipality, as digests stored them before.
    old_keys = {key.rsplit("|", 1)[0]: grade for key, grade in current["grades"].items()}
    stored = {**current, "grades": old_keys, "names": {}}
    assert compose.describe_changes(stored, current, "ja") == ["前回の配信から変更はありません。"]
    stored["grades"] = {**old_keys, "2019|16|子ども政策課|武蔵野市": "C"}
    (line,) = compose.describe_changes(stored, current, "ja")
    assert line.startswith("事業16 ワーク・ライフ・バランス") and line.endswith("評価 C→D")
