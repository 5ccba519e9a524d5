"""The benchmark generator: both write paths give warehouses planbot opens and answers from.

Small and fast on purpose: the benchmarks themselves live in bench/, not in the suite.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench.generate import (
    build_nation,
    load_corpus,
    render_report,
    write_direct,
    write_via_ingest,
    year_values,
)
from bot.ask.answer import Answerer
from bot.ingest.report_text import parse_report_bytes
from bot.ingest.term_index import TERMS, index_files
from bot.ingest.warehouse import EVALUATION_SCHEMA, current_snapshot, read_manifest
from bot.store.database import Store

MUNICIPALITIES, YEARS = 3, 2


@pytest.fixture(scope="module")
def nation():
    return build_nation(MUNICIPALITIES, YEARS)


@pytest.fixture(scope="module")
def warehouses(nation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    direct = tmp_path_factory.mktemp("direct")
    ingested = tmp_path_factory.mktemp("ingested")
    write_direct(nation, direct)
    write_via_ingest(nation, ingested)
    return {"direct": direct, "ingest": ingested}


def _evaluations(data_dir: Path) -> pa.Table:
    snapshot = current_snapshot(data_dir)
    assert snapshot is not None
    with duckdb.connect() as con:
        return con.sql(
            f"SELECT * EXCLUDE (report_checksum) FROM read_parquet("
            f"'{snapshot}/evaluations/*/*.parquet', hive_partitioning = true)"
        ).to_arrow_table()


@pytest.mark.parametrize("path", ["direct", "ingest"])
def test_store_opens_and_answers(warehouses: dict[str, Path], path: str) -> None:
    store = Store(warehouses[path])
    try:
        answerer = Answerer(store, municipality=load_corpus().municipality)
        answer = answerer.answer("D評価の事業は？")
        assert answer.ok and answer.intent == "list"
        assert answer.filters["grades"] == ["D"]
        assert answer.fiscal_year == 2019 + YEARS - 1
        assert all(item.grade.value == "D" for item in answer.items)
        # Below the row cap the rows themselves are counted: one query.
        assert [q.name for q in answer.queries] == ["evaluations_filtered"]
        assert answer.count == len({i.item_no for i in answer.items})
    finally:
        store.close()


def test_ingest_path_round_trips_through_the_real_parser(nation) -> None:
    generated = 0
    for values in year_values(nation):
        for muni in nation.municipalities:
            text = render_report(nation, muni, values)
            report = parse_report_bytes(
                text.encode("utf-8"), file=muni.file_name(values.fiscal_year)
            )
            expected = nation.eval_start[muni.index + 1] - nation.eval_start[muni.index]
            assert len(report.evaluations) == expected
            assert len(report.items) == len(muni.items)
            assert report.fiscal_year == values.fiscal_year
            assert (report.municipality, report.plan) == (muni.name, muni.plan)
            assert list(report.sheets) == list(muni.sheets)
            generated += expected
    assert generated == nation.evaluations_per_year * YEARS


def _term_index(data_dir: Path) -> dict[str, bytes]:
    snapshot = current_snapshot(data_dir)
    assert snapshot is not None
    return {
        p.relative_to(snapshot).as_posix(): p.read_bytes()
        for p in sorted((snapshot / TERMS).glob("*/*"))
    }


def test_both_paths_write_the_same_term_index(warehouses: dict[str, Path]) -> None:
    direct = _term_index(warehouses["direct"])
    assert len(direct) == YEARS * len(index_files(Path()))
    assert direct == _term_index(warehouses["ingest"])


def test_both_paths_write_the_same_rows(warehouses: dict[str, Path], nation) -> None:
    direct, ingested = _evaluations(warehouses["direct"]), _evaluations(warehouses["ingest"])
    assert direct.num_rows == ingested.num_rows == nation.evaluations_per_year * YEARS
    # Identical except the checksum (the direct path renders no bytes to hash).
    assert direct.equals(ingested)
    snapshot = current_snapshot(warehouses["direct"])
    ingested_snapshot = current_snapshot(warehouses["ingest"])
    assert snapshot is not None and ingested_snapshot is not None
    manifest = read_manifest(snapshot)
    assert manifest["fiscal_years"] == [2019 + k for k in range(YEARS)]
    assert manifest["row_counts"]["evaluations"] == direct.num_rows
    assert len(manifest["sources"]) == MUNICIPALITIES * YEARS
    # The direct writer's manifest says what the real ingest's says about the same data.
    real = read_manifest(ingested_snapshot)
    assert (real["fiscal_years"], real["row_counts"]) == (
        manifest["fiscal_years"],
        manifest["row_counts"],
    )

    def per_source(m: dict) -> list[tuple]:
        keys = ("municipality", "fiscal_year", "sheets", "items", "evaluations")
        return sorted(tuple(str(s[k]) for k in keys) for s in m["sources"])

    assert per_source(real) == per_source(manifest)
    part = snapshot / "evaluations" / "fiscal_year=2019" / "part.parquet"
    assert pq.read_schema(part).equals(EVALUATION_SCHEMA, check_metadata=False)


def test_generation_is_reproducible() -> None:
    a, b = build_nation(2, 2), build_nation(2, 2)
    assert [m.items for m in a.municipalities] == [m.items for m in b.municipalities]
    va, vb = list(year_values(a)), list(year_values(b))
    assert all((x.grades == y.grades).all() for x, y in zip(va, vb, strict=True))
    # A municipality's plan does not depend on how many there are.
    assert build_nation(3, 1).municipalities[1].items == a.municipalities[1].items


def test_the_naive_peer_has_a_twin_of_every_named_query(warehouses: dict[str, Path]) -> None:
    from bench import naive

    store = Store(warehouses["direct"])
    try:
        assert set(naive.QUERIES) == set(store.queries)
        # The digest's fingerprint queries are dicts on both sides, key for key.
        df = naive.read_all(store.snapshot)
        scope = {"from_year": 2019, "municipality": None, "departments": None, "goal": None}
        for name in ("evaluation_grades", "item_names"):
            assert naive.QUERIES[name](df, scope, 0) == store.mapping(name, cap=10**6, **scope)
        rows = store.run("departments").rows
        assert naive.QUERIES["departments"](df, {}, 0) == rows
    finally:
        store.close()
