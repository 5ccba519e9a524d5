"""Answer → Slack Block Kit messages, App Home views and "show the query" replies.

Blocks are built with slack_sdk's model classes (which check shapes as they serialise)
and every payload is then checked against :mod:`bot.render.limits`: an answer that
does not fit one message is split into several, never sent over a limit.

Plain-text wording comes from :mod:`bot.render.text`, so Slack says what the console says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    RawTextObject,
    SectionBlock,
    TableBlock,
    TableBlockColumnSettings,
)

from bot.models import (
    Answer,
    AnswerItem,
    ComparedItem,
    Comparison,
    Grade,
    Intent,
    Language,
    QueryRun,
    Summary,
)
from bot.render import limits as lim
from bot.render import text as t
from bot.render.text import pick
from bot.text import wareki

Block = dict[str, Any]
#: Blocks that must stay in the same message (an item and its button, a table).
Unit = list[Block]

# action_ids the Slack handlers listen for.
ACTION_ITEM_DETAIL = "item_detail"
ACTION_PAGE_PREV = "page_prev"
ACTION_PAGE_NEXT = "page_next"
ACTION_EXPORT_CSV = "export_csv"
ACTION_EXPORT_XLSX = "export_xlsx"
ACTION_SHOW_QUERY = "show_query"
ACTION_EXAMPLE = "example_question"
#: The answer's overflow menu: CSV, XLSX, and how the question was read (with the SQL
#: for admins). Its options carry ``{"a": MENU_…, "r": ref}``: an option value holds
#: only 150 characters, so the question itself is remembered under ``answer_ref``
#: (``l``: the answer's language, for a reply when it is no longer remembered).
ACTION_ANSWER_MENU = "answer_menu"
MENU_CSV = "csv"
MENU_XLSX = "xlsx"
MENU_QUERY = "query"

#: C/D items listed in a summary message; the rest are in the CSV/XLSX export.
ATTENTION_MAX = 20
HOME_ATTENTION_MAX = 20
EXAMPLES_MAX = 10
#: The next-year plan shown under an item needing attention; the full text is one
#: "Details" click away, and shorter entries keep a summary to one or two messages.
ATTENTION_PLAN_MAX = 400
#: Notification text: Slack shows only the start of it, so there is no point in more.
FALLBACK_TEXT_MAX = 300
#: Body-text budgets tried, longest first, when one item's detail must fit one message.
DETAIL_BODY_BUDGETS = (3_000, 2_400, 1_600, 1_000, 600, 300)

#: Used when an unanswerable question comes without examples from the core.
DEFAULT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "ja": ("D評価の事業は？", "新規事業は？", "DVに関する事業", "事業1の詳細"),
    "en": ("which items are graded D?", "new items", "details of item 1"),
}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat.postMessage payload: notification ``text`` and the ``blocks`` as dicts."""

    text: str
    blocks: list[Block]

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# --- public entry points ----------------------------------------------------------------
def answer_messages(
    answer: Answer,
    *,
    page: int = 0,
    page_size: int = 10,
    examples: Sequence[str] | None = None,
    admin: bool = False,
    note: str | None = None,
) -> list[Message]:
    """The Slack messages for one page of an answer; several if one would break a limit.

    ``examples`` are offered as buttons when the question could not be answered and
    the answer itself brings none. ``admin``: the menu offers the SQL behind the
    answer (everyone else is offered the reading in words). ``note`` is said under the
    headline (what a follow-up inherited from the question before it).
    """
    if answer.intent == Intent.HELP or not answer.ok:
        units = _help_units(answer, examples)
    elif answer.count == 0 or not answer.items:
        units = _empty_units(answer, admin)
    elif answer.intent in (Intent.SUMMARY, Intent.COUNT):
        units = _summary_units(answer, admin)
    else:
        units = _paged_units(answer, page, max(page_size, 1), admin)
    if note and units and units[0]:
        units[0].insert(1, context(note))
    return pack_messages(units, _fallback_text(answer), answer.language)


def listing_messages(answer: Answer) -> list[Message]:
    """Every item of an answer as rows under one short label, for the thread of a message
    that already shows the answer's headline and grade counts (a summary): the list is
    said once, without repeating what the message above it says."""
    lang = answer.language
    count = len(item_groups(answer.items))
    label = pick(lang, f"事業一覧（{count}件）", f"Every item ({count})")
    rows = [[_item_section(item, _row_text(answer, item), lang)] for item in answer.items]
    return pack_messages([[context(f"*{label}*")], *rows], label, lang)


def answer_ref(answer: Answer) -> str:
    """A short, stable name for what an answer answered (question, reading, language),
    under which the Slack layer remembers it for the answer's menu and thread."""
    key = _json(
        {"q": answer.question, "l": answer.language, "i": answer.intent, "f": answer.filters}
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def item_detail_message(item: AnswerItem, language: Language) -> Message:
    """One item in full in one message; long texts are shortened until it fits."""
    for budget in DETAIL_BODY_BUDGETS:
        blocks = [b for unit in _detail_units(item, language, body_limit=budget) for b in unit]
        text = escape(_fit_plain(t.item_title(item, language), FALLBACK_TEXT_MAX))
        if not lim.validate_message(blocks, text):
            return Message(text=text, blocks=blocks)
    raise lim.PayloadTooLarge([f"item {item.item_no} does not fit one message"])


def item_detail_modal(items: Sequence[AnswerItem], language: Language) -> dict[str, Any]:
    """An item's details as a modal (the Home tab's Details: no DM to go and read)."""
    lang = language
    blocks: list[Block] = []
    for n, item in enumerate(items):
        body = item_detail_message(item, lang).blocks
        candidate = [*blocks, *([DividerBlock().to_dict()] if n else []), *body]
        if lim.validate_message(candidate, "-", surface="home"):
            break
        blocks = candidate
    number = items[0].item_no if items else 0
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": pick(lang, f"事業{number}", f"Item {number}")},
        "close": {"type": "plain_text", "text": pick(lang, "閉じる", "Close")},
        "blocks": blocks,
    }


def reading_message(answer: Answer) -> Message:
    """How planbot read the question, in words: the conditions without the SQL."""
    lang = answer.language
    title = pick(lang, "読み取った条件", "How the question was read")
    blocks = [section(f"*{title}*: {_fit_mrkdwn(answer.question, 2_000)}"), *_reading(answer)]
    lim.ensure_valid(blocks, title)
    return Message(text=title, blocks=blocks)


def _reading(answer: Answer) -> list[Block]:
    lang = answer.language
    lines = [f"{pick(lang, '条件', 'Conditions')}: {answer.reading or '-'}"]
    if answer.fiscal_year is not None:
        year = t.fiscal_year_label(answer.fiscal_year, lang)
        lines.append(f"{pick(lang, '年度', 'Fiscal year')}: {year}")
    lines.append(f"{pick(lang, '件数', 'Count')}: {t.count_label(answer.count, lang)}")
    return [section(_fit_mrkdwn("\n".join(lines), lim.SECTION_TEXT_MAX))]


def query_message(answer: Answer) -> Message:
    """The reading, then the named queries behind an answer and their bound parameters."""
    lang = answer.language
    title = pick(lang, "条件とSQL", "Conditions and SQL")
    blocks: list[Block] = [
        section(f"*{title}*: {_fit_mrkdwn(answer.question, 2_000)}"),
        *_reading(answer),
    ]
    if not answer.queries:
        blocks.append(context(pick(lang, "クエリは実行していません。", "No query was run.")))
    for run in answer.queries:
        candidate = [*blocks, section(_query_code(run, lang))]
        if lim.validate_message(candidate, title):
            blocks.append(context(pick(lang, "（以下省略）", "(more queries omitted)")))
            break
        blocks = candidate
    lim.ensure_valid(blocks, title)
    return Message(text=title, blocks=blocks)


def home_view(
    by_department: dict[str, dict[str, int]],
    attention: list[AnswerItem],
    examples: list[str],
    fiscal_year: int,
    language: Language = "ja",
    summary: Summary | None = None,
) -> dict[str, Any]:
    """The App Home tab: what changed since last year and the grades as text (given the
    plan's ``summary``), grades per department, items needing attention, examples."""
    lang = language
    title = f"planbot — {t.fiscal_year_label(fiscal_year, lang)}"
    blocks: list[Block] = [header(title)]
    if summary is not None:
        lines = [*t.change_lines(summary, lang), t.summary_lines(summary, lang)[0]]
        blocks.append(section(_fit_mrkdwn("\n".join(lines), lim.SECTION_TEXT_MAX)))
    blocks.append(section(f"*{pick(lang, '課別の評価分布', 'Grades by department')}*"))
    rows = grade_rows(by_department, pick(lang, "課", "Department"), lang)
    if rows:
        blocks.append(table_block(rows[: lim.TABLE_ROWS_MAX]))
    else:
        blocks.append(context(pick(lang, "データがありません。", "No data yet.")))
    blocks += [DividerBlock().to_dict(), *_home_attention(attention, lang)]
    title = pick(lang, "質問の例", "Try asking")
    blocks += [DividerBlock().to_dict(), *_example_blocks(examples[:EXAMPLES_MAX], lang, title)]
    lim.ensure_valid(blocks, "", surface="home")
    return {"type": "home", "blocks": blocks}


def action_value(data: dict[str, Any], question: str | None = None) -> str:
    """A button value as JSON, the question shortened until the value fits Slack's 2,000."""
    if question is None:
        return _json(data)
    while True:
        value = _json({**data, "question": question})
        over = lim.slack_len(value) - lim.ACTION_VALUE_MAX
        if over <= 0:
            return value
        if not question:
            raise lim.PayloadTooLarge([f"action value is {over} chars too long"])
        question = lim.truncate(question, max(lim.slack_len(question) - over, 0))


def parse_action_value(value: str) -> dict[str, Any]:
    """The dict a button of this module carries; ``{}`` for anything else."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: report text like "<主管課>" or a pasted "<!channel>" stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- answer shapes -------------------------------------------------------------------------
def _paged_units(answer: Answer, page: int, page_size: int, admin: bool) -> list[Unit]:
    """list, trend and detail answers: one page of items, then the buttons.

    Pages count items (件), as the header does: the rows of one item graded by several
    departments stay together on one page.
    """
    lang = answer.language
    groups = item_groups(answer.items)
    pages = max(-(-len(groups) // page_size), 1)
    page = min(max(page, 0), pages - 1)
    start = page * page_size
    shown_groups = groups[start : start + page_size]
    shown = [item for group in shown_groups for item in group]
    detail = answer.intent == Intent.DETAIL
    # A detail answer's items bring their own headers: the reading is a line above them.
    head: Unit = _head(answer, as_header=not detail)
    if answer.comparison is None:
        status = _list_status(answer, len(groups), start, len(shown_groups), page, pages)
    else:
        status = _comparison_status(answer.comparison, lang)
        if pages > 1:
            status += "\n" + _page_label(start, len(shown_groups), len(groups), page, pages, lang)
    head.append(context(status))
    head.extend(_truncation_note(answer))
    tables: list[Unit] = []
    if answer.comparison is not None and page == 0:
        tables = [[table_block(_comparison_table(answer.comparison, lang))]]
    if answer.comparison is not None:
        rows = dict(zip(map(id, answer.items), answer.comparison.rows, strict=True))
        where = t.origins(answer.items)
        body = [
            [_item_section(item, _compared_text(answer, item, rows[id(item)], where), lang)]
            for item in shown
        ]
    elif detail:
        body: list[Unit] = []
        for n, item in enumerate(shown):
            units = _detail_units(item, lang, body_limit=None)
            if n:
                units[0].insert(0, DividerBlock().to_dict())
            body.extend(units)
    else:
        body = [[_item_section(item, _row_text(answer, item), lang)] for item in shown]
    pager = _page_buttons(answer, page, pages, page_size)
    return [head, *body, *tables, [_tool_menu(answer, admin, pages=pager)]]


def _comparison_status(comparison: Comparison, lang: Language) -> str:
    """Each year's grade counts, then what changed."""
    return escape("\n".join(t.comparison_lines(comparison, lang)[:3]))


def _comparison_table(comparison: Comparison, lang: Language) -> list[list[str]]:
    """The grade counts of both years, one row each (A/B/C/D/計)."""
    counts = {
        t.fiscal_year_label(comparison.from_year, lang): comparison.from_grades,
        t.fiscal_year_label(comparison.to_year, lang): comparison.to_grades,
    }
    total = pick(lang, "計", "Total")
    return [r for r in grade_rows(counts, pick(lang, "年度", "Fiscal year"), lang) if r[0] != total]


def _compared_text(answer: Answer, item: AnswerItem, row: ComparedItem, where: t.Where) -> str:
    """``*事業42* ダブルケア… — *B → C ↓低下*``: both years' grades, a change in bold,
    the department when the comparison spans several or the item moved."""
    lang = answer.language
    number = pick(lang, f"事業{row.item_no}", f"Item {row.item_no}")
    grades = escape(t.compared_grades(row, lang))
    if row.change != "same":
        grades = f"*{grades}*"
    line = f"*{number}* {escape(row.name)} — {grades}"
    rows = answer.comparison.rows if answer.comparison is not None else ()
    extras = [t.origin_label(item, where)]
    if len({r.department for r in rows}) > 1 or row.from_department:
        extras.append(t.department_moved(row, lang))
    shown = [e for e in extras if e]
    if shown:
        joined = escape("・".join(shown) if lang == "ja" else ", ".join(shown))
        line += pick(lang, f"（{joined}）", f" ({joined})")
    return line


def item_groups(items: Sequence[AnswerItem]) -> list[list[AnswerItem]]:
    """Consecutive rows of one item (several departments, or years) as one group."""
    groups: list[list[AnswerItem]] = []
    for item in items:
        if groups and _item_key(groups[-1][-1]) == _item_key(item):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _item_key(item: AnswerItem) -> tuple[str, str, int]:
    return (item.municipality, item.plan, item.item_no)


def _list_status(answer: Answer, total: int, start: int, shown: int, page: int, pages: int) -> str:
    """The grade count of the whole list, then where this page is in it."""
    grades = t.grade_counts_line(_grade_counts(answer.items), answer.language)
    status = f"{_rows_said(answer)}{grades}"
    if pages > 1:
        status += "　" + _page_label(start, shown, total, page, pages, answer.language)
    return status


def _grade_counts(items: Sequence[AnswerItem]) -> dict[str, int]:
    counts = {g.value: 0 for g in Grade}
    for item in items:
        counts[item.grade.value] += 1
    return counts


def _rows_said(answer: Answer) -> str:
    """Grades are per item and department: when that makes more grades than items, the
    grade line says what it counts ("評価13行: …" under "12件")."""
    rows = len(answer.items)
    if rows == answer.count:
        return ""
    return pick(answer.language, f"評価{rows}行: ", f"{rows} evaluations: ")


def _summary_units(answer: Answer, admin: bool) -> list[Unit]:
    """summary and count answers: the grade counts as text, the table, then the items
    graded C or D (a table block is an addition: Slack shows it at the message's end)."""
    lang = answer.language
    head = _head(answer)
    if answer.summary is not None:
        # What changed since last year first, then the distribution, as text: the table
        # (which Slack shows at the message's end) only adds the breakdown.
        lines = [*t.change_lines(answer.summary, lang), t.summary_lines(answer.summary, lang)[0]]
        head.append(section(_fit_mrkdwn("\n".join(lines), lim.SECTION_TEXT_MAX)))
    head.extend(_truncation_note(answer))
    units: list[Unit] = [head]
    units.extend(_attention_units(list(answer.items), lang, ATTENTION_MAX))
    units.extend(_grade_table_units(answer))
    units.append([_tool_menu(answer, admin)])
    return units


def _empty_units(answer: Answer, admin: bool) -> list[Unit]:
    """An answer with no items: what was read, why nothing matched, what would."""
    headline = _headline(answer)
    rest = [ln for ln in answer.text.splitlines() if ln != headline]
    units: list[Unit] = [[header(headline)]]
    units.extend([section(_fit_mrkdwn(chunk, lim.SECTION_TEXT_MAX))] for chunk in _split(rest))
    units.append([_tool_menu(answer, admin)])
    return units


def _help_units(answer: Answer, examples: Sequence[str] | None) -> list[Unit]:
    """Help, or a question planbot could not answer: the explanation, then examples."""
    lang = answer.language
    offered = list(answer.suggestions or examples or DEFAULT_EXAMPLES[lang])[:EXAMPLES_MAX]
    # The core lists its examples in the text too; here they become buttons instead, in
    # the same place, so that a lead-in ending "例:" is followed by them.
    text = [ln for ln in answer.text.splitlines() if ln.strip()]
    cut = next((n for n, ln in enumerate(text) if ln.strip() in offered), len(text))
    before = text[:cut]
    after = [ln for ln in text[cut:] if ln.strip() not in offered]
    units: list[Unit] = [[section(_fit_mrkdwn(c, lim.SECTION_TEXT_MAX))] for c in _split(before)]
    # Outside help, the core's suggestions are names it guessed ("did you mean"), not examples.
    title = pick(lang, "質問の例", "Try asking")
    if answer.intent != Intent.HELP and answer.suggestions:
        title = pick(lang, "もしかして", "Did you mean")
    if before and before[-1].rstrip().endswith((":", "：")):
        title = ""  # the lead-in already says what follows
    units.extend([b] for b in _example_blocks(offered, lang, title))
    units.extend([context(c)] for c in _split(after))
    return units


# --- items --------------------------------------------------------------------------------
def _row_text(answer: Answer, item: AnswerItem) -> str:
    """One list row: the item's line as a phone shows it (see ``compact_line``)."""
    with_year = answer.intent == Intent.TREND and answer.fiscal_year is None
    departments = len({i.department for i in answer.items}) > 1
    return compact_line(
        item,
        answer.language,
        with_department=departments,
        with_year=with_year,
        where=t.origins(answer.items),
    )


def compact_line(
    item: AnswerItem,
    lang: Language,
    *,
    with_department: bool,
    with_year: bool = False,
    where: t.Where = "",
) -> str:
    """``*事業33* 子ども家庭支援センター事業の機能の充実 — A``: number, name and grade
    (a change as ``B→A``), the department only when the list spans several, the
    municipality or plan only when the numbers repeat across them. The source is in the
    item's details, one click away."""
    number = pick(lang, f"事業{item.item_no}", f"Item {item.item_no}")
    grade = f"{item.from_grade.value}→{item.grade.value}" if item.from_grade else item.grade.value
    line = f"*{number}* {escape(item.name)} — {grade}"
    extras = []
    if with_year:
        extras.append(
            t.fiscal_year_label(item.fiscal_year, lang)
            if lang == "en"
            else wareki(item.fiscal_year)
        )
    origin = t.origin_label(item, where)
    if origin:
        extras.append(origin)
    if with_department:
        extras.append(item.department)
    if extras:
        joined = escape("・".join(extras) if lang == "ja" else ", ".join(extras))
        line += pick(lang, f"（{joined}）", f" ({joined})")
    return line


def _item_section(item: AnswerItem, mrkdwn: str, lang: Language) -> Block:
    """An item's row (already escaped mrkdwn) with its Details button."""
    button = _button(pick(lang, "詳細", "Details"), ACTION_ITEM_DETAIL, _item_value(item, lang))
    return section(lim.truncate(mrkdwn, lim.SECTION_TEXT_MAX), accessory=button)


def _item_value(item: AnswerItem, lang: Language) -> str:
    # dept tells apart the departments sharing one item (事業39 has two); m the
    # municipalities sharing item numbers in a warehouse of several.
    dept = lim.truncate(item.department, 200)
    value: dict[str, Any] = {
        "item_no": item.item_no,
        "fy": item.fiscal_year,
        "dept": dept,
        "lang": lang,
    }
    if item.municipality:
        value["m"] = lim.truncate(item.municipality, 200)
    return _json(value)


def _attention_units(items: list[AnswerItem], lang: Language, limit: int) -> list[Unit]:
    attention = [i for i in items if i.grade in (Grade.C, Grade.D)]
    title = t.attention_title(lang)
    if not attention:
        none = pick(lang, "C・D評価の事業はありません。", "No item is graded C or D.")
        return [[section(f"*{title}*"), context(none)]]
    units: list[Unit] = [[section(f"*{title}*")]]
    where = t.origins(items)
    depts = len({i.department for i in items}) > 1
    units.extend([_attention_section(i, lang, where, depts)] for i in attention[:limit])
    if len(attention) > limit:
        units.append([context(_more_label(len(attention) - limit, lang))])
    return units


def _attention_section(item: AnswerItem, lang: Language, where: t.Where, depts: bool) -> Block:
    """A C/D item: its row, what was done (事業実績) and what comes next year."""
    line = compact_line(item, lang, with_department=depts, where=where)
    for label, text in (
        (pick(lang, "実績", "Result"), item.result_text),
        (t.next_plan_label(lang), item.next_plan_text),
    ):
        if text.strip():
            line += (
                f"\n_{escape(label)}_: {_fit_mrkdwn(' '.join(text.split()), ATTENTION_PLAN_MAX)}"
            )
    return _item_section(item, line, lang)


def _home_attention(attention: list[AnswerItem], lang: Language) -> list[Block]:
    units = _attention_units(attention, lang, HOME_ATTENTION_MAX)
    return [b for unit in units for b in unit]


def _detail_units(item: AnswerItem, lang: Language, *, body_limit: int | None) -> list[Unit]:
    """Full detail: title and facts, each text in sections (split, or cut at body_limit)."""
    units: list[Unit] = [[header(t.item_title(item, lang)), _facts_section(item, lang)]]
    for label, body in t.item_texts(item, lang):
        if not body.strip():
            continue
        units.extend([s] for s in _body_sections(label, body, body_limit))
    units.append([context(t.source_label(item, lang))])
    return units


def _body_sections(label: str, body: str, body_limit: int | None) -> list[Block]:
    room = lim.SECTION_TEXT_MAX - lim.slack_len(f"*{escape(label)}*\n") - 1
    if body_limit is not None:
        chunks = [_fit_mrkdwn(body, min(body_limit, room))]
    else:
        chunks = [escape(c) for c in _split_raw(body, room)]
    return [section(f"*{escape(label)}*\n{chunk}") for chunk in chunks]


def _facts_section(item: AnswerItem, lang: Language) -> Block:
    grade = item.grade.label_ja if lang == "ja" else item.grade.label_en
    facts = [
        (pick(lang, "主管課", "Department"), item.department),
        (pick(lang, "年度", "Fiscal year"), t.fiscal_year_label(item.fiscal_year, lang)),
        (pick(lang, "評価", "Grade"), f"{item.grade.value}（{grade}）"),
        (pick(lang, "区分", "Category"), item.category),
        (pick(lang, "対象者", "Target groups"), " / ".join(item.target_groups)),
        (pick(lang, "位置づけ", "Place in plan"), t.plan_place(item, lang)),
    ]
    if item.relisted_from:
        facts.append((pick(lang, "再掲", "Re-listing of"), f"事業{item.relisted_from}"))
    fields = [_field(k, v) for k, v in facts[: lim.SECTION_FIELDS_MAX]]
    return SectionBlock(fields=fields).to_dict()


def _field(label: str, value: str) -> MarkdownTextObject:
    head = f"*{escape(label)}*\n"
    body = _fit_mrkdwn(value or "-", lim.SECTION_FIELD_TEXT_MAX - lim.slack_len(head))
    return MarkdownTextObject(text=head + body, verbatim=True)


# --- tables ---------------------------------------------------------------------------
def _grade_table_units(answer: Answer) -> list[Unit]:
    """One table unit per ≤100 rows (Slack allows one table per message)."""
    lang = answer.language
    counts, label = _table_source(answer)
    rows = grade_rows(counts, label, lang)
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    size = lim.TABLE_ROWS_MAX - 1
    units: list[Unit] = [
        [table_block([header, *body[i : i + size]])] for i in range(0, len(body), size)
    ]
    summary = answer.summary
    if summary is not None and summary.by_department and len(summary.by_goal) > 1:
        units.append([section(_fit_mrkdwn(_goal_lines(summary.by_goal, lang), 1_500))])
    return units


def _table_source(answer: Answer) -> tuple[dict[str, dict[str, int]], str]:
    """By department when known, else by goal, else derived from complete item rows."""
    lang = answer.language
    summary = answer.summary
    dept = pick(lang, "課", "Department")
    if summary is not None and summary.by_department:
        return summary.by_department, dept
    complete = not any(q.truncated for q in answer.queries)
    if answer.items and complete:
        return count_by_department(answer.items), dept
    if summary is not None and summary.by_goal:
        return summary.by_goal, pick(lang, "基本目標", "Goal")
    grades = summary.grades if summary is not None else {}
    return ({pick(lang, "全体", "All"): grades} if grades else {}), ""


def count_by_department(items: Sequence[AnswerItem]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for item in items:
        row = out.setdefault(item.department, {g.value: 0 for g in Grade})
        row[item.grade.value] += 1
    return out


def grade_rows(counts: dict[str, dict[str, int]], label: str, lang: Language) -> list[list[str]]:
    """Header, one row per key (A/B/C/D/計), and a total row when there are several keys."""
    if not counts:
        return []
    total_label = pick(lang, "計", "Total")
    rows = [[label or "-", *(g.value for g in Grade), total_label]]
    for key, grades in counts.items():
        values = [grades.get(g.value, 0) for g in Grade]
        rows.append([key, *(str(v) for v in values), str(sum(values))])
    if len(counts) > 1:
        sums = [sum(c.get(g.value, 0) for c in counts.values()) for g in Grade]
        rows.append([total_label, *(str(v) for v in sums), str(sum(sums))])
    return rows


def table_block(rows: list[list[str]]) -> Block:
    """Slack's ``table`` block (slack_sdk's TableBlock); the first column wraps."""
    cells = [[RawTextObject(text=lim.truncate(c, 200) or "-") for c in row] for row in rows]
    width = max(len(r) for r in rows)
    settings = [TableBlockColumnSettings(align="left", is_wrapped=True)]
    settings += [TableBlockColumnSettings(align="right") for _ in range(width - 1)]
    return TableBlock(rows=cells, column_settings=settings).to_dict()


def _goal_lines(by_goal: dict[str, dict[str, int]], lang: Language) -> str:
    head = pick(lang, "基本目標別", "By goal")
    lines = [f"{goal}: {t.grade_counts_line(counts, lang)}" for goal, counts in by_goal.items()]
    return f"{head}\n" + "\n".join(lines)


# --- buttons ----------------------------------------------------------------------------
def _page_buttons(answer: Answer, page: int, pages: int, page_size: int) -> list[ButtonElement]:
    if pages <= 1:
        return []
    lang = answer.language
    buttons = []
    ref = answer_ref(answer)
    if page > 0:
        value = action_value({"page": page - 1, "page_size": page_size, "r": ref}, answer.question)
        buttons.append(_button(pick(lang, "◀ 前へ", "◀ Previous"), ACTION_PAGE_PREV, value))
    if page < pages - 1:
        value = action_value({"page": page + 1, "page_size": page_size, "r": ref}, answer.question)
        buttons.append(_button(pick(lang, "次へ ▶", "Next ▶"), ACTION_PAGE_NEXT, value))
    return buttons


def _tool_menu(answer: Answer, admin: bool, *, pages: list[ButtonElement] | None = None) -> Block:
    """The page buttons, then one overflow menu instead of a row of buttons: CSV, XLSX,
    and the reading (with the SQL behind it for admins)."""
    lang = answer.language
    ref = answer_ref(answer)
    entries = []
    if answer.items:
        entries += [("CSV", MENU_CSV), ("XLSX", MENU_XLSX)]
    query = (
        pick(lang, "条件とSQL", "Conditions and SQL")
        if admin
        else pick(lang, "読み取った条件", "How it was read")
    )
    entries.append((query, MENU_QUERY))
    elements: list[ButtonElement | OverflowMenuElement] = list(pages or [])
    if len(entries) == 1:  # an overflow menu needs two options: one is a button
        label, action = entries[0]
        value = _json({"a": action, "r": ref, "l": lang})
        elements.append(_button(label, ACTION_ANSWER_MENU, value))
    else:
        options = [
            Option(
                text=PlainTextObject(text=label), value=_json({"a": action, "r": ref, "l": lang})
            )
            for label, action in entries
        ]
        elements.append(OverflowMenuElement(action_id=ACTION_ANSWER_MENU, options=options))
    return ActionsBlock(elements=elements).to_dict()


def _example_blocks(examples: Sequence[str], lang: Language, title: str) -> list[Block]:
    """One section per example: a button per block keeps each action_id unique in its block."""
    if not examples:
        return []
    blocks = [section(f"*{escape(title)}*")] if title else []
    for question in examples:
        value = lim.truncate(question, lim.ACTION_VALUE_MAX)
        button = _button(pick(lang, "聞く", "Ask"), ACTION_EXAMPLE, value)
        blocks.append(section(_fit_mrkdwn(question, lim.SECTION_TEXT_MAX), accessory=button))
    return blocks


# --- packing into messages -----------------------------------------------------------
def pack_messages(units: list[Unit], text: str, lang: Language) -> list[Message]:
    pages = _pack(units, lang)
    n = len(pages)
    out = []
    for i, blocks in enumerate(pages):
        if i:
            blocks[0] = _continuation(lang, i + 1, n)
        fallback = text if i == 0 else f"{text} {_continued_label(lang, i + 1, n)}"
        lim.ensure_valid(blocks, fallback)
        out.append(Message(text=fallback, blocks=blocks))
    return out


def _pack(units: list[Unit], lang: Language) -> list[list[Block]]:
    """Greedily fill messages up to Slack's limits; a unit never straddles two messages."""
    pages: list[list[Block]] = [[]]
    budget = lim.PageBudget()
    for unit in units:
        if not unit:
            continue
        cost = lim.unit_cost(unit)  # measured once, asked up to twice
        if pages[-1] and not budget.fits(cost):
            # Widest label as placeholder, so the real "2/3" can only make it shorter.
            placeholder = _continuation(lang, 999, 999)
            pages.append([placeholder])
            budget = lim.PageBudget()
            budget.add(lim.unit_cost([placeholder]))
        if not budget.fits(cost):
            raise lim.PayloadTooLarge(lim.validate_message([*pages[-1], *unit], "-"))
        pages[-1].extend(unit)
        budget.add(cost)
    return pages


def _continuation(lang: Language, i: int, n: int) -> Block:
    return context(_continued_label(lang, i, n))


def _continued_label(lang: Language, i: int, n: int) -> str:
    return pick(lang, f"（続き {i}/{n}）", f"(continued {i}/{n})")


# --- small builders -----------------------------------------------------------------


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def header(text: str) -> Block:
    plain = PlainTextObject(text=_fit_plain(text, lim.HEADER_TEXT_MAX) or "planbot", emoji=False)
    return HeaderBlock(text=plain).to_dict()


def section(mrkdwn: str, *, accessory: ButtonElement | None = None) -> Block:
    # verbatim: report text is never turned into links or mentions.
    text = MarkdownTextObject(text=mrkdwn or "-", verbatim=True)
    return SectionBlock(text=text, accessory=accessory).to_dict()


def context(raw: str) -> Block:
    text = MarkdownTextObject(text=_fit_mrkdwn(raw, lim.SECTION_TEXT_MAX) or "-", verbatim=True)
    return ContextBlock(elements=[text]).to_dict()


def _button(label: str, action_id: str, value: str) -> ButtonElement:
    text = PlainTextObject(text=lim.truncate(label, lim.BUTTON_TEXT_MAX), emoji=True)
    return ButtonElement(text=text, action_id=action_id, value=value)


def _fit_plain(text: str, limit: int) -> str:
    return lim.truncate(" ".join(text.split()), limit)


def _fit_mrkdwn(raw: str, limit: int) -> str:
    """Escape, then cut the raw text (never an ``&amp;``) until the escaped text fits."""
    budget = limit
    out = escape(lim.truncate(raw, budget))
    while lim.slack_len(out) > limit:
        budget -= lim.slack_len(out) - limit
        out = escape(lim.truncate(raw, budget))
    return out


def _split(text: str | list[str]) -> list[str]:
    """Raw text in pieces whose escaped form fits a section."""
    joined = text if isinstance(text, str) else "\n".join(text)
    return _split_raw(joined.strip(), lim.SECTION_TEXT_MAX)


def _split_raw(raw: str, limit: int) -> list[str]:
    """Cut ``raw`` so each escaped piece fits ``limit``, preferring line or sentence ends."""
    chunks: list[str] = []
    rest = raw
    while rest:
        if lim.slack_len(escape(rest)) <= limit:
            chunks.append(rest)
            break
        cut = _cut_point(rest, limit)
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return chunks


def _cut_point(raw: str, limit: int) -> int:
    used = n = 0
    for ch in raw:
        used += lim.slack_len(escape(ch))
        if used > limit:
            break
        n += 1
    if n and "\ud800" <= raw[n - 1] <= "\udbff":
        n -= 1  # keep a surrogate pair (from raw JSON) together
    natural = max(raw.rfind("\n", 0, n), raw.rfind("。", 0, n))
    # A natural break only when it does not waste more than a fifth of the section.
    return natural + 1 if natural >= n * 4 // 5 else max(n, 1)


def _headline(answer: Answer) -> str:
    """The core's "<reading>: <count>" line; not always the first (a trend may open with
    a note that no earlier year exists)."""
    lines = [ln for ln in answer.text.splitlines() if ln.strip()]
    if answer.reading:
        for line in lines:
            if line.startswith(answer.reading):
                return line
    return lines[0] if lines else answer.reading or "planbot"


def _head(answer: Answer, *, as_header: bool = True) -> Unit:
    """The header (or, above items that bring their own, a bold line), then any note
    the core put before it."""
    headline = _headline(answer)
    notes = answer.text.split(headline, 1)[0].strip() if headline in answer.text else ""
    first = header(headline) if as_header else section(f"*{_fit_mrkdwn(headline, 2_900)}*")
    return [first, *([context(notes)] if notes else [])]


def _fallback_text(answer: Answer) -> str:
    return escape(_fit_plain(_headline(answer), FALLBACK_TEXT_MAX))


def _page_label(start: int, shown: int, total: int, page: int, pages: int, lang: Language) -> str:
    span = f"{start + 1}–{start + shown}"
    return pick(
        lang,
        f"{span}件目 / 全{total}件（ページ {page + 1}/{pages}）",
        f"items {span} of {total} (page {page + 1}/{pages})",
    )


def _more_label(n: int, lang: Language) -> str:
    return pick(lang, f"ほか{n}件はCSV/XLSXで確認できます。", f"{n} more in the CSV/XLSX export.")


def _truncation_note(answer: Answer) -> list[Block]:
    if not any(q.truncated for q in answer.queries):
        return []
    return [context(t.first_rows_note(len(answer.items), answer.language))]


def _query_code(run: QueryRun, lang: Language) -> str:
    rows = pick(lang, f"{run.rows}行", f"{run.rows} row" + ("" if run.rows == 1 else "s"))
    cut = pick(lang, "（打ち切り）", " (truncated)") if run.truncated else ""
    params = [
        f"  {k} = {json.dumps(v, ensure_ascii=False, default=str)}"
        for k, v in sorted(run.params.items())
    ]
    body = "\n".join([f"{run.name}  ({rows}{cut}, {run.elapsed_ms:.1f}ms)", *params])
    return "```" + _fit_mrkdwn(body, lim.SECTION_TEXT_MAX - 6) + "```"
