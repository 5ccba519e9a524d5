"""A digest as Slack messages (Block Kit), split within Slack's limits, and as text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digest.compose import Digest
from bot.models import Grade, Language
from bot.render import blocks as bk
from bot.render import limits as lim
from bot.render import text as t
from bot.render.text import pick


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
        lines.append(t.changed_items_line(digest.year_changes, lang))
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
                + (
                    "\n" + bk.escape(t.changed_items_line(digest.year_changes, lang))
                    if digest.previous_fiscal_year
                    else ""
                )
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
        rows = bk.grade_rows(digest.by_department, pick(lang, "課", "Department"), lang)
        units.append(
            [bk.section("*" + pick(lang, "課別", "By department") + "*"), bk.table_block(rows)]
        )
    units.append(
        [bk.section("*" + pick(lang, "前回からの変化", "Since the previous digest") + "*")]
    )
    for chunk in _chunks([bk.escape(c) for c in digest.changes], 2_500):
        units.append([bk.section(chunk)])
    units.append(
        [bk.context(pick(lang, "出典: ", "Sources: ") + bk.escape("; ".join(digest.sources)))]
    )
    return bk.pack_messages(units, _title(digest), lang)


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
