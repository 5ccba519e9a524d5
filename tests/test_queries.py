"""Meta-tests over queries/*.sql: every query is named, documented, bound, and runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.store.database import Store, WarehouseMissing
from bot.store.named_queries import default_queries_dir, load_queries, parse_query_file

QUERIES = load_queries(default_queries_dir())

# Parameter values that make every query return rows on the seed warehouse.
SAMPLE = {
    "fiscal_year": 2019,
    "to_year": 2019,
    "from_year": 2019,
    "direction": "changed",
    "municipality": None,
    "grades": None,
    "departments": None,
    "item_nos": [16, 39],
    "goal": None,
    "policy": None,
    "measure": None,
    "priority": None,
    "categories": None,
    "targets": None,
    "keywords": None,
    "row_limit": None,  # set by the runner from its cap
}


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
    params = {p: SAMPLE[p] for p in query.params}
    result = store.run(name, **params)
    if name != "grade_changes_between_years":  # one year: nothing can have changed
        assert result.rows, f"{name} returned nothing on the seed"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queries_bind_values_never_format_them(name: str) -> None:
    sql = QUERIES[name].sql
    assert not re.search(r"\{[a-z_]+\}|%s|%\(", sql), "values must be bound as $params"


def test_counts_without_a_count_query_match_count_matching(store: Store) -> None:
    from bot.ask.answer import Answerer

    answerer = Answerer(store)
    for question in ("D評価の事業は？", "show 子ども家庭支援センター items", "全事業", "B評価"):
        answer = answerer.answer(question)
        params = {p: SAMPLE[p] for p in QUERIES["count_matching"].params} | {"item_nos": None}
        params.update({k: v for k, v in answer.queries[0].params.items() if k in params})
        counted = store.run("count_matching", **params).rows[0]
        assert answer.count == counted["items"], question


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


def test_items_named_after_the_keyword_come_first(store: Store) -> None:
    from bot.ask.answer import Answerer

    answer = Answerer(store).answer("介護の事業")
    names = [("介護" in i.name) for i in answer.items]
    assert names == sorted(names, reverse=True), "name hits first"
    assert any(names) and not all(names)
    first = [i.item_no for i in answer.items if "介護" in i.name]
    assert first == sorted(first)  # then item-number order within each tier
