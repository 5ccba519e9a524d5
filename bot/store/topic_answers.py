"""What a topic question's queries answer, taken from the term index where it can be.

A topic question without structured filters (no grade, department, goal, …: at most
the municipality, which the lookup already keeps to) selects exactly the docs the
lookup found. Its counts are then the index's (``topic_hits``, ``count_matching``: no
query at all), and its ranked list needs only the docs that can be listed: the rows of
``topic_found`` are cut to the best ``row_limit`` docs (with every doc tied at the cut)
before DuckDB joins them, so it reads the listed rows, not a year of filter columns and
every hit's words. The named queries stay what these answers must equal
(tests/test_topic_answers.py checks both ways on the seed).

Each doc's item and grade are read once per fiscal year (``queries/year_docs.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.store.topic_search import Rows

#: The parameters the term index itself applies: any other one that is set is a
#: structured filter, which only the named query applies.
INDEX_PARAMS = frozenset({"fiscal_year", "municipality", "keywords", "row_limit"})
#: Grades in the order count_matching counts them; any other value counts in none.
GRADES = ("A", "B", "C", "D")
#: A doc's BM25 score summed here and in DuckDB may differ in the last bits: the cut
#: keeps every doc within this fraction of the best score below it.
SCORE_SLACK = 1e-9


@dataclass(frozen=True)
class YearDocs:
    """What the index does not hold of a fiscal year's docs, in doc order."""

    #: int64: the doc's item, numbered in doc order (files are sorted by municipality,
    #: plan and item number, so an item's docs are consecutive).
    item: np.ndarray
    grade: np.ndarray  # int8: index into GRADES, len(GRADES) for any other grade

    @classmethod
    def from_columns(
        cls, item_no: np.ndarray, grade: np.ndarray, plan_start: np.ndarray
    ) -> YearDocs:
        """From each doc's item number and grade code, and where each plan's docs start
        (the index's): an item ends where its number changes or its plan does."""
        n = len(item_no)
        change = np.zeros(n, dtype=bool)
        if n:
            change[1:] = item_no[1:] != item_no[:-1]
            starts = plan_start[(plan_start > 0) & (plan_start < n)].astype(np.int64)
            change[starts] = True
        return cls(np.cumsum(change, dtype=np.int64), grade.astype(np.int8))


def unfiltered(bound: dict[str, Any]) -> bool:
    """Whether a query's only filters are the ones the index applies."""
    return all(value is None for name, value in bound.items() if name not in INDEX_PARAMS)


def _year(rows: Rows, fiscal_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(topic, doc, score) of one year's rows."""
    mine = rows["fiscal_year"] == fiscal_year
    return rows["topic"][mine], rows["doc"][mine].astype(np.int64), rows["score"][mine]


def _every(rows: Rows, fiscal_year: int, topics: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The year's docs holding every topic (sorted), their summed score, and a mask of
    the year's rows that belong to them."""
    _, docs, score = _year(rows, fiscal_year)
    if not len(docs):
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), np.zeros(0, dtype=bool)
    distinct, which, held = np.unique(docs, return_inverse=True, return_counts=True)
    total = np.bincount(which, weights=score, minlength=len(distinct))
    full = held == topics
    return distinct[full], total[full], full[which]


def topic_hits(rows: Rows, docs: YearDocs, fiscal_year: int, topics: int) -> list[dict[str, Any]]:
    """``topic_hits``' rows: per topic found, the distinct items holding it; topic 0,
    those holding every one."""
    topic, doc, _ = _year(rows, fiscal_year)
    out = [
        {"topic": int(t), "items": len(np.unique(docs.item[doc[topic == t]]))}
        for t in np.unique(topic)
    ]
    every, _, _ = _every(rows, fiscal_year, topics)
    out.append({"topic": 0, "items": len(np.unique(docs.item[every]))})
    return sorted(out, key=lambda r: r["topic"])


def count_matching(rows: Rows, docs: YearDocs, fiscal_year: int, topics: int) -> dict[str, Any]:
    """``count_matching``'s row: the items and evaluations holding every topic, by grade."""
    every, _, _ = _every(rows, fiscal_year, topics)
    grades = np.bincount(docs.grade[every], minlength=len(GRADES) + 1)
    counts = {g.lower(): int(n) for g, n in zip(GRADES, grades, strict=False)}
    return {"items": len(np.unique(docs.item[every])), "evaluations": len(every), **counts}


def listed(rows: Rows, fiscal_year: int, topics: int, row_limit: int) -> Rows:
    """The year's rows of the docs ``evaluations_matching`` can list: those holding
    every topic whose score reaches the ``row_limit``-th best (ties included, ordered by
    the query)."""
    every, score, keep = _every(rows, fiscal_year, topics)
    if len(every) > row_limit > 0:
        cut = -np.partition(-score, row_limit - 1)[row_limit - 1]
        best = every[score >= cut - SCORE_SLACK * abs(float(score.max()))]
        mine = rows["fiscal_year"] == fiscal_year
        keep = np.isin(rows["doc"][mine], best)
    mine = np.flatnonzero(rows["fiscal_year"] == fiscal_year)[keep]
    return {name: column[mine] for name, column in rows.items()}
