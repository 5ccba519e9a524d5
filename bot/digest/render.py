"""A digest as Slack messages (Block Kit), split within Slack's limits, and as text.

A national digest (every municipality) changes thousands of grades a year and names
hundreds of report files and departments: such lists are cut to what a message can
carry, and each cut says how many it left out and where to see them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.digest.compose import Digest
from bot.models import Grade, Language
from bot.render import blocks as bk
from bot.render import limits as lim
from bot.render import text as t
from bot.render.text import pick

#: The grade section's list of items whose grade changed since the previous year.
CHANGED_ITEMS_TEXT_MAX = 1_500
#: The sources line (one report file is ~50 characters).
SOURCES_TEXT_MAX = 1_000
#: Departments in the by-department table; beyond, those with the most C/D grades.
DEPARTMENT_ROWS_MAX = 50
#: A table's share of a message: the rest holds its title and a continuation line.
TABLE_JSON_MAX = lim.MESSAGE_BLOCKS_JSON_MAX - 1_500


def _grade_line(digest: Digest) -> str:
    parts = []
    for g in Grade:
        n = digest.grades.get(g.value, 0)
        part = f"{g.value} {n}"
        if digest.previous_grades is not None:
            delta = n - digest.previous_grades.get(g.value, 0)
            part += f" ({delta:+d})"
        parts.append(part)
    return " / ".join(parts)


def digest_text(digest: Digest) -> str:
    """The digest as plain text (previews, logs, the Slack fallback)."""
    lang: Language = "ja" if digest.language == "ja" else "en"
    lines = [_title(digest), _period(digest)]
    lines.append(pick(lang, "評価の内訳: ", "Grades: ") + _grade_line(digest))
    if digest.previous_fiscal_year is not None:
        lines.append(
            t.changed_items_line(digest.year_changes, lang, whose=digest.several_municipalities)
        )
    lines.append(f"{t.attention_title(lang)}:")
    if digest.attention:
        where = t.origins(digest.attention)
        lines.extend(t.attention_lines(digest.attention, lang, where=where))
    else:
        lines.append(pick(lang, "  なし", "  none"))
    more = digest.attention_total - len(digest.attention)
    if more > 0:
        lines.append(pick(lang, f"  ほか{more}件", f"  and {more} more"))
    lines.append(pick(lang, "課別:", "By department:"))
    for dept, counts in digest.by_department.items():
        lines.append(f"  {dept}: {t.grade_counts_line(counts, lang)}")
    lines.append(pick(lang, "前回からの変化:", "Since the previous digest:"))
    lines.extend(f"  {c}" for c in digest.changes)
    lines.append(pick(lang, "出典: ", "Sources: ") + "; ".join(digest.sources))
    return "\n".join(lines)


def _title(digest: Digest) -> str:
    lang = digest.language
    fy = t.fiscal_year_label(digest.fiscal_year, "ja" if lang == "ja" else "en")
    return pick(
        lang, f"進捗ダイジェスト（{digest.scope}・{fy}）", f"Progress digest ({digest.scope}, {fy})"
    )


def _period(digest: Digest) -> str:
    lang = digest.language
    end = digest.fire_time.strftime("%Y-%m-%d %H:%M %Z")
    start = digest.period_start.strftime("%Y-%m-%d") + " – " if digest.period_start else ""
    as_of = _in_zone_of(digest.as_of, digest.fire_time)
    return pick(
        lang,
        f"期間: {start}{end}　データ時点: {as_of}",
        f"Period: {start}{end} · data as of {as_of}",
    )


def _in_zone_of(stamp: str, clock: datetime) -> str:
    """The warehouse's UTC timestamp in the digest's own timezone (JST), so the line
    names one timezone only."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:19].replace("T", " ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(clock.tzinfo).strftime("%Y-%m-%d %H:%M %Z")


def digest_messages(digest: Digest) -> list[bk.Message]:
    """Block Kit messages for a digest; as many as Slack's limits require."""
    lang: Language = "ja" if digest.language == "ja" else "en"
    units: list[list[bk.Block]] = [
        [bk.header(_title(digest)), bk.context(_period(digest))],
        [
            bk.section(
                "*"
                + pick(lang, "評価の内訳", "Grades")
                + f"* ({t.count_label(digest.items, lang)})\n"
                + _grade_line(digest)
                + (
                    pick(
                        lang,
                        f"\n（括弧内は FY{digest.previous_fiscal_year} との差）",
                        f"\n(change from FY{digest.previous_fiscal_year} in brackets)",
                    )
                    if digest.previous_fiscal_year
                    else ""
                )
                + ("\n" + _changed_items(digest, lang) if digest.previous_fiscal_year else "")
            )
        ],
        [
            bk.section(
                "*"
                + t.attention_title(lang)
                + "*"
                + ("" if digest.attention else pick(lang, "\nなし", "\nnone"))
            )
        ],
    ]
    where = t.origins(digest.attention)
    for item in digest.attention:
        body = bk.escape(t.item_line(item, lang, where=where))
        if item.next_plan_text:
            body += "\n> " + f"{t.next_plan_label(lang)}: " + bk.escape(item.next_plan_text)
        units.append([bk.section(lim.truncate(body, lim.SECTION_TEXT_MAX))])
    more = digest.attention_total - len(digest.attention)
    if more > 0:
        units.append(
            [
                bk.context(
                    pick(
                        lang,
                        f"ほか{more}件（/plan summary で一覧と CSV を取得できます）",
                        f"and {more} more (/plan summary lists them all, with CSV)",
                    )
                )
            ]
        )
    if digest.by_department:
        units.extend(_department_units(digest, lang))
    units.append(
        [bk.section("*" + pick(lang, "前回からの変化", "Since the previous digest") + "*")]
    )
    changes = [lim.truncate(bk.escape(c), lim.SECTION_TEXT_MAX) for c in digest.changes]
    for chunk in _chunks(changes, 2_500):
        units.append([bk.section(chunk)])
    units.append([bk.context(_sources_line(digest, lang))])
    return bk.pack_messages(units, _title(digest), lang)


def _most_that_fit(count: int, render: Callable[[int], str], limit: int) -> int:
    """The largest n ≤ count (at least 1) whose ``render(n)`` is within ``limit``
    characters; ``render`` grows with n."""
    low, high = 1, max(count, 1)
    while low < high:
        mid = (low + high + 1) // 2
        if lim.slack_len(render(mid)) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def _changed_items(digest: Digest, lang: Language) -> str:
    """The items whose grade changed since the previous year, as many as fit; the rest
    counted, with the question whose answer lists them all (and exports them)."""
    changes = digest.year_changes
    if digest.scope_kind == "plan":
        question = pick(lang, "評価が変わった事業", "grade changes since last year")
    else:
        question = pick(
            lang,
            f"{digest.scope}で評価が変わった事業",
            f"grade changes since last year in {digest.scope}",
        )

    def render(n: int) -> str:
        listed = bk.escape(
            t.changed_items_line(changes[:n], lang, whose=digest.several_municipalities)
        )
        more = len(changes) - n
        if more <= 0:
            return listed
        return listed + bk.escape(
            pick(
                lang,
                f" ほか{more}件（「{question}」と聞くと一覧と CSV を取得できます）",
                f" and {more} more (ask “{question}” for the list, with CSV)",
            )
        )

    # No item's entry is shorter than "事業1 A→B, ": the search needs look no further.
    most = min(len(changes), CHANGED_ITEMS_TEXT_MAX // 10)
    return render(_most_that_fit(most, render, CHANGED_ITEMS_TEXT_MAX))


def _sources_line(digest: Digest, lang: Language) -> str:
    """The report files the digest read, as many as fit; the rest counted."""
    sources = [bk.escape(s) for s in digest.sources]

    def render(n: int) -> str:
        more = len(sources) - n
        tail = (
            pick(
                lang,
                f"; ほか{more}件（回答の CSV/XLSX に各行の出典ファイルがあります）",
                f"; and {more} more (each row's file is in an answer's CSV/XLSX)",
            )
            if more > 0
            else ""
        )
        return pick(lang, "出典: ", "Sources: ") + "; ".join(sources[:n]) + tail

    return render(_most_that_fit(len(sources), render, SOURCES_TEXT_MAX))


def _department_units(digest: Digest, lang: Language) -> list[list[bk.Block]]:
    """The by-department table, in as many tables (messages) as its size needs; beyond
    DEPARTMENT_ROWS_MAX departments, those with the most C/D grades, the rest counted.
    The total row always counts every department."""
    counts = digest.by_department
    head, *body = bk.grade_rows(counts, pick(lang, "課", "Department"), lang)
    total = [body.pop()] if len(counts) > 1 else []
    title = "*" + pick(lang, "課別", "By department") + "*"
    left_out = len(body) - DEPARTMENT_ROWS_MAX
    if left_out > 0:
        c, d = head.index("C"), head.index("D")
        body = sorted(body, key=lambda row: -(int(row[c]) + int(row[d])))[:DEPARTMENT_ROWS_MAX]
        title += pick(
            lang,
            f"（C・D評価の多い{DEPARTMENT_ROWS_MAX}課、全{len(counts)}課）",
            f" ({DEPARTMENT_ROWS_MAX} with the most C/D grades, of {len(counts)})",
        )
    first, *rest = _tables(head, [*body, *total])
    units: list[list[bk.Block]] = [[bk.section(title), first], *([table] for table in rest)]
    if left_out > 0:
        units.append(
            [
                bk.context(
                    pick(
                        lang,
                        f"ほか{left_out}課（/plan summary で課別の一覧と CSV を取得できます）",
                        f"and {left_out} more departments (/plan summary lists them all, with CSV)",
                    )
                )
            ]
        )
    return units


def _tables(head: list[str], rows: Sequence[list[str]]) -> list[bk.Block]:
    """Table blocks of ``rows`` under ``head``, each within a message's share."""
    # Each row's share of the JSON, measured once: rebuilding a growing table for every
    # row made a national digest's table most of its rendering time.
    bare = lim.blocks_json_len([bk.table_block([head])])
    tables: list[list[list[str]]] = [[]]
    size = bare
    for row in rows:
        cost = lim.blocks_json_len([bk.table_block([head, row])]) - bare
        if tables[-1] and (
            len(tables[-1]) + 1 >= lim.TABLE_ROWS_MAX or size + cost > TABLE_JSON_MAX
        ):
            tables.append([])
            size = bare
        tables[-1].append(row)
        size += cost
    return [bk.table_block([head, *chunk]) for chunk in tables]


def _chunks(lines: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
