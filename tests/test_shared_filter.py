"""The filter of items several departments evaluate (共管), as the shared macro applies
it, against the plain reading of its definition, on generated cities whose items are
often evaluated by two departments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.generate import build_nation, write_direct
from bot.store.database import Store

#: Per evaluation: whether its item is evaluated by two departments or more in its year,
#: and, with departments named, by every one of them.
REFERENCE = """
SELECT e.fiscal_year, e.municipality, e.plan, e.item_no, e.department
FROM evaluations e
WHERE e.fiscal_year BETWEEN $1 AND $2 AND ($3::VARCHAR IS NULL OR e.municipality = $3)
  AND EXISTS (
    SELECT 1 FROM evaluations s
    WHERE s.fiscal_year = e.fiscal_year AND s.municipality = e.municipality
      AND s.plan = e.plan AND s.item_no = e.item_no
    HAVING count(DISTINCT s.department) >= 2
       AND ($4::VARCHAR[] IS NULL
            OR count(DISTINCT s.department) FILTER (list_contains($4::VARCHAR[], s.department))
               = len(list_distinct($4::VARCHAR[]))))
  AND ($4::VARCHAR[] IS NULL OR list_contains($4::VARCHAR[], e.department))
ORDER BY ALL
"""
FILTERED = """
SELECT fiscal_year, municipality, plan, item_no, department
FROM matching_between($1, $2, municipality := $3::VARCHAR, shared := true,
                      departments := $4::VARCHAR[])
ORDER BY ALL
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data_dir = tmp_path_factory.mktemp("shared")
    write_direct(build_nation(4, 2), data_dir)
    opened = Store(data_dir)
    yield opened
    opened.close()


def test_shared_items_are_those_several_departments_evaluate(store: Store) -> None:
    store.refresh()
    cursor = store._cursor()
    years = [int(y) for y in store.manifest["fiscal_years"]]
    cities = sorted(
        r[0] for r in cursor.execute("SELECT DISTINCT municipality FROM evaluations").fetchall()
    )
    pairs = cursor.execute(
        "SELECT list(DISTINCT department ORDER BY department) FROM evaluations"
        " GROUP BY fiscal_year, municipality, plan, item_no"
        " HAVING count(DISTINCT department) >= 2 LIMIT 2"
    ).fetchall()
    department_sets = [None, *(p[0][:2] for p in pairs), ["存在しない課", pairs[0][0][0]]]
    checked = 0
    for first, last in ((years[0], years[0]), (years[0], years[-1])):
        for municipality in (None, cities[0]):
            for departments in department_sets:
                args = [first, last, municipality, departments]
                expected = cursor.execute(REFERENCE, args).fetchall()
                assert cursor.execute(FILTERED, args).fetchall() == expected, args
                checked += len(expected)
    assert checked
