"""Many years and a reorganisation: an item's history follows its number, whatever its
department is called from one year to the next (fixture: reports.reorganised_year_text)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.ask.answer import Answerer
from bot.digest.compose import compose_digest
from bot.digest.ledger import Subscription
from bot.digest.schedule import Schedule
from bot.ingest.report_text import parse_report_text
from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.ingest.warehouse import write_reports
from bot.reorganisations import detected_moves
from bot.store.database import Store
from tests import reports
from tests.test_cli import planbot

ALIASES = Path(__file__).resolve().parents[1] / "data" / "aliases.toml"
MONDAY = datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("Asia/Tokyo"))


def _numbers(answer: object) -> list[int]:
    return sorted({i.item_no for i in answer.items})  # type: ignore[attr-defined]


def test_the_fixture_is_three_years_with_a_reorganisation(three_year_answerer: Answerer) -> None:
    assert three_year_answerer.years() == [2019, 2020, 2021]
    rows = three_year_answerer.store.run("departments").rows
    latest = {r["department"]: r["latest_year"] for r in rows}
    old, new = reports.RENAMED
    assert latest[old] == 2020 and latest[new] == 2021
    assert latest[reports.SPLIT[0]] == 2020
    assert {latest[d] for d in reports.SPLIT[1]} == {2021}


def test_changes_follow_the_item_through_a_rename_and_a_split(
    three_year_answerer: Answerer,
) -> None:
    answer = three_year_answerer.answer("what changed since last year?")
    assert answer.intent == "trend"
    assert _numbers(answer) == sorted(reports.FY2021_CHANGES)
    moved = {i.item_no: i.from_department for i in answer.items}
    assert moved[16] == reports.RENAMED[0]
    assert moved[35] == reports.SPLIT[0]
    assert moved[42] is None  # still graded by the same department
    assert "子ども政策課 B→A" in answer.text

    improved = three_year_answerer.answer("改善した事業")
    assert _numbers(improved) == [16]
    fell = three_year_answerer.answer("評価が下がった事業")
    assert _numbers(fell) == [33, 35, 42]


def test_an_unchanged_grade_is_same_across_the_rename(three_year_answerer: Answerer) -> None:
    same = three_year_answerer.answer("昨年度と同じ評価の子ども子育て支援課の事業")
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


# --- renames as data -------------------------------------------------------------------


def test_ingest_detects_records_and_shows_the_reorganisation(tmp_path: Path) -> None:
    files = [
        reports.write(tmp_path, "musashino_fy2020.txt", reports.second_year_text()),
        reports.write(tmp_path, "musashino_fy2021.txt", reports.reorganised_year_text()),
    ]
    data_dir = tmp_path / "data"
    first = planbot("ingest", "--data-dir", str(data_dir), str(reports.SEED), str(files[0]))
    assert first.returncode == 0, first.stderr
    assert "reorganised" not in first.stdout
    done = planbot("ingest", "--data-dir", str(data_dir), str(files[1]))
    assert done.returncode == 0, done.stderr
    assert "子ども政策課 → 子ども子育て支援課 (4 items)" in done.stdout
    assert "子ども育成課 → 保育課 (2 items, split)" in done.stdout
    assert "子ども育成課 → 児童青少年課 (1 item, split)" in done.stdout
    # Recorded in the snapshot, and not news on the next ingest.
    moves = detected_moves(read_manifest(current_snapshot(data_dir)))  # type: ignore[arg-type]
    assert {(m.from_department, m.to_department, m.items, m.kind) for m in moves} == {
        ("子ども政策課", "子ども子育て支援課", 4, "rename"),
        ("子ども育成課", "保育課", 2, "split"),
        ("子ども育成課", "児童青少年課", 1, "split"),
    }
    assert all(m.fiscal_year == 2021 and m.municipality == "武蔵野市" for m in moves)
    corrected = reports.write(
        tmp_path,
        "fy2021_fix.txt",
        reports.replace_cell(reports.reorganised_year_text(), 18, 8, "C"),
    )
    again = planbot("ingest", "--data-dir", str(data_dir), str(corrected))
    assert again.returncode == 0 and "reorganised" not in again.stdout
    assert len(detected_moves(read_manifest(current_snapshot(data_dir)))) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("子ども政策課の事業", 2021),
        ("子ども子育て支援課の令和元年度の事業", 2019),
        ("子ども政策課の令和2年度の事業", 2020),
        ("Child Policy Division items in FY2021", 2021),
    ],
)
def test_either_name_finds_the_departments_items_in_any_year(
    three_year_answerer: Answerer, question: str, year: int
) -> None:
    answer = three_year_answerer.answer(question)
    assert answer.fiscal_year == year
    assert _numbers(answer) == [16, 18, 29, 31]
    label = "子ども子育て支援課（旧 子ども政策課）"
    if answer.language == "en":
        label = "子ども子育て支援課 (formerly 子ども政策課)"
    assert label in answer.text


def test_the_old_names_summary_counts_the_new_names_items(three_year_answerer: Answerer) -> None:
    summary = three_year_answerer.answer("子ども政策課のまとめ")
    assert summary.summary is not None
    assert summary.summary.grades == {"A": 1, "B": 3, "C": 0, "D": 0}
    # A year before the reorganisation, listed under today's names.
    before = three_year_answerer.answer("令和元年度のまとめ")
    assert before.summary is not None
    by_dept = before.summary.by_department
    assert by_dept["子ども子育て支援課"] == {"A": 0, "B": 3, "C": 0, "D": 1}
    assert "子ども政策課" not in by_dept
    # A department split several ways keeps its name for the years before.
    assert by_dept["子ども育成課"] == {"A": 1, "B": 2, "C": 0, "D": 0}


def test_a_split_departments_parts_and_whole(three_year_answerer: Answerer) -> None:
    assert _numbers(three_year_answerer.answer("子ども育成課の令和3年度の事業")) == [30, 34, 35]
    part = three_year_answerer.answer("保育課の事業")
    assert _numbers(part) == [30, 34]
    assert "保育課（旧 子ども育成課）" in part.text


def test_the_alias_file_overrides_the_guess(three_year_warehouse: Path, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(
        ALIASES.read_text(encoding="utf-8")
        + '\n[[renames]]\nfrom = "子ども育成課"\nto = "保育課"\nfiscal_year = 2021\n'
        + '\n[[renames]]\nfrom = "男女平等推進室"\nto = "子ども家庭支援センター"\n',
        encoding="utf-8",
    )
    store = Store(three_year_warehouse)
    try:
        answerer = Answerer(store, aliases_file=aliases)
        # Stated as a rename to 保育課: 児童青少年課 is no longer its successor.
        old = answerer.answer("子ども育成課の令和3年度の事業")
        assert _numbers(old) == [30, 34]
        assert "保育課（旧 子ども育成課）" in old.text
        assert "児童青少年課" not in old.text
        # A rename the data cannot show (no item moved) is taken as stated.
        assert (
            "子ども家庭支援センター（旧 男女平等推進室）"
            in answerer.answer("子ども家庭支援センターの事業").text
        )
    finally:
        store.close()


def test_a_department_digest_counts_the_former_names_year(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for name, text in (
        ("fy2020.txt", reports.second_year_text()),
        ("fy2021.txt", reports.reorganised_year_text()),
    ):
        write_reports(data_dir, [parse_report_text(reports.write(tmp_path, name, text))])
    sub = Subscription(
        id="dept",
        channel="C1",
        schedule=Schedule(),
        language="ja",
        scope_kind="department",
        scope_value="子ども子育て支援課",
    )
    store = Store(data_dir)
    try:
        digest = compose_digest(store, sub, MONDAY, None)
    finally:
        store.close()
    assert digest.grades == {"A": 1, "B": 3, "C": 0, "D": 0}
    assert digest.previous_grades == {"A": 0, "B": 4, "C": 0, "D": 0}


# --- items that come and go ------------------------------------------------------------


def test_items_added_and_dropped_between_two_reports(three_year_answerer: Answerer) -> None:
    added = three_year_answerer.answer("新しく加わった事業は？")
    assert (added.intent, added.filters.get("trend_direction")) == ("trend", "added")
    assert _numbers(added) == [reports.ADDED_FY2021]
    assert reports.ADDED_NAME in added.text
    dropped = three_year_answerer.answer("which items were dropped?")
    assert _numbers(dropped) == [reports.DROPPED_FY2021]
    # Shown as last reported: the earlier year's evaluation.
    assert {i.fiscal_year for i in dropped.items} == {2020}
    # A grade that dropped is no item gone.
    assert _numbers(three_year_answerer.answer("which items dropped to D?")) == [42]
    # Between FY2019 and FY2020 nothing came or went.
    assert three_year_answerer.answer("令和2年度に追加された事業").count == 0


def test_an_item_asked_about_in_a_year_without_it_gives_its_history(
    three_year_answerer: Answerer,
) -> None:
    gone = three_year_answerer.answer("事業86の詳細")
    assert gone.problem == "not_reported"
    assert [(i.fiscal_year, i.grade.value) for i in gone.items] == [(2019, "A"), (2020, "A")]
    assert "令和3年度（2021年度）の報告にはありません" in gone.text
    assert "最後の報告は令和2年度（2020年度）（評価A・高齢者支援課）" in gone.text
    early = three_year_answerer.answer("item 87 in FY2019")
    assert early.problem == "not_reported"
    assert "first reported in FY2021 (grade B" in early.text
    # A number no report ever held is still simply not found.
    assert three_year_answerer.answer("事業99の詳細").count == 0
