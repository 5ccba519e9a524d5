"""Meta-tests over queries/*.sql: every query is named, documented, bound, and runs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.ask.answer import Answerer
from bot.models import Report
from bot.store.database import QueryTimeout, Store, TooManyRows, WarehouseMissing
from bot.store.named_queries import default_queries_dir, load_queries, parse_query_file

QUERIES = load_queries(default_queries_dir())

# Parameter values that make every query return rows on the seed warehouse.
SAMPLE = {
    "fiscal_year": 2019,
    "to_year": 2019,
    "from_year": 2019,
    "direction": "changed",
    "municipality": None,
    "municipalities": None,
    "other_year": 2019,
    "years": [2019],
    "over": "any",
    "grades": None,
    "from_grades": None,
    "to_grades": None,
    "departments": None,
    "shared": None,
    "item_nos": [16, 39],
    "goal": None,
    "policy": None,
    "measure": None,
    "priority": None,
    "categories": None,
    "targets": None,
    "keywords": None,
    "plan": None,
    "depth": 2,
    "parts": None,
    "row_limit": None,  # set by the runner from its cap
}


# Queries that answer nothing without a value where SAMPLE has none.
PER_QUERY: dict[str, dict[str, object]] = {"topic_hits": {"keywords": [["ワークライフバランス"]]}}


def test_there_are_queries() -> None:
    assert {
        "evaluations_matching",
        "count_matching",
        "grade_counts_by_department",
        "item_grade_history",
        "grade_changes_between_years",
    } <= set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_is_documented(name: str) -> None:
    query = QUERIES[name]
    assert len(query.doc) >= 30, f"{name} needs a doc comment that can serve as help text"
    assert query.path.stem == name, "one query per file, named like the file"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_on_the_seed(name: str, store: Store) -> None:
    query = QUERIES[name]
    params = {p: SAMPLE[p] for p in query.params} | PER_QUERY.get(name, {})
    result = store.run(name, **params)
    # One year: nothing can have changed, come or gone, no department reorganised.
    if name not in ("grade_changes_between_years", "department_moves", "items_not_in_year"):
        assert result.rows, f"{name} returned nothing on the seed"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queries_bind_values_never_format_them(name: str) -> None:
    sql = QUERIES[name].sql
    assert not re.search(r"\{[a-z_]+\}|%s|%\(", sql), "values must be bound as $params"


def test_counts_without_a_count_query_match_count_matching(
    store: Store, seed_answerer: Answerer
) -> None:
    for question in ("D評価の事業は？", "show 子ども家庭支援センター items", "全事業", "B評価"):
        answer = seed_answerer.answer(question)
        params = {p: SAMPLE[p] for p in QUERIES["count_matching"].params} | {"item_nos": None}
        params.update({k: v for k, v in answer.queries[0].params.items() if k in params})
        counted = store.run("count_matching", **params).rows[0]
        assert answer.count == counted["items"], question


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"grades": ["B"]},
        {"grades": ["A", "D"], "priority": True},
        {"departments": ["子ども家庭支援センター", "地域支援課"]},
        {"goal": 3, "policy": 2},
        {"categories": ["新規", "充実"], "targets": ["市民"]},
        {"item_nos": [39, 16, 74]},
    ],
)
def test_without_keywords_the_ranked_list_lists_what_one_pass_lists(
    store: Store, filters: dict[str, object]
) -> None:
    params = {p: SAMPLE[p] for p in QUERIES["evaluations_matching"].params} | {
        "item_nos": None,
        **filters,
    }
    for cap in (1000, 3):
        ranked = store.run("evaluations_matching", cap=cap, **params)
        one_pass = store.run("evaluations_filtered", cap=cap, **params)
        assert ranked.rows, filters
        # The ranked list adds its score and matched words (none without topic words).
        assert all(r.pop("score") is None and r.pop("matched_words") is None for r in ranked.rows)
        assert (one_pass.rows, one_pass.truncated) == (ranked.rows, ranked.truncated)


def test_row_cap_truncates(store: Store) -> None:
    result = store.run(
        "evaluations_matching",
        cap=5,
        **{p: SAMPLE[p] for p in QUERIES["evaluations_matching"].params if p != "item_nos"},
        item_nos=None,
    )
    assert len(result.rows) == 5 and result.truncated


def test_unknown_parameters_are_refused(store: Store) -> None:
    with pytest.raises(TypeError):
        store.run("fiscal_years", evil="1; DROP TABLE x")


def test_user_text_is_data_not_sql(store: Store) -> None:
    hostile = "'); DROP VIEW evaluations; --"
    result = store.run(
        "evaluations_matching",
        **{
            **{p: SAMPLE[p] for p in QUERIES["evaluations_matching"].params},
            "item_nos": None,
            "departments": [hostile],
        },
    )
    assert result.rows == []
    assert store.run("fiscal_years", municipality=None).rows  # the view is still there


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissing, match="planbot ingest"):
        Store(tmp_path).run("fiscal_years", municipality=None)


def test_query_file_needs_a_name(tmp_path: Path) -> None:
    bad = tmp_path / "x.sql"
    bad.write_text("SELECT 1")
    with pytest.raises(ValueError, match="name:"):
        parse_query_file(bad)


def test_store_sees_a_new_snapshot(warehouse: Path, second_year_report) -> None:
    from bot.ingest.warehouse import write_reports

    s = Store(warehouse)
    assert [r["fiscal_year"] for r in s.run("fiscal_years", municipality=None).rows] == [2019]
    write_reports(warehouse, [second_year_report])
    assert [r["fiscal_year"] for r in s.run("fiscal_years", municipality=None).rows] == [2020, 2019]
    s.close()


def test_cursor_per_thread(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def count(_: int) -> int:
        return int(
            store.run(
                "count_matching",
                **{p: SAMPLE[p] for p in QUERIES["count_matching"].params if p != "item_nos"},
                item_nos=None,
            ).rows[0]["items"]
        )

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(count, range(40))) == {40}


def test_items_named_after_the_keyword_come_first(store: Store, seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("介護の事業")
    names = [("介護" in i.name) for i in answer.items]
    assert names == sorted(names, reverse=True), "name hits first"
    assert any(names) and not all(names)
    # Best first throughout: the rows come in falling relevance.
    rows = store.run("evaluations_matching", fiscal_year=2019, keywords=[["介護"]]).rows
    assert [r["item_no"] for r in rows] == [i.item_no for i in answer.items]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_a_query_past_its_time_limit_is_stopped_and_the_store_answers_on(
    tmp_path: Path, seed_warehouse: Path
) -> None:
    queries = tmp_path / "queries"
    shutil.copytree(default_queries_dir(), queries)
    (queries / "endless.sql").write_text(
        "-- name: endless\n-- Counts far more rows than any time limit allows.\n"
        "SELECT count(*) AS n FROM range(1000000000000) a WHERE a.range % 7 = 3;\n",
        encoding="utf-8",
    )
    # The limit is far past what a quick query takes even on a loaded machine (at 0.3 s a
    # busy CI run interrupted "departments"), and far short of the endless query.
    store = Store(seed_warehouse, queries_dir=queries, timeout_s=2.0)
    try:
        for _ in range(2):
            with pytest.raises(QueryTimeout):
                store.run("endless")
            # The interrupt does not leak into the next query on the same cursor.
            (year,) = store.run("fiscal_years", municipality=None).rows
            assert (year["fiscal_year"], year["evaluations"]) == (2019, 41)
        # Many quick queries under one watchdog: none of them is interrupted late.
        for _ in range(200):
            assert store.run("departments").rows
    finally:
        store.close()


def test_a_small_warehouse_answers_from_memory_as_from_its_files(
    warehouse: Path, second_year_report: Report
) -> None:
    from bot.ask.answer import Answerer
    from bot.ingest.warehouse import write_reports

    files, memory = Store(warehouse), Store(warehouse, memory_rows=10_000)
    try:
        assert not files.in_memory and memory.in_memory
        questions = [
            "D評価の事業は？",
            "show 子ども家庭支援センター items",
            "DVに関する事業",
            "まとめ",
        ]
        for _ in range(2):
            for question in questions:
                from_files = Answerer(files).answer(question)
                from_memory = Answerer(memory).answer(question)
                assert from_memory.items == from_files.items, question
                assert from_memory.count == from_files.count, question
            # A new snapshot is loaded again: the second round sees FY2020.
            write_reports(warehouse, [second_year_report])
        assert [r["fiscal_year"] for r in memory.run("fiscal_years", municipality=None).rows] == [
            2020,
            2019,
        ]
        # Above the limit the files are read.
        larger = Store(warehouse, memory_rows=50)
        assert not larger.in_memory
        larger.close()
    finally:
        files.close()
        memory.close()


def test_a_mapping_is_read_whole_or_refused(store: Store) -> None:
    scope = {"from_year": 2019, "municipality": None, "departments": None, "goal": None}
    grades = store.mapping("evaluation_grades", cap=41, **scope)
    assert (
        len(grades) == 41 and grades["2019|16|子ども政策課|武蔵野市|第四次男女平等推進計画"] == "D"
    )
    # Cut short, a fingerprint would report false changes: more rows than the cap is an error.
    with pytest.raises(TooManyRows):
        store.mapping("evaluation_grades", cap=40, **scope)
    with pytest.raises(TypeError):
        store.mapping("fiscal_years", cap=10, municipality=None)


def test_a_summary_counted_from_its_rows_equals_the_one_queried(seed_warehouse: Path) -> None:
    from bot.ask.answer import Answerer

    # 10 rows: fewer than the 41 evaluations, more than the departments and goals.
    complete, capped = Store(seed_warehouse), Store(seed_warehouse, row_cap=10)
    try:
        for question in ("まとめ", "子ども家庭支援センターのまとめ", "summary for 基本目標2"):
            counted = Answerer(complete).answer(question)
            queried = Answerer(capped).answer(question)
            # The capped store had to ask DuckDB for the aggregates; the other did not.
            assert "grade_counts_by_part" in [q.name for q in queried.queries]
            assert "grade_counts_by_part" not in [q.name for q in counted.queries]
            assert counted.summary == queried.summary, question
            assert counted.count == queried.count, question
    finally:
        complete.close()
        capped.close()


def test_an_item_history_between_two_years_is_bounded_before_the_row_cap(
    tmp_path: Path,
) -> None:
    from bot.ask.answer import Answerer
    from bot.ingest.report_text import parse_report_text
    from bot.ingest.warehouse import write_reports
    from tests import reports

    texts = [reports.seed_text(), reports.second_year_text(), reports.third_year_text()]
    parsed = [
        parse_report_text(reports.write(tmp_path, f"fy{n}.txt", text))
        for n, text in enumerate(texts)
    ]
    write_reports(tmp_path / "data", parsed)
    # Two rows at most: FY2019 must not take the place of FY2021.
    store = Store(tmp_path / "data", row_cap=2)
    try:
        answer = Answerer(store).answer("事業16の2020年度から2021年度の評価の推移")
    finally:
        store.close()
    assert [i.fiscal_year for i in answer.items] == [2020, 2021]


def test_a_query_passes_only_the_filters_it_applies(store: Store) -> None:
    # Every filter of the shared macro is a named parameter whose default is "no filter".
    store.refresh()
    con = store._cursor()
    (only_d,) = con.execute("SELECT count(*) FROM matching(2019, grades := ['D'])").fetchone()  # type: ignore[misc]
    (every,) = con.execute("SELECT count(*) FROM matching(2019)").fetchone()  # type: ignore[misc]
    counted = store.run("count_matching", fiscal_year=2019, grades=["D"]).rows[0]
    assert only_d == counted["evaluations"] and 0 < only_d < every
