"""A topic question without structured filters, counted and cut by the term index, gives
what the named queries give over every hit (seed, and generated cities whose plans and
item numbers repeat from one municipality to the next)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import build_nation, write_direct
from bot.store import database
from bot.store.database import Store
from bot.text import search_key

KEYWORDS = [
    [["dv", "ドメスティック・バイオレンス", "配偶者暴力"]],
    [["女性"], ["相談"]],
    [["男女"], ["意識", "啓発"], ["講座"]],
    [["介護"]],
    [["存在しない語句"]],
    [["女性"], ["存在しない語句"]],
    [["事"]],  # one character: every bigram it starts
]
#: No structured filter: what the index answers alone.
BASE: dict[str, Any] = dict.fromkeys(
    [
        "grades",
        "departments",
        "item_nos",
        "goal",
        "policy",
        "measure",
        "priority",
        "categories",
        "targets",
    ]
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("generated")
    write_direct(build_nation(4, 2), data_dir)
    return data_dir


@pytest.fixture(scope="module", params=["seed", "generated"])
def store(request: pytest.FixtureRequest, seed_warehouse: Path) -> Iterator[Store]:
    data_dir = seed_warehouse if request.param == "seed" else request.getfixturevalue("generated")
    opened = Store(data_dir)
    yield opened
    opened.close()


def _by_queries(
    store: Store, monkeypatch: pytest.MonkeyPatch, name: str, cap: int | None, **params: Any
) -> Any:
    """The named query's own answer, over every hit the lookup found."""
    with monkeypatch.context() as m:
        m.setattr(database, "INDEX_COUNTED", ())
        m.setattr(Store, "_listable", lambda self, name, bound, topics: topics)
        return store.run(name, cap=cap, **params)


def _scopes(store: Store) -> list[tuple[int, str | None]]:
    store.refresh()
    years = [int(y) for y in store.manifest["fiscal_years"]]
    cities = [
        r[0]
        for r in store._cursor().execute("SELECT DISTINCT municipality FROM evaluations").fetchall()
    ]
    return [(y, m) for y in years for m in [None, *sorted(cities)[:2]]]


@pytest.mark.parametrize("keywords", KEYWORDS)
def test_counts_from_the_index_are_the_queries_counts(
    store: Store, monkeypatch: pytest.MonkeyPatch, keywords: list[list[str]]
) -> None:
    keys = [[search_key(w) for w in group] for group in keywords]
    for fiscal_year, municipality in _scopes(store):
        params = BASE | {"fiscal_year": fiscal_year, "municipality": municipality, "keywords": keys}
        for name in ("topic_hits", "count_matching"):
            indexed = store.run(name, **params)
            queried = _by_queries(store, monkeypatch, name, None, **params)
            assert (indexed.columns, indexed.rows) == (queried.columns, queried.rows), (
                name,
                fiscal_year,
                municipality,
            )


@pytest.mark.parametrize("keywords", KEYWORDS)
@pytest.mark.parametrize("cap", [1, 3, 10, 1000])
def test_a_list_cut_by_the_index_is_the_queries_list(
    store: Store, monkeypatch: pytest.MonkeyPatch, keywords: list[list[str]], cap: int
) -> None:
    keys = [[search_key(w) for w in group] for group in keywords]
    for fiscal_year, municipality in _scopes(store):
        params = BASE | {"fiscal_year": fiscal_year, "municipality": municipality, "keywords": keys}
        cut = store.run("evaluations_matching", cap=cap, **params)
        whole = _by_queries(store, monkeypatch, "evaluations_matching", cap, **params)
        assert (cut.rows, cut.truncated) == (whole.rows, whole.truncated), (
            fiscal_year,
            municipality,
        )


def test_a_structured_filter_is_left_to_the_queries(store: Store) -> None:
    store.refresh()
    fiscal_year = int(store.manifest["fiscal_years"][-1])
    keys = [[search_key("女性")]]
    params = BASE | {"fiscal_year": fiscal_year, "municipality": None, "keywords": keys}
    every = store.run("count_matching", **params).rows[0]
    graded = store.run("count_matching", **params | {"grades": ["A"]}).rows[0]
    # Only A's: the filter applied, not the index's count of every grade.
    assert graded["evaluations"] == graded["a"] == every["a"]
    assert graded["b"] == graded["c"] == graded["d"] == 0


def test_a_topic_question_after_a_list_cut_at_its_cap(seed_warehouse: Path) -> None:
    # A list read only up to its cap left its result open on the thread's cursor, and the
    # next topic question could not register its rows there.
    store = Store(seed_warehouse)
    try:
        store.refresh()
        fiscal_year = int(store.manifest["fiscal_years"][-1])
        params = BASE | {"fiscal_year": fiscal_year, "municipality": None}
        assert store.run("evaluations_filtered", cap=1, **params).truncated
        keys = [[search_key("女性")]]
        assert store.run("evaluations_matching", **params | {"keywords": keys}).rows
    finally:
        store.close()
