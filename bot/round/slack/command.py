"""``/plan round …``: open, assign, status, close, or (with nothing after it) your list."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.render.blocks import Message
from bot.round.models import Role
from bot.round.service import Closed, CloseRefused, RoundError
from bot.round.slack import views as v
from bot.round.slack.notify import dm_assignments
from bot.round.slack.publish import publish_report
from bot.slack.access import is_admin
from bot.slack.context import SlackServices
from bot.slack.delivery import respond_messages, respond_text
from bot.text import era_to_fiscal_year

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_DATE = re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?")
_YEAR = re.compile(r"(?:(令和|R)\s*(\d{1,2}|元)|(\d{4}))\s*(?:年度)?")
ADMIN_ACTIONS = {"open", "assign", "reviewer", "close"}
_ALIASES = {
    "開始": "open",
    "担当": "assign",
    "確認者": "reviewer",
    "進捗": "status",
    "締切り": "close",
    "終了": "close",
    "一覧": "mine",
}


def run_round(
    services: SlackServices,
    args: str,
    *,
    user: str | None,
    channel: str,
    client: WebClient,
    respond: Respond,
) -> None:
    text = unicodedata.normalize("NFKC", args).strip()
    action, _, rest = text.partition(" ")
    action = _ALIASES.get(action, action.casefold()) or "mine"
    if action in ADMIN_ACTIONS and not is_admin(services.settings, user):
        respond_text(respond, "評価ラウンドの開始・担当の指定・締切は管理者だけができます。")
        return
    rounds = services.rounds
    by = user or "?"
    try:
        if action == "open":
            rnd = rounds.open(*_open_args(rest), by)
            progress = rounds.progress(rnd.fiscal_year)
            members = rounds.members(rnd)
            told = dm_assignments(services, client, rnd, [m.user_id for m in members])
            respond_text(
                respond,
                f"{v.round_title(rnd)}を開始しました: {len(progress.departments)}課・{progress.total}件、"
                f"締切 {rnd.deadline:%Y-%m-%d}。担当者 {told}人に送りました。"
                "担当者は `/plan round assign 課 @名前` で指定できます。",
            )
        elif action in ("assign", "reviewer"):
            people = _MENTION.findall(rest)
            department = _MENTION.sub("", rest).strip()
            role = Role.REVIEWER if action == "reviewer" else Role.ASSIGNEE
            resolved, added = rounds.assign(department, people, by, role=role)
            told = 0
            if role is Role.ASSIGNEE:
                told = dm_assignments(
                    services, client, rounds.current(), [m.user_id for m in added]
                )
            who = "、".join(f"<@{m.user_id}>" for m in added) or "（追加なし）"
            label = "確認者" if role is Role.REVIEWER else "担当者"
            respond_text(
                respond,
                f"{resolved}の{label}: {who}" + (f"（{told}人に一覧を送りました）" if told else ""),
            )
        elif action == "status":
            progress = rounds.progress()
            lines = [
                f"*{v.round_title(rounds.current())}* 締切 {progress.deadline:%Y-%m-%d}｜"
                f"提出 {progress.submitted}/{progress.total}・承認 {progress.approved}・未提出 {progress.open}"
            ]
            lines += [
                f"・{d.department}: 提出 {d.submitted}/{d.total}・承認 {d.approved}・未提出 {d.open}"
                for d in progress.departments
            ]
            respond_text(respond, "\n".join(lines))
        elif action == "close":
            force = any(w in rest.casefold() for w in ("force", "--force", "強制"))
            result = rounds.close(by, force=force)
            if isinstance(result, CloseRefused):
                listed = "\n".join(
                    f"・事業{e.item_no} {e.department}（{e.status.label('ja')}）"
                    for e in result.open[:40]
                )
                more = f"\n…ほか{len(result.open) - 40}件" if len(result.open) > 40 else ""
                respond_text(
                    respond,
                    f"未提出の評価が{len(result.open)}件あるため締め切れません"
                    f"（`/plan round close force` で締め切れます）:\n{listed}{more}",
                )
                return
            assert isinstance(result, Closed)
            publish_report(services.settings.admins, client, result, channel=channel)
            missing = f"（未提出 {len(result.missing)}件は含みません）" if result.missing else ""
            respond_text(
                respond,
                f"締め切りました。{result.round.fiscal_year}年度の報告書として"
                f"{len(result.report.evaluations)}件を登録しました{missing}。",
            )
        else:
            rnd = rounds.current()
            mine = rounds.assignments(by)
            if not mine:
                respond_text(respond, f"{v.round_title(rnd)}: あなたの担当の事業はありません。")
                return
            messages = [Message(text=t, blocks=b) for t, b in v.assignment_messages(rnd, mine)]
            respond_messages(respond, messages, response_type="ephemeral")
    except RoundError as exc:
        respond_text(respond, exc.ja)


def _open_args(rest: str) -> tuple[int, date]:
    found = _DATE.search(rest)
    if not found:
        raise RoundError(
            "締切日を YYYY-MM-DD で書いてください（例: /plan round open 2020 締切 2021-05-31）",
            "give the deadline as YYYY-MM-DD",
        )
    deadline = date(int(found[1]), int(found[2]), int(found[3]))
    year = _YEAR.search(rest[: found.start()] + " " + rest[found.end() :])
    if not year:
        raise RoundError(
            "年度を書いてください（例: 2020 または 令和2年度）", "give the fiscal year"
        )
    fiscal_year = era_to_fiscal_year("令和", year[2]) if year[1] else int(year[3])
    return fiscal_year, deadline
