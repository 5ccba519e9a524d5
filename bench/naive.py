"""The naive peer: what a script without planbot's store would do for each question.

It reads the whole evaluations dataset with ``pd.read_parquet`` every question (no
warm connection, no partition pruning, no pushdown) and then filters in pandas. It is
given the pipeline's own parsed filters (the named queries and their parameters taken
from ``Answer.queries``), so it does the same logical work minus question parsing and
rendering — which flatters it slightly: the ratio naive/pipeline is a lower bound.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence, Sized
from pathlib import Path
from typing import Any

import pandas as pd

GRADE_LETTERS = ("A", "B", "C", "D")


def read_all(snapshot: Path) -> pd.DataFrame:
    """Every evaluation of every fiscal year, as a fresh DataFrame."""
    return pd.read_parquet(snapshot / "evaluations")


def _matching(df: pd.DataFrame, params: dict[str, Any], fiscal_year: int) -> pd.DataFrame:
    mask = df["fiscal_year"].astype("int64") == int(fiscal_year)
    if params.get("municipality") is not None:
        mask &= df["municipality"] == params["municipality"]
    for column, key in (
        ("grade", "grades"),
        ("department", "departments"),
        ("item_no", "item_nos"),
        ("category", "categories"),
    ):
        if params.get(key):
            mask &= df[column].isin(list(params[key]))
    for column, key in (
        ("goal_no", "goal"),
        ("policy_no", "policy"),
        ("measure_no", "measure"),
        ("priority", "priority"),
    ):
        if params.get(key) is not None:
            mask &= df[column] == params[key]
    if params.get("parts"):
        within = pd.Series(False, index=df.index)
        for part in params["parts"]:
            hit = pd.Series(True, index=df.index)
            for column, value in zip(("goal_no", "policy_no", "measure_no"), part, strict=True):
                if value is not None:
                    hit &= df[column] == value
            within |= hit
        mask &= within
    if params.get("targets"):
        wanted = set(params["targets"])
        mask &= df["target_groups"].map(lambda groups: bool(wanted.intersection(groups)))
    for group in params.get("keywords") or ():
        hit = pd.Series(False, index=df.index)
        for word in group:
            hit |= df["search_text"].str.contains(word, regex=False)
        mask &= hit
    return df[mask]


def _name_hits(frame: pd.DataFrame, keywords: Sequence[Sequence[str]] | None) -> pd.Series:
    hits = pd.Series(0, index=frame.index)
    for group in keywords or ():
        found = pd.Series(False, index=frame.index)
        for word in group:
            found |= frame["name_key"].str.contains(word, regex=False)
        hits += found.astype(int)
    return hits


def _grade_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["grade"].value_counts()
    return {g.lower(): int(counts.get(g, 0)) for g in GRADE_LETTERS}


def evaluations_matching(
    df: pd.DataFrame, params: dict[str, Any], cap: int
) -> list[dict[str, Any]]:
    sub = _matching(df, params, params["fiscal_year"]).copy()
    sub["_hits"] = _name_hits(sub, params.get("keywords"))
    sub = sub.sort_values(["_hits", "item_no", "department"], ascending=[False, True, True])
    return sub.head(cap + 1).drop(columns=["_hits", "search_text"]).to_dict("records")


def count_matching(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = _matching(df, params, params["fiscal_year"])
    return [{"items": sub["item_no"].nunique(), "evaluations": len(sub), **_grade_counts(sub)}]


def topic_hits(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = _matching(df, {**params, "keywords": None}, params["fiscal_year"])
    out = []
    for topic, group in enumerate(params.get("keywords") or (), start=1):
        hit = pd.Series(False, index=sub.index)
        for word in group:
            hit |= sub["search_text"].str.contains(word, regex=False)
        found = sub[hit]
        if len(found):
            out.append(
                {
                    "topic": topic,
                    "items": len(found[["municipality", "plan", "item_no"]].drop_duplicates()),
                }
            )
    return out


def grade_counts_by_department(
    df: pd.DataFrame, params: dict[str, Any], cap: int
) -> list[dict[str, Any]]:
    sub = _matching(df, params, params["fiscal_year"])
    return [
        {"department": dept, "items": group["item_no"].nunique(), **_grade_counts(group)}
        for dept, group in sub.groupby("department", sort=True)
    ][: cap + 1]


def grade_counts_by_part(
    df: pd.DataFrame, params: dict[str, Any], cap: int
) -> list[dict[str, Any]]:
    sub = _matching(df, params, params["fiscal_year"])
    keys = ["goal_no", "policy_no", "measure_no"][: int(params["depth"])]
    title = ["goal_title", "policy_title", "measure_title"][len(keys) - 1]
    out = []
    for key, group in sub.groupby(keys, sort=True):
        parts = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        out.append(
            {
                "goal_no": parts["goal_no"],
                "policy_no": parts.get("policy_no"),
                "measure_no": parts.get("measure_no"),
                "title": group[title].iloc[0],
                "items": group["item_no"].nunique(),
                **_grade_counts(group),
            }
        )
    return out[: cap + 1]


def grade_changes_between_years(
    df: pd.DataFrame, params: dict[str, Any], cap: int
) -> list[dict[str, Any]]:
    later = _matching(df, {**params, "grades": None}, params["to_year"])
    year = df["fiscal_year"].astype("int64")
    item = ["municipality", "plan", "item_no"]
    earlier = df.loc[year == int(params["from_year"]), [*item, "department", "grade"]].rename(
        columns={"grade": "from_grade", "department": "from_department"}
    )
    # An item follows its number: the same department's grade, or where the item moved
    # (a renamed or split department) the grade of one that no longer grades it.
    joined = later.merge(earlier, on=item)
    cols = [*item, "department"]
    then = set(earlier[[*item, "from_department"]].itertuples(index=False, name=None))
    now = set(df.loc[year == int(params["to_year"]), cols].itertuples(index=False, name=None))
    moved = pd.Series(
        [
            (*k, d) not in then and (*k, f) not in now
            for *k, d, f in joined[[*item, "department", "from_department"]].itertuples(
                index=False, name=None
            )
        ],
        index=joined.index,
        dtype=bool,
    )
    joined = joined[(joined["department"] == joined["from_department"]) | moved]
    direction = params.get("direction") or "changed"
    same = joined["grade"] == joined["from_grade"]
    if direction != "any":
        joined = joined[same if direction == "same" else ~same]
    if params.get("from_grades"):
        joined = joined[joined["from_grade"].isin(list(params["from_grades"]))]
    if params.get("to_grades"):
        joined = joined[joined["grade"].isin(list(params["to_grades"]))]
    if params.get("grades"):
        grades = list(params["grades"])
        joined = joined[joined["grade"].isin(grades) | joined["from_grade"].isin(grades)]
    if direction == "up":
        joined = joined[joined["grade"] < joined["from_grade"]]
    elif direction == "down":
        joined = joined[joined["grade"] > joined["from_grade"]]
    joined = joined.sort_values(["item_no", "department"])
    return joined.head(cap + 1).drop(columns=["search_text"]).to_dict("records")


def items_not_in_year(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = _matching(df, params, params["fiscal_year"])
    other = df[df["fiscal_year"].astype("int64") == int(params["other_year"])]
    plans = set(other[["municipality", "plan"]].itertuples(index=False, name=None))
    items = set(other[["municipality", "plan", "item_no"]].itertuples(index=False, name=None))
    keep = [
        (m, p) in plans and (m, p, n) not in items
        for m, p, n in sub[["municipality", "plan", "item_no"]].itertuples(index=False, name=None)
    ]
    sub = sub[pd.Series(keep, index=sub.index, dtype=bool)]
    sub = sub.sort_values(["municipality", "item_no", "department"])
    return sub.head(cap + 1).drop(columns=["search_text"]).to_dict("records")


def items_graded_over_years(
    df: pd.DataFrame, params: dict[str, Any], cap: int
) -> list[dict[str, Any]]:
    years = [int(y) for y in params["years"]]
    frames = [_matching(df, {**params, "grades": None}, y) for y in years]
    sub = pd.concat(frames) if frames else df.iloc[0:0]
    grades = params.get("grades")
    hit = sub["grade"].isin(list(grades)) if grades else pd.Series(True, index=sub.index)
    key = ["municipality", "plan", "item_no"]
    per_item = (
        sub.assign(hit_year=sub["fiscal_year"].where(hit))
        .groupby(key)
        .agg(
            hits=("hit_year", "nunique"),
            reported=("fiscal_year", "nunique"),
            kinds=("grade", "nunique"),
        )
    )
    over = params["over"]
    if over == "every":
        kept = per_item[per_item["hits"] == len(years)]
    elif over == "same":
        kept = per_item[
            (per_item["hits"] == len(years))
            & (per_item["reported"] == len(years))
            & (per_item["kinds"] == 1)
        ]
    else:
        kept = per_item[per_item["hits"] > 0]
    sub = sub.merge(kept.reset_index()[key], on=key)
    sub = sub.sort_values(["municipality", "item_no", "fiscal_year", "department"])
    return sub.head(cap + 1).drop(columns=["search_text"]).to_dict("records")


def department_moves(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = df
    if params.get("municipalities") is not None:
        sub = sub[sub["municipality"].isin(list(params["municipalities"]))]
    graded = sub[["municipality", "plan", "fiscal_year", "item_no", "department"]].drop_duplicates()
    graded = graded.assign(fiscal_year=graded["fiscal_year"].astype("int64"))
    out: list[dict[str, Any]] = []
    for (municipality, plan), rows in graded.groupby(["municipality", "plan"], sort=True):
        years = sorted(rows["fiscal_year"].unique())
        for before, after in itertools.pairwise(years):
            a = rows[rows["fiscal_year"] == before]
            b = rows[rows["fiscal_year"] == after]
            gone = set(a["department"]) - set(b["department"])
            new = set(b["department"]) - set(a["department"])
            pairs = a[a["department"].isin(gone)].merge(
                b[b["department"].isin(new)], on="item_no", suffixes=("_from", "_to")
            )
            counts = pairs.groupby(["department_from", "department_to"])["item_no"].nunique()
            ways = counts.groupby(level=0).size()
            sources = counts.groupby(level=1).size()
            for (old, to), items in counts.items():
                kind = "split" if ways[old] > 1 else ("merge" if sources[to] > 1 else "rename")
                out.append(
                    {
                        "municipality": municipality,
                        "plan": plan,
                        "fiscal_year": int(after),
                        "from_department": old,
                        "to_department": to,
                        "items": int(items),
                        "kind": kind,
                    }
                )
    return out[: cap + 1]


def _scope(df: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    mask = df["fiscal_year"].astype("int64") >= int(params["from_year"])
    if params.get("municipality") is not None:
        mask &= df["municipality"] == params["municipality"]
    if params.get("departments"):
        mask &= df["department"].isin(list(params["departments"]))
    if params.get("goal") is not None:
        mask &= df["goal_no"] == params["goal"]
    return df[mask]


def evaluation_grades(df: pd.DataFrame, params: dict[str, Any], cap: int) -> dict[str, str]:
    sub = _scope(df, params)
    keys = (
        sub["fiscal_year"].astype("int64").astype(str)
        + "|"
        + sub["item_no"].astype(str)
        + "|"
        + sub["department"]
        + "|"
        + sub["municipality"]
        + "|"
        + sub["plan"]
    )
    return dict(zip(keys, sub["grade"], strict=True))


def item_names(df: pd.DataFrame, params: dict[str, Any], cap: int) -> dict[str, str]:
    sub = _scope(df, params).sort_values("fiscal_year")
    latest = sub.drop_duplicates(["municipality", "plan", "item_no"], keep="last")
    keys = latest["municipality"] + "|" + latest["plan"] + "|" + latest["item_no"].astype(str)
    return dict(zip(keys, latest["item_name"], strict=True))


def item_grade_history(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    mask = df["item_no"].isin(list(params.get("item_nos") or ()))
    if params.get("municipality") is not None:
        mask &= df["municipality"] == params["municipality"]
    years = df["fiscal_year"].astype("int64")
    if params.get("from_year") is not None:
        mask &= years >= int(params["from_year"])
    if params.get("to_year") is not None:
        mask &= years <= int(params["to_year"])
    sub = df[mask].copy()
    sub["year"] = sub["fiscal_year"].astype("int64")  # a categorical, from the partitions
    sub["plan_start"] = sub.groupby(["municipality", "plan"])["year"].transform("min")
    sub = sub.sort_values(
        ["municipality", "plan_start", "plan", "item_no", "department", "fiscal_year"]
    ).drop(columns=["plan_start", "year"])
    return sub.head(cap + 1).drop(columns=["search_text"]).to_dict("records")


def fiscal_years(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = df
    if params.get("municipality") is not None:
        sub = df[df["municipality"] == params["municipality"]]
    years = sub["fiscal_year"].astype("int64")
    return [{"fiscal_year": int(y)} for y in sorted(years.unique(), reverse=True)]


def year_docs(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    # A year's rows in file order, as read: each one's item number and grade code.
    sub = df[df["fiscal_year"].astype("int64") == int(params["fiscal_year"])]
    codes = {"A": 0, "B": 1, "C": 2, "D": 3}
    return [
        {"item_no": int(n), "grade": codes.get(g, 4)}
        for n, g in zip(sub["item_no"], sub["grade"], strict=True)
    ]


def departments(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    both = pd.concat(
        [
            df[["department", "municipality", "plan", "item_no", "fiscal_year"]],
            df[["sheet_department", "municipality", "plan", "item_no", "fiscal_year"]].rename(
                columns={"sheet_department": "department"}
            ),
        ]
    )
    grouped = both.groupby("department", sort=True)
    return [
        {
            "department": name,
            "items": len(group[["municipality", "plan", "item_no"]].drop_duplicates()),
            "latest_year": int(group["fiscal_year"].astype("int64").max()),
        }
        for name, group in grouped
    ]


def municipalities(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    return [
        {
            "municipality": name,
            "items": len(group[["plan", "item_no"]].drop_duplicates()),
            "latest_year": int(group["fiscal_year"].astype("int64").max()),
        }
        for name, group in df.groupby("municipality", sort=True)
    ]


def _plan_scope(df: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    sub = df
    for column in ("municipality", "plan"):
        if params.get(column) is not None:
            sub = sub[sub[column] == params[column]]
    return sub


def round_sources(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = _plan_scope(df, params)
    sub = sub[sub["fiscal_year"].astype("int64") <= params["fiscal_year"]]
    latest = sub.groupby(["municipality", "plan"], sort=True)["fiscal_year"].max()
    return [{"municipality": m, "plan": p, "fiscal_year": int(y)} for (m, p), y in latest.items()]


def round_template(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    sub = _plan_scope(df, params)
    sub = sub[sub["fiscal_year"].astype("int64") == params["fiscal_year"]]
    sub = sub.sort_values(["item_no", "source_file", "source_line"])
    return sub.head(cap).to_dict("records")


def plans(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    pairs = df[["municipality", "plan"]].drop_duplicates().sort_values(["municipality", "plan"])
    return pairs.to_dict("records")


def hierarchy_titles(df: pd.DataFrame, params: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    columns = ["goal_no", "goal_title", "policy_no", "policy_title", "measure_no", "measure_title"]
    titles = df[columns].drop_duplicates().sort_values(["goal_no", "policy_no", "measure_no"])
    return titles.to_dict("records")


# A twin returns the query's rows, or the dict a two-column mapping query becomes.
QUERIES: dict[str, Callable[[pd.DataFrame, dict[str, Any], int], Sized]] = {
    "evaluations_matching": evaluations_matching,
    # The same rows: without keywords there are no name hits to rank first.
    "evaluations_filtered": evaluations_matching,
    "count_matching": count_matching,
    "topic_hits": topic_hits,
    "grade_counts_by_department": grade_counts_by_department,
    "grade_counts_by_part": grade_counts_by_part,
    "grade_changes_between_years": grade_changes_between_years,
    "fiscal_years": fiscal_years,
    "year_docs": year_docs,
    "evaluation_grades": evaluation_grades,
    "item_names": item_names,
    "item_grade_history": item_grade_history,
    "departments": departments,
    "department_moves": department_moves,
    "items_not_in_year": items_not_in_year,
    "items_graded_over_years": items_graded_over_years,
    "municipalities": municipalities,
    "plans": plans,
    "hierarchy_titles": hierarchy_titles,
    "round_sources": round_sources,
    "round_template": round_template,
}


def answer(snapshot: Path, queries: Sequence[dict[str, Any]], cap: int) -> int:
    """Read everything, then run each query the pipeline ran; returns rows produced."""
    df = read_all(snapshot)
    rows = 0
    for query in queries:
        run = QUERIES.get(query["name"])
        if run is None:
            # New named queries appear as the core grows; say which one, do not guess.
            raise NotImplementedError(f"the naive peer has no pandas twin of {query['name']}")
        rows += len(run(df, dict(query["params"]), int(query.get("cap") or cap)))
    return rows
