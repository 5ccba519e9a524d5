"""``/plan stats`` (admins): the most asked questions and those planbot could not answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.models import Language
from bot.render import limits
from bot.render.blocks import Message, escape
from bot.slack.context import SlackServices
from bot.state import QuestionCount

DEFAULT_DAYS = 30
TOP = 10


def parse_days(arg: str) -> int:
    try:
        days = int(arg.strip().removesuffix("日").removesuffix("d"))
    except ValueError:
        return DEFAULT_DAYS
    return min(max(days, 1), 3650)


def stats_message(services: SlackServices, lang: Language, *, days: int) -> Message:
    ja = lang == "ja"
    log = services.questions
    tz = ZoneInfo(services.settings.timezone)
    total = log.total(days=days)
    head = (
        f"*planbot の利用状況（直近{days}日・質問{total}件）*"
        if ja
        else f"*planbot usage (last {days} days, {total} questions)*"
    )
    sections = [
        head,
        _ranking(
            "よく聞かれる質問" if ja else "Most asked",
            log.most_asked(days=days, limit=TOP),
            lang,
            tz,
        ),
        _ranking(
            "答えられなかった質問（0件・理解できず・エラー）"
            if ja
            else "Unanswered (no results, not understood, failed)",
            log.unanswered(days=days, limit=TOP),
            lang,
            tz,
        ),
    ]
    sections.append(
        _audit("取り込みの記録" if ja else "Report uploads and rollbacks", services, tz)
    )
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": limits.truncate(s, limits.SECTION_TEXT_MAX)},
        }
        for s in sections
    ]
    text = "planbot の利用状況" if ja else "planbot usage"
    limits.ensure_valid(blocks, text)
    return Message(text=text, blocks=blocks)


_AUDIT_WORDS = {
    "upload": "受付",
    "refused": "拒否",
    "confirmed": "取り込み",
    "cancelled": "キャンセル",
    "rollback": "ロールバック",
}


def _audit(title: str, services: SlackServices, tz: ZoneInfo) -> str:
    """Who uploaded, confirmed, refused or rolled back what, and when (latest first)."""
    entries = services.audit.recent(limit=TOP)
    if not entries:
        return f"*{title}*\n（なし）"
    lines = [f"*{title}*"]
    for e in entries:
        when = datetime.fromtimestamp(e.at, tz).strftime("%Y-%m-%d %H:%M")
        who = f"<@{e.user_id}>" if e.user_id else "-"
        checksum = f" sha256:{e.checksum[:12]}" if e.checksum else ""
        name = escape(limits.truncate(e.file_name or "", 80))
        detail = escape(limits.truncate(e.detail, 120))
        lines.append(f"{when} {_AUDIT_WORDS[e.action]} {who} {name}{checksum} {detail}".rstrip())
    return "\n".join(lines)


def _ranking(title: str, rows: list[QuestionCount], lang: Language, tz: ZoneInfo) -> str:
    if not rows:
        return f"*{title}*\n" + ("（なし）" if lang == "ja" else "(none)")
    lines = [f"*{title}*"]
    for i, row in enumerate(rows, start=1):
        when = datetime.fromtimestamp(row.last_asked_at, tz).strftime("%Y-%m-%d")
        times = f"{row.asked}回" if lang == "ja" else f"{row.asked}×"
        question = escape(limits.truncate(row.question, 200))
        lines.append(
            f"{i}. {question} — {times}（最終 {when}）"
            if lang == "ja"
            else f"{i}. {question} — {times} (last {when})"
        )
    return "\n".join(lines)
