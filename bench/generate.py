"""Synthetic warehouses in the seed report's shape, for benchmarks at national scale.

A national service holds every municipality's plan (1,741 municipalities × 10 fiscal years
≈ 1.7 M evaluations); the repository holds one real report (40 items, 41 evaluations).
This module scales the one into the many while keeping what makes queries cost what
they cost: the plan hierarchy (goals → basic policies → measures → items), departments
shared between cities, category / target-group / grade distributions, and Japanese texts
of the seed's lengths, recombined clause by clause from the seed's own sentences so that
keyword search scans realistic text and hits at a realistic rate.

Two ways to write the result, from the same in-memory model so they agree row for row:

* ``write_via_ingest`` renders every (municipality, fiscal year) as a report TEXT file in
  the seed's tab-separated layout (page headers, legend, 令和 column labels, hierarchy
  headings, continuation rows, ``<p>`` cells) and feeds the files through the real
  ``parse_report_files`` + ``write_reports`` (what ``planbot ingest`` runs) — slow, but
  it exercises the product's path. ``ingest_rows_per_s`` is measured not here but by
  ``ingest()`` in bench/workers.py, on files rendered by the same ``write_report_files``;
* ``write_direct`` builds each fiscal year's partition as one vectorised pyarrow table in
  ``EVALUATION_SCHEMA`` and writes the same snapshot / CURRENT / manifest layout, so
  ``Store`` opens it unchanged — fast enough for the full national size, one fiscal year
  in memory at a time.

Everything is drawn from seeded RNGs: the same arguments give the same warehouse. A
municipality's plan depends only on the seed and its index, so a small run is the first
municipalities of a large one.

    python -m bench.generate --municipalities 1741 --years 10 --out bench/.cache/full
    python -m bench.generate --municipalities 5 --years 2 --out small-wh --via-ingest
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import html
import json
import random
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bot.ingest.files import parse_report_files
from bot.ingest.problems import ReportRejected
from bot.ingest.report_text import parse_report_text
from bot.ingest.term_index import TERMS, write_term_index
from bot.ingest.warehouse import (
    EVALUATION_SCHEMA,
    EVALUATIONS,
    GOAL_SCHEMA,
    ROW_GROUP_SIZE,
    IngestResult,
    _write_json,
    _write_reports_table,
    switch_current,
    warehouse_dir,
    write_reports,
)
from bot.text import int_to_roman, search_key, wareki

ROOT = Path(__file__).resolve().parents[1]
SEED_REPORT = ROOT / "data" / "reports" / "musashino_gender_equality_plan4_fy2019.txt"
DEFAULT_SEED = 20190401
#: Bumped whenever the generator's output changes, so cached warehouses are rebuilt.
GENERATOR_VERSION = 5  # 2: 16k-row row groups, line order within items; 4: term index;
# 5: positional term index (numpy arrays), 取組 and middle-dot spellings folded
#: 令和元年度: the seed's year, so every header is a 令和 year as in the seed.
FIRST_FISCAL_YEAR = 2019
NATIONAL_MUNICIPALITIES = 1741
GRADES = ("A", "B", "C", "D")

# Items per plan: "about 100 a year" for a city office, never fewer than the seed's 40.
# A triangular draw peaking at the top keeps the national total near 1.7 M evaluations
# (1,741 × 10 × ~99) while small towns still have small plans.
ITEMS_LOW, ITEMS_HIGH, ITEMS_MODE = 40, 125, 125
# Year-to-year drift: most grades stay; the rest are redrawn from the seed's grade
# distribution, so the mix is stationary over ten years while items move up and down.
REDRAW_RATE = 0.15
# Rows per printed page before the export repeats its header (the seed has 3–12).
PAGE_ROWS = 8
# Item names repeat between cities (every plan has a DV consultation item); long texts
# do not. Each long text is a head and a tail, each half the length of a seed text,
# drawn from pools of recombined seed clauses: 2,000 × 2,000 pairs make practically every
# row's text unique, so parquet stores and compresses them as it would real reports
# (a single pool of whole texts would be dictionary-encoded to a few hundred KB).
NAME_POOL = 600
HALF_POOL = 2000

# Departments a municipality's gender-equality plan assigns items to. The seed's five
# and the bundled aliases' names come first; the rest are common municipal divisions.
# Names are shared between cities (many have a 子ども家庭支援センター), which keeps the
# national vocabulary at the size a real one has.
EXTRA_DEPARTMENTS = (
    "市民活動推進課",
    "男女平等推進室",
    "人事課",
    "健康課",
    "障害者福祉課",
    "生活福祉課",
    "安全対策課",
    "指導課",
    "教育企画課",
    "生涯学習スポーツ課",
    "産業振興課",
    "防災課",
    "企画調整課",
    "秘書広報課",
    "総務課",
    "職員課",
    "人権推進課",
    "協働推進課",
    "福祉総務課",
    "保育課",
    "子育て支援課",
    "健康づくり推進課",
    "国保年金課",
    "商工観光課",
    "学校教育課",
    "社会教育課",
    "図書館",
    "環境政策課",
    "都市計画課",
    "住宅課",
    "介護保険課",
    "高齢者福祉課",
    "市民課",
    "情報政策課",
    "消費生活センター",
    "男女共同参画センター",
    "教育支援センター",
    "地域包括支援センター",
    "危機管理課",
    "文化振興課",
)
PLAN_THEMES = ("男女平等推進", "男女共同参画", "男女共同参画推進", "男女平等参画")
PLAN_ORDINALS = ("二", "三", "四", "五", "六")
# Kanji for municipality names; none of 都道府県市区町村 so the parser's
# "<municipality><第…計画>" split ends exactly at the suffix.
_NAME_KANJI = (
    "山川田中野原島松本井上北南東西大小高森岡石木長谷沢浜崎宮坂藤吉三和平清久保豊富泉"
    "青白黒新古安福栄桜若葉緑丘台江津見名瀬尾美春日月星空朝夕玉金銀水橋池湖谷根浦神"
)
_MUNICIPALITY_SUFFIXES = ("市", "町", "村")
# Japan has 792 cities, 743 towns and 183 villages (+23 wards): the mix of suffixes.
_SUFFIX_WEIGHTS = (0.47, 0.43, 0.10)
_LEGEND = (
    "【評価基準について】",
    " <主管課の自己評価>",
    " A: 順調または目標達成。",
    " B: 概ね順調。更に工夫しながら実施。",
    " C: 検討が必要。",
    " D: 極めて不十分。実施せず。",
)
_CLAUSE_END = re.compile(r"(?<=[。、\n])")
_RELISTING = re.compile(r"\(事業\d+再掲\)$")
_K = TypeVar("_K")


# --- what the seed says ---------------------------------------------------------------
# eq=False: hashed by identity, so the cached corpus can key the cached pools.
@dataclass(frozen=True, eq=False)
class Corpus:
    """Everything sampled from the seed report: texts, hierarchy titles, distributions."""

    municipality: str
    plan: str
    title_tail: str
    names: tuple[str, ...]
    summaries: tuple[str, ...]
    plan_texts: tuple[str, ...]
    result_texts: tuple[str, ...]
    goal_titles: tuple[str, ...]
    policy_titles: tuple[str, ...]
    measure_titles: tuple[str, ...]
    departments: tuple[str, ...]
    categories: dict[str, float]
    targets: dict[tuple[str, ...], float]
    grades: dict[str, float]
    multi_department_rate: float
    relisting_rate: float
    priority_rate: float


@functools.lru_cache(maxsize=4)
def load_corpus(path: Path = SEED_REPORT) -> Corpus:
    """Parse the seed with the real parser and keep what the generator samples from."""
    report = parse_report_text(path)
    per_item = Counter(ev.item_number for ev in report.evaluations)
    # The goal headings count categories plan-wide (78 items), a better sample than
    # the 40 items this extract happens to hold.
    categories: Counter[str] = Counter()
    for goal in report.goals:
        categories.update(goal.category_counts)
    if not categories:
        categories.update(i.category for i in report.items)
    # Laplace smoothing: the seed has no C grade, a national warehouse certainly does.
    grades = Counter({g: 1 for g in GRADES})
    grades.update(ev.grade.value for ev in report.evaluations)
    measures = {(i.goal.number, i.policy.number, i.measure.number): i.measure for i in report.items}
    return Corpus(
        municipality=report.municipality,
        plan=report.plan,
        title_tail=report.title.split(" ", 1)[1] if " " in report.title else report.title,
        names=tuple(_RELISTING.sub("", i.name) for i in report.items),
        summaries=tuple(dict.fromkeys(i.summary for i in report.items if i.summary)),
        plan_texts=tuple(
            t for ev in report.evaluations for t in (ev.plan_text, ev.next_plan_text) if t
        ),
        result_texts=tuple(ev.result_text for ev in report.evaluations if ev.result_text),
        goal_titles=tuple(g.title for g in report.goals),
        policy_titles=tuple(dict.fromkeys(i.policy.title for i in report.items)),
        measure_titles=tuple(dict.fromkeys(m.title for m in measures.values())),
        departments=tuple(sorted({ev.department for ev in report.evaluations})),
        categories=_normalised(categories),
        targets=_normalised(Counter(i.target_groups for i in report.items)),
        grades=_normalised(grades),
        multi_department_rate=sum(1 for n in per_item.values() if n > 1) / len(per_item),
        relisting_rate=sum(1 for i in report.items if i.relisted_from) / len(report.items),
        priority_rate=sum(1 for m in measures.values() if m.priority) / len(measures),
    )


def _normalised(counts: Counter[_K]) -> dict[_K, float]:
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items() if v}


# --- text pools -----------------------------------------------------------------------
@dataclass(frozen=True)
class TextPool:
    """Recombined texts and their precomputed search keys, as arrow arrays for take()."""

    texts: tuple[str, ...]
    array: pa.Array
    keys: pa.Array

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextPool:
        return cls(
            texts=tuple(texts),
            array=pa.array(texts, pa.string()),
            keys=pa.array([search_key(t) for t in texts], pa.string()),
        )

    def __len__(self) -> int:
        return len(self.texts)


#: A long text as (head index, tail index); arrays of both for a column of texts.
Pair = tuple[int, int]
PairArrays = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class SplitPool:
    """Texts made of a head and a tail; the search key of the whole is the keys joined.

    Heads end at a clause mark (。 or 、), which search_key drops and NFKC never joins
    across, so ``search_key(head + tail) == search_key(head) + search_key(tail)`` and keys
    are computed per pool entry, not per row.
    """

    heads: TextPool
    tails: TextPool

    def text(self, pair: Pair) -> str:
        return self.heads.texts[pair[0]] + self.tails.texts[pair[1]]

    def draw(self, rng: np.random.Generator, n: int) -> PairArrays:
        return rng.integers(0, len(self.heads), n), rng.integers(0, len(self.tails), n)

    def columns(self, pairs: tuple[pa.Array, pa.Array]) -> tuple[pa.Array, pa.Array]:
        """(texts, search keys) for arrays of head and tail indices."""
        heads, tails = pairs
        texts = pc.binary_join_element_wise(
            self.heads.array.take(heads), self.tails.array.take(tails), ""
        )
        keys = pc.binary_join_element_wise(
            self.heads.keys.take(heads), self.tails.keys.take(tails), ""
        )
        return texts, keys


@dataclass(frozen=True)
class Pools:
    names: tuple[str, ...]
    summaries: SplitPool
    plans: SplitPool
    results: SplitPool


@functools.lru_cache(maxsize=4)
def build_pools(corpus: Corpus, seed: int) -> Pools:
    """Text pools for a seed (cached: a second nation with the same seed reuses them)."""
    rng = random.Random(f"{seed}:pools")

    def split(texts: Sequence[str]) -> SplitPool:
        return SplitPool(
            heads=TextPool.of(_recombine(rng, texts, HALF_POOL, head=True)),
            tails=TextPool.of(_recombine(rng, texts, HALF_POOL, head=False)),
        )

    return Pools(
        names=_recombine_names(rng, corpus.names, NAME_POOL),
        summaries=split(corpus.summaries),
        plans=split(corpus.plan_texts),
        results=split(corpus.result_texts),
    )


def _clean(text: str) -> str:
    # Cells survive the export round trip only if every paragraph is trimmed and
    # non-empty: the parser's html_to_text trims and drops blank lines.
    lines = [line.strip() for line in text.replace("\t", " ").split("\n")]
    return "\n".join(line for line in lines if line)


def _recombine(
    rng: random.Random, texts: Sequence[str], size: int, *, head: bool
) -> tuple[str, ...]:
    """Half-texts of the seed's clauses: a head plus a tail is as long as a seed text.

    Each half is cut to half a seed text's length (whole clauses overshoot: the seed's
    clauses are about as long as half its texts), so lengths keep the seed's mean.
    """
    clauses = [c for t in texts for c in _CLAUSE_END.split(t) if c.strip()]
    lengths = [len(t) for t in texts]
    out: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < size and attempts < size * 50:
        attempts += 1
        target = max(2, round(rng.choice(lengths) / 2))
        parts: list[str] = []
        length = 0
        while length < target:
            clause = rng.choice(clauses)
            parts.append(clause)
            length += len(clause)
        body = _clean("".join(parts)[: target - 1]).rstrip("、。")
        # Heads end at a clause mark so that search keys concatenate (see SplitPool).
        text = body + ("、" if head else "。") if body else ""
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return tuple(out)


def _recombine_names(rng: random.Random, names: Sequence[str], size: int) -> tuple[str, ...]:
    """Item names: the seed's, then heads and tails of different names joined at の."""
    out = list(dict.fromkeys(names))
    seen = set(out)
    split = [n.rsplit("の", 1) for n in names if "の" in n]
    heads = [h for h, _ in split]
    tails = [t for _, t in split]
    attempts = 0
    while len(out) < size and attempts < size * 20:
        attempts += 1
        name = f"{rng.choice(heads)}の{rng.choice(tails)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return tuple(out)


# --- the national model ---------------------------------------------------------------
@dataclass(frozen=True)
class PlanItem:
    number: int
    name: str
    summary: Pair  # into Pools.summaries
    category: str
    targets: tuple[str, ...]
    relisted_from: int | None
    goal: int
    policy: int
    measure: int
    #: Responsible departments; the first owns the sheet the item is printed on.
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Municipality:
    index: int
    name: str
    plan: str
    title: str
    goals: dict[int, str]
    policies: dict[tuple[int, int], str]
    measures: dict[tuple[int, int, int], tuple[str, bool]]
    items: tuple[PlanItem, ...]
    sheets: tuple[str, ...]
    #: The seed mixes "新規:0" and "新規：1" in goal headings; so do we, per city.
    fullwidth_colons: bool

    def file_name(self, fiscal_year: int) -> str:
        return f"m{self.index:04d}_fy{fiscal_year}.txt"

    def goal_counts(self, goal: int) -> dict[str, int]:
        counts = Counter(i.category for i in self.items if i.goal == goal)
        return {c: counts.get(c, 0) for c in ("新規", "継続", "充実", "見直し")}


@dataclass
class Nation:
    """Every municipality's plan plus flat per-evaluation arrays for vectorised writes.

    Evaluations are numbered nationally in (municipality, sheet, line) order; a
    municipality's evaluations are the slice ``eval_start[m]:eval_start[m + 1]``.
    """

    corpus: Corpus
    pools: Pools
    seed: int
    municipalities: list[Municipality]
    years: list[int]
    eval_item: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    eval_muni: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    eval_line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    eval_department: list[str] = field(default_factory=list)
    eval_sheet: list[str] = field(default_factory=list)
    eval_start: list[int] = field(default_factory=list)
    item_start: list[int] = field(default_factory=list)

    @property
    def evaluations_per_year(self) -> int:
        return len(self.eval_item)

    @property
    def items(self) -> int:
        return self.item_start[-1]


def municipality_names(count: int, seed: int, first: str) -> list[str]:
    """Unique, plausible names; the first is the seed's own city."""
    rng = random.Random(f"{seed}:names")
    names = [first]
    seen = set(names)
    while len(names) < count:
        stem = "".join(rng.choice(_NAME_KANJI) for _ in range(rng.choice((2, 2, 2, 3))))
        name = stem + rng.choices(_MUNICIPALITY_SUFFIXES, _SUFFIX_WEIGHTS)[0]
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def build_municipality(
    index: int, name: str, corpus: Corpus, pools: Pools, seed: int
) -> Municipality:
    """One city's plan; depends only on (seed, index), never on how many cities exist."""
    rng = random.Random(f"{seed}:municipality:{index}")
    if index == 0:
        plan = corpus.plan
    else:
        plan = f"第{rng.choice(PLAN_ORDINALS)}次{rng.choice(PLAN_THEMES)}計画"
    n_items = round(rng.triangular(ITEMS_LOW, ITEMS_HIGH, ITEMS_MODE))

    goals: dict[int, str] = {}
    policies: dict[tuple[int, int], str] = {}
    measures: dict[tuple[int, int, int], tuple[str, bool]] = {}
    for g in range(1, rng.randint(3, 5) + 1):
        goals[g] = rng.choice(corpus.goal_titles)
        for p in range(1, rng.randint(2, 4) + 1):
            policies[(g, p)] = rng.choice(corpus.policy_titles)
            for m in range(1, rng.randint(1, 4) + 1):
                measures[(g, p, m)] = (
                    rng.choice(corpus.measure_titles),
                    rng.random() < corpus.priority_rate,
                )
    keys = list(measures)
    if len(keys) > n_items:
        keys = keys[:n_items]
    # Every measure holds at least one item; the rest land where they fall.
    per_measure = Counter(keys)
    per_measure.update(rng.choices(keys, k=n_items - len(keys)))

    if index == 0:
        departments = list(corpus.departments)
        departments += rng.sample(EXTRA_DEPARTMENTS, rng.randint(0, 4))
    else:
        departments = [d for d in corpus.departments if rng.random() < 0.6]
        extra = [d for d in EXTRA_DEPARTMENTS if d not in departments]
        departments += rng.sample(extra, max(0, rng.randint(4, 12) - len(departments)))
    rng.shuffle(departments)

    items: list[PlanItem] = []
    for key in keys:
        for _ in range(per_measure[key]):
            number = len(items) + 1
            relisted = rng.choice(items) if items and rng.random() < corpus.relisting_rate else None
            owners = [rng.choice(departments)]
            if len(departments) > 1 and rng.random() < corpus.multi_department_rate:
                owners.append(rng.choice([d for d in departments if d != owners[0]]))
            items.append(
                PlanItem(
                    number=number,
                    name=(
                        f"{relisted.name}(事業{relisted.number}再掲)"
                        if relisted
                        else rng.choice(pools.names)
                    ),
                    summary=relisted.summary
                    if relisted
                    else (
                        rng.randrange(len(pools.summaries.heads)),
                        rng.randrange(len(pools.summaries.tails)),
                    ),
                    category=rng.choices(list(corpus.categories), list(corpus.categories.values()))[
                        0
                    ],
                    targets=rng.choices(list(corpus.targets), list(corpus.targets.values()))[0],
                    relisted_from=relisted.number if relisted else None,
                    goal=key[0],
                    policy=key[1],
                    measure=key[2],
                    departments=tuple(owners),
                )
            )
    sheets = tuple(d for d in departments if any(i.departments[0] == d for i in items))
    return Municipality(
        index=index,
        name=name,
        plan=plan,
        title=f"{name}{plan} {corpus.title_tail}",
        goals=goals,
        policies=policies,
        measures=measures,
        items=tuple(items),
        sheets=sheets,
        fullwidth_colons=rng.random() < 0.5,
    )


def build_nation(
    municipalities: int, years: int, *, seed: int = DEFAULT_SEED, corpus: Corpus | None = None
) -> Nation:
    corpus = corpus or load_corpus()
    pools = build_pools(corpus, seed)
    names = municipality_names(municipalities, seed, corpus.municipality)
    nation = Nation(
        corpus=corpus,
        pools=pools,
        seed=seed,
        municipalities=[build_municipality(i, n, corpus, pools, seed) for i, n in enumerate(names)],
        years=[FIRST_FISCAL_YEAR + k for k in range(years)],
    )
    eval_item: list[int] = []
    eval_muni: list[int] = []
    eval_line: list[int] = []
    item_base = 0
    for muni in nation.municipalities:
        nation.item_start.append(item_base)
        nation.eval_start.append(len(eval_item))
        for entry_line, (item_index, department, sheet) in _evaluation_lines(muni):
            eval_item.append(item_base + item_index)
            eval_muni.append(muni.index)
            eval_line.append(entry_line)
            nation.eval_department.append(department)
            nation.eval_sheet.append(sheet)
        item_base += len(muni.items)
    nation.item_start.append(item_base)
    nation.eval_start.append(len(eval_item))
    nation.eval_item = np.asarray(eval_item, np.int64)
    nation.eval_muni = np.asarray(eval_muni, np.int64)
    nation.eval_line = np.asarray(eval_line, np.int32)
    return nation


@dataclass(frozen=True)
class YearValues:
    """What changes from one fiscal year to the next, per national evaluation index."""

    fiscal_year: int
    grades: np.ndarray  # int8 codes into GRADES
    plans: PairArrays  # into Pools.plans: this year's plan
    results: PairArrays  # into Pools.results
    next_plans: PairArrays  # into Pools.plans: next year's plan

    def plan(self, k: int) -> Pair:
        return int(self.plans[0][k]), int(self.plans[1][k])

    def result(self, k: int) -> Pair:
        return int(self.results[0][k]), int(self.results[1][k])

    def next_plan(self, k: int) -> Pair:
        return int(self.next_plans[0][k]), int(self.next_plans[1][k])


def year_values(nation: Nation) -> Iterator[YearValues]:
    """Each fiscal year in order; grades drift from the year before."""
    n = nation.evaluations_per_year
    p = np.array([nation.corpus.grades.get(g, 0.0) for g in GRADES])
    previous: YearValues | None = None
    for k, fiscal_year in enumerate(nation.years):
        rng = np.random.default_rng([nation.seed, k])
        fresh = rng.choice(len(GRADES), size=n, p=p).astype(np.int8)
        if previous is None:
            grades = fresh
            plans = nation.pools.plans.draw(rng, n)
        else:
            grades = np.where(rng.random(n) < REDRAW_RATE, fresh, previous.grades)
            # Last year's "next year's plan" is this year's plan, as in the real reports.
            plans = previous.next_plans
        values = YearValues(
            fiscal_year=fiscal_year,
            grades=grades,
            plans=plans,
            results=nation.pools.results.draw(rng, n),
            next_plans=nation.pools.plans.draw(rng, n),
        )
        yield values
        previous = values


# --- the report layout (shared by the text renderer and the direct writer) -------------
def _layout(muni: Municipality) -> list[tuple[str, object]]:
    """The report's lines as (kind, payload): text, labels (per year) or an evaluation.

    Both writers use this, so the direct path's ``source_line`` is the line the via-ingest
    path's parser reports.
    """
    lines: list[tuple[str, object]] = []

    def page_header(first: bool) -> None:
        lines.extend([("text", ""), ("text", "")] if first else [("text", "")])
        lines.append(("text", f"{muni.title}【対象課 {sheet}】"))
        lines.append(("text", ""))
        if first:
            lines.extend(("text", legend) for legend in _LEGEND)
            lines.append(("text", ""))
            lines.extend(("text", label + "\t" * 9) for label in ("基本目標", "基本施策", "施策"))
        else:
            # Later pages space the legend out and put the hierarchy labels on one row.
            for legend in _LEGEND:
                lines.extend((("text", legend.strip().replace(": ", ":")), ("text", "")))
            lines.append(("text", "基本目標\t\t基本施策\t\t施策" + "\t" * 5))
        lines.append(("labels", None))

    colon = "：" if muni.fullwidth_colons else ":"
    evaluation = 0
    for sheet in muni.sheets:
        page_header(first=True)
        rows_on_page = 0
        shown: tuple[int, int, int] | None = None
        for item_index, item in enumerate(muni.items):
            if item.departments[0] != sheet:
                continue
            if rows_on_page >= PAGE_ROWS:
                page_header(first=False)
                rows_on_page = 0
            g, p, m = item.goal, item.policy, item.measure
            if shown is None or shown[0] != g:
                counts = "/".join(f"{c}{colon}{n}" for c, n in muni.goal_counts(g).items())
                lines.append(
                    ("text", f"基本目標{chr(0x215F + g)} {muni.goals[g]}（{counts}）" + "\t" * 9)
                )
            if shown is None or shown[:2] != (g, p):
                lines.append(("text", f"基本施策{p} {muni.policies[(g, p)]}" + "\t" * 9))
            if shown != (g, p, m):
                title, priority = muni.measures[(g, p, m)]
                star = "(★)" if priority else ""
                lines.append(("text", f"({m}){title}{star}" + "\t" * 9))
            shown = (g, p, m)
            for department in item.departments:
                lines.append(("eval", (evaluation, item_index, department, sheet)))
                evaluation += 1
                rows_on_page += 1
    return lines


def _evaluation_lines(muni: Municipality) -> Iterator[tuple[int, tuple[int, str, str]]]:
    for lineno, (kind, payload) in enumerate(_layout(muni), start=1):
        if kind == "eval":
            _, item_index, department, sheet = payload  # type: ignore[misc]
            yield lineno, (item_index, department, sheet)


def _cell(text: str) -> str:
    # Multi-paragraph cells arrive as <p> HTML in the export; html_to_text undoes it.
    if "\n" in text or "<" in text or "&" in text:
        paragraphs = (html.escape(p, quote=False) for p in text.split("\n"))
        return "".join(f"<p>{p}</p>" for p in paragraphs)
    return text


def render_report(nation: Nation, muni: Municipality, values: YearValues) -> str:
    """One municipality's report for one fiscal year, in the seed's text layout."""
    pools = nation.pools
    start = nation.eval_start[muni.index]
    fy = values.fiscal_year
    labels = (
        f"事業名\t事業概要\t区分\t事業の対象者\t主管課\t{wareki(fy)}事業予定\t"
        f"{wareki(fy)}事業実績\t評価\t{wareki(fy + 1)}事業予定\t"
    )
    out: list[str] = []
    for kind, payload in _layout(muni):
        if kind == "text":
            out.append(str(payload))
        elif kind == "labels":
            out.append(labels)
        else:
            evaluation, item_index, department, _sheet = payload  # type: ignore[misc]
            k = start + evaluation
            item = muni.items[item_index]
            texts = "\t".join(
                (
                    department,
                    _cell(pools.plans.text(values.plan(k))),
                    _cell(pools.results.text(values.result(k))),
                    GRADES[values.grades[k]],
                    _cell(pools.plans.text(values.next_plan(k))),
                )
            )
            if department == item.departments[0]:
                head = "\t".join(
                    (
                        str(item.number),
                        _cell(item.name),
                        _cell(pools.summaries.text(item.summary)),
                        item.category,
                        "/".join(item.targets),
                    )
                )
            else:
                # A continuation row: the same item for another responsible department.
                head = "\t" * 4
            out.append(f"{head}\t{texts}")
    return "\n".join(out) + "\n"


# --- writers --------------------------------------------------------------------------
@dataclass(frozen=True)
class Generated:
    data_dir: Path
    municipalities: int
    years: list[int]
    evaluations: int
    items: int
    seconds: float
    via_ingest: bool
    parse_seconds: float = 0.0
    write_seconds: float = 0.0
    report_files: int = 0


@dataclass(frozen=True)
class ReportFile:
    """A rendered report file: where it is, its size in bytes and its line count."""

    path: Path
    size: int
    lines: int


def write_report_files(nation: Nation, reports_dir: Path) -> list[ReportFile]:
    """Render every (municipality, fiscal year) as a report text file in ``reports_dir``."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    files: list[ReportFile] = []
    for values in year_values(nation):
        for muni in nation.municipalities:
            path = reports_dir / muni.file_name(values.fiscal_year)
            text = render_report(nation, muni, values)
            data = text.encode("utf-8")
            path.write_bytes(data)
            files.append(ReportFile(path=path, size=len(data), lines=text.count("\n")))
    return files


def ingest_files(files: Sequence[Path], data_dir: Path) -> tuple[IngestResult, float, float]:
    """What `planbot ingest` runs (parse every file, refuse on any problem, write), with
    the seconds spent parsing and writing."""
    parse_start = time.perf_counter()
    parsed, problems = parse_report_files(files)
    if problems:
        raise ReportRejected(problems)
    write_start = time.perf_counter()
    result = write_reports(data_dir, parsed)
    return result, write_start - parse_start, time.perf_counter() - write_start


def write_via_ingest(
    nation: Nation, data_dir: Path, *, reports_dir: Path | None = None
) -> Generated:
    """Render report files, then parse and ingest them with the product's own code."""
    start = time.perf_counter()
    files = [f.path for f in write_report_files(nation, reports_dir or data_dir / "reports")]
    result, parse_seconds, write_seconds = ingest_files(files, data_dir)
    end = time.perf_counter()
    return Generated(
        data_dir=data_dir,
        municipalities=len(nation.municipalities),
        years=nation.years,
        evaluations=result.evaluations,
        items=nation.items,
        seconds=end - start,
        via_ingest=True,
        parse_seconds=parse_seconds,
        write_seconds=write_seconds,
        report_files=len(files),
    )


def write_direct(nation: Nation, data_dir: Path, *, progress: bool = False) -> Generated:
    """Write the warehouse snapshot straight from the model, one fiscal year at a time."""
    start = time.perf_counter()
    root = warehouse_dir(data_dir)
    snapshot_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
    tmp = root / "snapshots" / f".tmp-{snapshot_id}"
    tmp.mkdir(parents=True)
    try:
        items = _item_table(nation)
        constant = _constant_eval_columns(nation)
        total = 0
        for values in year_values(nation):
            table = _evaluation_year_table(nation, items, constant, values)
            target = tmp / EVALUATIONS / f"fiscal_year={values.fiscal_year}"
            target.mkdir(parents=True)
            # Same call as bot.ingest.warehouse writes with: same row groups, same codec.
            pq.write_table(
                table, target / "part.parquet", compression="zstd", row_group_size=ROW_GROUP_SIZE
            )
            # The term index as an ingest writes it: by the same code, from the same file.
            with contextlib.closing(duckdb.connect(":memory:")) as con:
                write_term_index(
                    con,
                    target / "part.parquet",
                    tmp / TERMS / f"fiscal_year={values.fiscal_year}",
                    fresh=True,
                )
            total += table.num_rows
            del table
            if progress:
                elapsed = time.perf_counter() - start
                print(f"  FY{values.fiscal_year}: {total:,} rows, {elapsed:.1f} s", file=sys.stderr)
        sources = _sources(nation)
        _write_side_tables(nation, tmp, sources)
        manifest = {
            "format": 1,
            "snapshot": snapshot_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "fiscal_years": nation.years,
            "row_counts": {"evaluations": total, "reports": len(sources)},
            "sources": sources,
            "generator": {
                "module": "bench.generate",
                "version": GENERATOR_VERSION,
                "seed": nation.seed,
                "municipalities": len(nation.municipalities),
                "years": len(nation.years),
            },
        }
        _write_json(tmp / "manifest.json", manifest)
        tmp.rename(root / "snapshots" / snapshot_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    switch_current(root, snapshot_id)
    return Generated(
        data_dir=data_dir,
        municipalities=len(nation.municipalities),
        years=nation.years,
        evaluations=total,
        items=nation.items,
        seconds=time.perf_counter() - start,
        via_ingest=False,
    )


#: Warehouse columns that repeat an item's own fields on each of its evaluation rows.
_ITEM_COLUMNS = (
    "municipality",
    "plan",
    "item_no",
    "item_name",
    "category",
    "target_groups",
    "relisted_from",
    "goal_no",
    "goal_numeral",
    "goal_title",
    "policy_no",
    "policy_title",
    "measure_no",
    "measure_title",
    "priority",
    "name_key",
)


def _item_table(nation: Nation) -> pa.Table:
    """Per-item columns, built once; each year's partition takes rows from it."""
    cols: dict[str, list[object]] = {
        name: [] for name in (*_ITEM_COLUMNS, "summary_head", "summary_tail")
    }
    for muni in nation.municipalities:
        for item in muni.items:
            title, priority = muni.measures[(item.goal, item.policy, item.measure)]
            row: dict[str, object] = {
                "municipality": muni.name,
                "plan": muni.plan,
                "item_no": item.number,
                "item_name": item.name,
                "category": item.category,
                "target_groups": list(item.targets),
                "relisted_from": item.relisted_from,
                "goal_no": item.goal,
                "goal_numeral": int_to_roman(item.goal),
                "goal_title": muni.goals[item.goal],
                "policy_no": item.policy,
                "policy_title": muni.policies[(item.goal, item.policy)],
                "measure_no": item.measure,
                "measure_title": title,
                "priority": priority,
                "name_key": search_key(item.name),
                "summary_head": item.summary[0],
                "summary_tail": item.summary[1],
            }
            for name, value in row.items():
                cols[name].append(value)
    types = {name: EVALUATION_SCHEMA.field(name).type for name in EVALUATION_SCHEMA.names}
    arrays = {name: pa.array(values, types.get(name, pa.int32())) for name, values in cols.items()}
    summaries, summary_keys = nation.pools.summaries.columns(
        (arrays.pop("summary_head"), arrays.pop("summary_tail"))
    )
    arrays["item_summary"] = summaries
    arrays["summary_key"] = summary_keys
    return pa.table(arrays)


def _constant_eval_columns(nation: Nation) -> dict[str, pa.Array]:
    """Per-evaluation columns that do not change between years."""
    departments = sorted(set(nation.eval_department))
    keys = {d: search_key(d) for d in departments}
    return {
        "department": pa.array(nation.eval_department, pa.string()),
        "department_key": pa.array([keys[d] for d in nation.eval_department], pa.string()),
        "sheet_department": pa.array(nation.eval_sheet, pa.string()),
        "source_line": pa.array(nation.eval_line, pa.int32()),
        "item_index": pa.array(nation.eval_item, pa.int64()),
        "muni_index": pa.array(nation.eval_muni, pa.int64()),
    }


def _checksum(muni: Municipality, fiscal_year: int, seed: int) -> str:
    # Not the bytes' sha256 (no bytes are rendered on this path) but unique per report,
    # which is all the warehouse and the queries rely on.
    return hashlib.sha256(f"{seed}:{muni.name}:{muni.plan}:{fiscal_year}".encode()).hexdigest()


def _evaluation_year_table(
    nation: Nation, items: pa.Table, constant: dict[str, pa.Array], values: YearValues
) -> pa.Table:
    pools = nation.pools
    picked = items.take(constant["item_index"])
    plans, plan_keys = pools.plans.columns(_arrow_pair(values.plans))
    results, result_keys = pools.results.columns(_arrow_pair(values.results))
    next_plans, next_plan_keys = pools.plans.columns(_arrow_pair(values.next_plans))
    per_muni_file = pa.array([m.file_name(values.fiscal_year) for m in nation.municipalities])
    per_muni_sum = pa.array(
        [_checksum(m, values.fiscal_year, nation.seed) for m in nation.municipalities]
    )
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        name: picked[name] for name in (*_ITEM_COLUMNS, "item_summary")
    }
    columns.update(
        department=constant["department"],
        department_key=constant["department_key"],
        sheet_department=constant["sheet_department"],
        grade=pa.array(GRADES, pa.string()).take(pa.array(values.grades)),
        plan_text=plans,
        result_text=results,
        next_plan_text=next_plans,
        # The ingest writer's "|".join(search_key(t) for t in texts), from pool keys.
        search_text=pc.binary_join_element_wise(
            picked["name_key"], picked["summary_key"], plan_keys, result_keys, next_plan_keys, "|"
        ),
        source_file=per_muni_file.take(constant["muni_index"]),
        source_sheet=constant["sheet_department"],
        source_line=constant["source_line"],
        report_checksum=per_muni_sum.take(constant["muni_index"]),
    )
    table = pa.table([columns[name] for name in EVALUATION_SCHEMA.names], schema=EVALUATION_SCHEMA)
    # The ingest writer's order: the stable sort keeps each item's rows in line order.
    return table.sort_by(
        [
            ("municipality", "ascending"),
            ("plan", "ascending"),
            ("item_no", "ascending"),
            ("source_file", "ascending"),
            ("source_line", "ascending"),
        ]
    )


def _arrow_pair(pair: PairArrays) -> tuple[pa.Array, pa.Array]:
    return pa.array(pair[0]), pa.array(pair[1])


def _sources(nation: Nation) -> list[dict[str, object]]:
    ingested_at = datetime.now(UTC).isoformat(timespec="seconds")
    sources: list[dict[str, object]] = []
    for fiscal_year in nation.years:
        for muni in nation.municipalities:
            evaluations = nation.eval_start[muni.index + 1] - nation.eval_start[muni.index]
            sources.append(
                {
                    "file": muni.file_name(fiscal_year),
                    "checksum": _checksum(muni, fiscal_year, nation.seed),
                    "municipality": muni.name,
                    "plan": muni.plan,
                    "title": muni.title,
                    "fiscal_year": fiscal_year,
                    "next_fiscal_year": fiscal_year + 1,
                    "sheets": list(muni.sheets),
                    "items": len(muni.items),
                    "evaluations": evaluations,
                    "ingested_at": ingested_at,
                }
            )
    return sources


def _write_side_tables(nation: Nation, snapshot: Path, sources: list[dict[str, object]]) -> None:
    goals: list[dict[str, object]] = []
    for fiscal_year in nation.years:
        for muni in nation.municipalities:
            for number, title in muni.goals.items():
                goals.append(
                    {
                        "municipality": muni.name,
                        "plan": muni.plan,
                        "fiscal_year": fiscal_year,
                        "goal_no": number,
                        "goal_numeral": int_to_roman(number),
                        "goal_title": title,
                        "category_counts": json.dumps(muni.goal_counts(number), ensure_ascii=False),
                    }
                )
    pq.write_table(pa.Table.from_pylist(goals, schema=GOAL_SCHEMA), snapshot / "goals.parquet")
    _write_reports_table(snapshot, sources)


def generate(
    out: Path,
    *,
    municipalities: int,
    years: int,
    via_ingest: bool = False,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    progress: bool = False,
) -> Generated:
    """Build a fresh data directory at ``out`` holding a synthetic warehouse."""
    if municipalities < 1 or years < 1:
        raise ValueError("need at least one municipality and one year")
    if warehouse_dir(out).exists():
        if not force:
            raise FileExistsError(f"{warehouse_dir(out)} exists: pass --force to replace it")
        shutil.rmtree(warehouse_dir(out))
    out.mkdir(parents=True, exist_ok=True)
    nation = build_nation(municipalities, years, seed=seed)
    if via_ingest:
        return write_via_ingest(nation, out)
    return write_direct(nation, out, progress=progress)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--municipalities", type=int, default=NATIONAL_MUNICIPALITIES)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True, help="data directory to create")
    parser.add_argument(
        "--via-ingest",
        action="store_true",
        help="render report text files and ingest them with the real parser (slow)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace an existing warehouse")
    args = parser.parse_args(argv)
    result = generate(
        args.out,
        municipalities=args.municipalities,
        years=args.years,
        via_ingest=args.via_ingest,
        seed=args.seed,
        force=args.force,
        progress=True,
    )
    how = "via the real ingest path" if result.via_ingest else "directly as parquet"
    print(
        f"{result.evaluations:,} evaluations ({result.items:,} items in "
        f"{result.municipalities:,} municipalities × {len(result.years)} years) written {how} "
        f"to {result.data_dir} in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
