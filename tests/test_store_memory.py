"""The store's DuckDB memory limit, and the term index's pages given back after a lookup."""

from __future__ import annotations

from pathlib import Path

from bot.store.database import Store
from bot.text import search_key


def test_a_store_keeps_duckdb_within_its_memory_limit(seed_warehouse: Path) -> None:
    store = Store(seed_warehouse, memory_limit_mb=123)
    try:
        store.refresh()
        limit = store._cursor().execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None and limit[0].startswith("117")  # 123 MB in MiB
        assert store.run("evaluations_filtered", fiscal_year=2019).rows
    finally:
        store.close()


def test_a_lookup_gives_its_index_pages_back_and_finds_again(seed_warehouse: Path) -> None:
    store = Store(seed_warehouse)
    try:
        store.refresh()
        keys = [[search_key("女性")]]
        first = store.run("evaluations_matching", fiscal_year=2019, keywords=keys).rows
        index = store.term_index(2019)
        assert index is not None
        index.release()
        store._topics.clear()
        assert store.run("evaluations_matching", fiscal_year=2019, keywords=keys).rows == first
    finally:
        store.close()


def test_grade_changes_cut_at_the_cap_are_the_first_of_the_whole_list(
    two_year_warehouse: Path,
) -> None:
    # The changes are found and cut on the filter columns; only the rows returned are
    # read whole, in the same order.
    store = Store(two_year_warehouse)
    try:
        params = {p: None for p in store.queries["grade_changes_between_years"].params} | {
            "from_year": 2019,
            "to_year": 2020,
            "direction": "any",
        }
        whole = store.run("grade_changes_between_years", **params)
        assert len(whole.rows) > 3 and not whole.truncated
        cut = store.run("grade_changes_between_years", cap=3, **params)
        assert cut.truncated and cut.rows == whole.rows[:3]
    finally:
        store.close()
