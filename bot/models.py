"""Domain models: what a progress report holds, and what a question and its answer are.

Every arrow in the pipeline carries one of these, never a loose dict, so a field
renamed in one place fails loudly everywhere it is used.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Grade(StrEnum):
    """A department's self-assessment of one item for one fiscal year."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label_ja(self) -> str:
        return GRADE_LABELS_JA[self]

    @property
    def label_en(self) -> str:
        return GRADE_LABELS_EN[self]


GRADE_LABELS_JA: dict[Grade, str] = {
    Grade.A: "順調または目標達成",
    Grade.B: "概ね順調",
    Grade.C: "検討が必要",
    Grade.D: "極めて不十分・実施せず",
}
GRADE_LABELS_EN: dict[Grade, str] = {
    Grade.A: "on track / achieved",
    Grade.B: "mostly on track",
    Grade.C: "needs review",
    Grade.D: "very insufficient / not done",
}

#: The four categories (区分) the plan uses, in English; reports may still carry others,
#: kept verbatim.
CATEGORY_EN: dict[str, str] = {
    "新規": "new",
    "継続": "continuing",
    "充実": "expanded",
    "見直し": "revised",
}
#: Target groups (事業の対象者) as the plan names them, in English.
TARGET_GROUP_EN: dict[str, str] = {"市": "city", "市民": "citizens", "事業者等": "businesses"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(Frozen):
    """Where a figure came from: the report file, the department sheet, the line."""

    file: str
    sheet: str
    line: int = Field(ge=1)

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.sheet})"


class Goal(Frozen):
    """基本目標: numbered with roman numerals in the report, stored as an integer."""

    number: int = Field(ge=1)
    numeral: str
    title: str
    #: The heading's category counts for the whole goal (plan-wide, not this extract).
    category_counts: dict[str, int] = Field(default_factory=dict)


class BasicPolicy(Frozen):
    """基本施策: numbered within its goal."""

    goal: int
    number: int = Field(ge=1)
    title: str


class Measure(Frozen):
    """施策: numbered within its basic policy; ★ marks a priority measure (重点)."""

    goal: int
    policy: int
    number: int = Field(ge=1)
    title: str
    priority: bool = False


class Item(Frozen):
    """事業: a plan item, identified plan-wide by its number."""

    number: int = Field(ge=1)
    name: str
    summary: str
    category: str
    target_groups: tuple[str, ...]
    #: (事業19再掲): this row re-lists item 19 under another measure.
    relisted_from: int | None = None
    goal: Goal
    policy: BasicPolicy
    measure: Measure


class Evaluation(Frozen):
    """One department's grade of one item for one fiscal year: the report's row."""

    item_number: int
    department: str
    sheet_department: str
    fiscal_year: int
    plan_text: str
    result_text: str
    grade: Grade
    next_plan_text: str
    source: SourceRef


class SkippedSheet(Frozen):
    """A workbook sheet that holds no department's rows (a summary, a hidden list)."""

    name: str
    reason: str


class Report(Frozen):
    """A parsed progress report: every item and every evaluation, with provenance."""

    municipality: str
    plan: str
    title: str
    fiscal_year: int
    next_fiscal_year: int | None
    source_file: str
    checksum: str
    sheets: tuple[str, ...]
    goals: tuple[Goal, ...]
    items: tuple[Item, ...]
    evaluations: tuple[Evaluation, ...]
    #: Workbook sheets passed over, each with why (said in the ingest output).
    skipped_sheets: tuple[SkippedSheet, ...] = ()


class DepartmentMove(Frozen):
    """Items that moved from a department that no longer exists to another in a fiscal
    year: a rename (all of them one way), a split (several ways) or a merge (several
    departments into one). Detected at ingest, or stated in aliases.toml (explicit)."""

    municipality: str | None = None
    plan: str | None = None
    #: The first fiscal year under the new name; None: whenever it happened.
    fiscal_year: int | None = None
    from_department: str
    to_department: str
    items: int = 0
    kind: Literal["rename", "split", "merge"] = "rename"
    explicit: bool = False


# --- questions and answers -------------------------------------------------------------


class Intent(StrEnum):
    """The shape of answer a question asks for."""

    LIST = "list"
    COUNT = "count"
    DETAIL = "detail"
    SUMMARY = "summary"
    TREND = "trend"
    #: A department's or a goal's items side by side in two fiscal years.
    COMPARE = "compare"
    HELP = "help"


class Problem(StrEnum):
    """Why a question could not be answered as asked (the reply says what to do instead)."""

    UNKNOWN = "unknown"
    NO_CONTEXT = "no_context"
    TOO_LONG = "too_long"
    SEVERAL_MUNICIPALITIES = "several_municipalities"
    UNKNOWN_MUNICIPALITY = "unknown_municipality"
    OTHER_MUNICIPALITY = "other_municipality"
    UNKNOWN_DEPARTMENT = "unknown_department"
    AMBIGUOUS_DEPARTMENT = "ambiguous_department"
    UNSURE_DEPARTMENT = "unsure_department"
    NO_YEAR = "no_year"
    #: A goal, basic policy or measure the report does not have (基本目標Ⅰ in a report
    #: that starts at Ⅱ): the answer names the ones it has.
    NO_PART = "no_part"
    ONE_YEAR = "one_year"
    #: The item is not in that year's report (the answer gives its history instead).
    NOT_REPORTED = "not_reported"


Language = Literal["ja", "en"]

#: What a ranking inside a selection ranks (QuerySpec.ranked).
Ranked = Literal["grade", "item", "department", "goal", "policy", "measure"]


class SpanKind(StrEnum):
    """What recognised a span of a question."""

    LANGUAGE = "language"
    YEAR = "year"
    HIERARCHY = "hierarchy"
    ITEM = "item"
    TRANSITION = "transition"
    GRADE = "grade"
    PER_GROUP = "per_group"
    WHICH_DEPARTMENT = "which_department"
    SHARE = "share"
    MUNICIPALITY = "municipality"
    DEPARTMENT = "department"
    CATEGORY = "category"
    TARGET = "target"
    PRESENCE = "presence"
    OVER_YEARS = "over_years"
    INTENT = "intent"
    RANKING = "ranking"
    ALL = "all"
    NUMBER = "number"
    TOPIC = "topic"
    OTHER = "other"


class Span(Frozen):
    """A part of a question a recogniser read (offsets into the cleaned question)."""

    kind: SpanKind
    start: int
    end: int
    text: str


class Flag(StrEnum):
    """What a question says besides its filters, kept because it drove a decision."""

    HELP = "help"
    STATUS = "status"
    PER_GROUP = "per_group"
    ASKS_DEPARTMENT = "asks_department"
    SHARE = "share"
    WANTS_ALL = "wants_all"
    WAS_GRADE = "was_grade"
    SAME_GRADE = "same_grade"
    FOLLOW_UP = "follow_up"
    RANKING = "ranking"
    VAGUE = "vague"


class Keyword(Frozen):
    """A content word from the question and the search keys it may appear as."""

    word: str
    matches: tuple[str, ...]


class PlanPart(Frozen):
    """A goal, basic policy or measure named among several ("基本目標ⅠとⅡ", two titles);
    None at a level: any (基本施策2 of every goal)."""

    goal: int | None = None
    policy: int | None = None
    measure: int | None = None


class QuerySpec(Frozen):
    """A question as planbot understood it: an intent and typed filters, never raw text."""

    intent: Intent = Intent.LIST
    language: Language = "ja"
    grades: tuple[Grade, ...] = ()
    departments: tuple[str, ...] = ()
    #: Departments named to be left out ("高齢者支援課以外"): ``departments`` then holds
    #: every other one, and answers say "…以外" instead of listing them.
    excluded_departments: tuple[str, ...] = ()
    #: The departments as an answer names them, where a reorganisation gave them a
    #: history ("子ども子育て支援課（旧 子ども政策課）"); ``departments`` then holds every
    #: name they had, so that each year finds their items.
    department_labels: tuple[str, ...] = ()
    #: Items several departments evaluate ("複数の課が担当している事業"); with
    #: ``departments``, those every one of them evaluates ("AとBが一緒にやっている事業").
    shared: bool | None = None
    item_numbers: tuple[int, ...] = ()
    goal: int | None = None
    policy: int | None = None
    measure: int | None = None
    priority: bool | None = None
    #: Several parts of the plan named together ("基本目標ⅠとⅡ", "「…」と「…」の事業"): the
    #: items of any of them; ``goal``, ``policy`` and ``measure`` then stay unset.
    parts: tuple[PlanPart, ...] = ()
    categories: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    #: None means "the latest fiscal year in the warehouse"; the answer names the year used.
    fiscal_year: int | None = None
    #: For trend questions comparing two years ("grades that fell between 2019 and 2020").
    compare_fiscal_year: int | None = None
    #: "same": the grade held in both years ("D評価が続いている", "A in both years");
    #: "any": changed or not ("前年度D評価だった事業は今年どうなった？").
    #: "added" / "dropped": items in one year's report and not in the other's
    #: ("新しく加わった事業", "なくなった事業").
    #: "history": every year's grades of the items a selection holds ("保育課の事業の推移").
    trend_direction: (
        Literal[
            "up", "down", "changed", "same", "any", "added", "dropped", "came_and_went", "history"
        ]
        | None
    ) = None
    #: A condition over several fiscal years: "every" — the grades in each of
    #: ``over_years`` ("3年連続でA", "C or D in both FY2020 and FY2021"); "any" — in one of
    #: them at least ("ever graded D"); "same" — one unchanged grade in all of them.
    over: Literal["every", "any", "same"] | None = None
    over_years: tuple[int, ...] = ()
    #: For trends: the earlier year's grade and the later year's ("B→A", "became D").
    from_grades: tuple[Grade, ...] = ()
    to_grades: tuple[Grade, ...] = ()
    #: For trends: how many grades at least an item moved ("2段階以上下がった", "improved
    #: two grades"); None for any move.
    min_steps: int | None = None
    #: One municipality's items, as a button names them in a warehouse of several
    #: (questions do not name one; a deployment pinned to a municipality keeps its pin).
    municipality: str | None = None
    keywords: tuple[Keyword, ...] = ()
    #: "did you mean …" suggestions gathered while reading the question.
    suggestions: tuple[str, ...] = ()
    #: Words the parser could not place, kept to explain a zero-result answer.
    unmatched: tuple[str, ...] = ()
    #: A ranking inside the selection: "most"/"fewest" count what was asked ("which
    #: department has the most B?"), "best"/"worst" rank by the grades themselves
    #: ("評価が一番よい基本目標", "一番評価が低い事業").
    ranking: Literal["most", "fewest", "best", "worst"] | None = None
    #: What the ranking ranks: the grades ("一番多い評価"), the selection's items by their
    #: grade, or the departments or parts of the plan (goals, basic policies, measures).
    ranked: Ranked | None = None
    problem: Problem | None = None


class Reading(Frozen):
    """A message as read: the cleaned text, every span a recogniser took (and what took
    it), the flags that drove a decision, and the question it was decided to be."""

    question: str
    text: str
    spans: tuple[Span, ...] = ()
    flags: frozenset[Flag] = frozenset()
    spec: QuerySpec = QuerySpec()

    def spans_of(self, kind: SpanKind) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if s.kind == kind)


class AnswerItem(Frozen):
    #: The municipality whose plan the item belongs to (warehouses may hold several).
    municipality: str = ""
    #: The plan (a successor plan renumbers items: item 16 of two plans are two items).
    plan: str = ""
    item_no: int
    name: str
    department: str
    sheet_department: str
    fiscal_year: int
    grade: Grade
    category: str
    target_groups: tuple[str, ...]
    goal: int
    policy: int
    measure: int
    priority: bool
    summary: str
    plan_text: str
    result_text: str
    next_plan_text: str
    relisted_from: int | None
    source: SourceRef
    #: In an answer about grade changes: the earlier year's grade (this one is the later).
    from_grade: Grade | None = None
    #: …and the department that gave it, where the item has moved since (a rename, a split).
    from_department: str | None = None


class GradeChange(Frozen):
    """An item whose grade changed since the previous fiscal year (in a summary)."""

    municipality: str = ""
    plan: str = ""
    item_no: int
    name: str
    department: str
    from_grade: Grade
    to_grade: Grade


class RankedGroup(Frozen):
    """One entry of a ranking inside a selection: a grade, a department or a part of the
    plan, with its grade counts and the figure it was ranked by."""

    label: str
    grades: dict[str, int]
    #: Evaluations counted (of the grades asked, or all), or the mean grade's place on the
    #: scale (0 = the best grade) where groups are ranked by their grades.
    score: float


class Summary(Frozen):
    grades: dict[str, int]
    #: A ranking asked for, first place first: what it ranks, in which order ("most",
    #: "fewest" of the grades ``counted``, all when empty; "best", "worst" by the grades
    #: themselves), and how many entries share first place.
    ranking: tuple[RankedGroup, ...] = ()
    ranked: Ranked | None = None
    order: Literal["most", "fewest", "best", "worst"] | None = None
    counted: tuple[Grade, ...] = ()
    leaders: int = 0
    by_department: dict[str, dict[str, int]] = Field(default_factory=dict)
    by_goal: dict[str, dict[str, int]] = Field(default_factory=dict)
    total: int = 0
    #: With an earlier fiscal year in the warehouse: that year, its grade counts under the
    #: same filters, and the items whose grade changed since (``from_grade`` set).
    previous_fiscal_year: int | None = None
    previous_grades: dict[str, int] = Field(default_factory=dict)
    changes: tuple[GradeChange, ...] = ()


class ComparedItem(Frozen):
    """One item of a comparison: its grade in each of the two years, None in a year whose
    report does not hold it (added since, or dropped)."""

    municipality: str = ""
    plan: str = ""
    item_no: int
    name: str
    #: The later year's department (the earlier one's for an item dropped since).
    department: str
    #: The earlier year's department, where the item moved (a rename, a split).
    from_department: str | None = None
    from_grade: Grade | None = None
    to_grade: Grade | None = None
    #: "same", "up", "down", "added" (not in the earlier report), "dropped" (not in the
    #: later one): what a reader looks for first.
    change: Literal["same", "up", "down", "added", "dropped"]


class Comparison(Frozen):
    """Two fiscal years side by side: every item either year holds within the question's
    filters, and the grade counts of each year."""

    from_year: int
    to_year: int
    rows: tuple[ComparedItem, ...]
    from_grades: dict[str, int]
    to_grades: dict[str, int]


class QueryRun(Frozen):
    """The named query that produced an answer and its bound parameters ("show the query")."""

    name: str
    params: dict[str, object]
    rows: int
    truncated: bool = False
    elapsed_ms: float = 0.0


class Answer(Frozen):
    question: str
    language: Language
    intent: Intent
    filters: dict[str, object]
    fiscal_year: int | None
    items: tuple[AnswerItem, ...]
    count: int
    summary: Summary | None
    text: str
    reading: str
    #: A comparison of two fiscal years side by side (intent "compare"), else None.
    comparison: Comparison | None = None
    queries: tuple[QueryRun, ...] = ()
    suggestions: tuple[str, ...] = ()
    #: Why the question could not be answered as asked (unknown, no_year, …), or None.
    problem: Problem | None = None
    ok: bool = True
