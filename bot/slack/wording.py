"""What planbot says in Slack when it is not an answer: refusals, hints, failures.

Each message exists in Japanese and English; staff write Japanese, but English
questions get English replies.
"""

from __future__ import annotations

from bot.models import Language
from bot.render.text import pick

INVITE_COMMAND = "/invite @planbot"


def invite_hint(lang: Language) -> str:
    return pick(
        lang,
        "planbot はこのチャンネルのメンバーではないため、ここには投稿できません。"
        f"チャンネルで `{INVITE_COMMAND}` と入力して招待してから、もう一度お試しください。",
        "planbot is not a member of this channel, so it cannot post here. "
        f"Type `{INVITE_COMMAND}` in the channel to invite it, then try again.",
    )


def channel_not_allowed(lang: Language) -> str:
    return pick(
        lang,
        "planbot はこのチャンネルでは回答しない設定になっています。"
        "DM か、planbot が使えるチャンネルで質問してください。",
        "planbot is set up not to answer in this channel. "
        "Ask in a direct message or in a channel where planbot is enabled.",
    )


def admins_only(lang: Language) -> str:
    return pick(
        lang,
        "このコマンドは planbot の管理者だけが使えます。",
        "Only planbot administrators can use this command.",
    )


def warehouse_missing(lang: Language) -> str:
    return pick(
        lang,
        "まだ報告書のデータが取り込まれていないため、答えられません。"
        "管理者が `make ingest`（または `planbot ingest`）を実行すると使えるようになります。",
        "No progress report has been loaded yet, so planbot cannot answer. "
        "An administrator needs to run `make ingest` (or `planbot ingest`).",
    )


def nothing_to_export(lang: Language) -> str:
    return pick(
        lang,
        "この回答には書き出せる行がありません。",
        "This answer has no rows to export.",
    )


def files_comment(lang: Language) -> str:
    return pick(lang, "グラフと一覧（CSV・XLSX）", "Chart and rows (CSV, XLSX)")


def export_comment(lang: Language, question: str) -> str:
    return pick(lang, f"「{question}」の一覧", f'Rows for "{question}"')


def answer_forgotten(lang: Language) -> str:
    return pick(
        lang,
        "この回答は古くなったため、もう扱えません。もう一度質問してください。",
        "This answer is too old to act on now. Please ask the question again.",
    )


def nothing_to_ask(lang: Language) -> str:
    return pick(
        lang,
        "このメッセージには質問にできる文字がありません。",
        "This message has no text to ask planbot about.",
    )


def summary_shown_privately(lang: Language, dm_channel: str | None) -> str:
    """Said under a summary shown only to its caller, where planbot is not a member."""
    link = f"<https://slack.com/app_redirect?channel={dm_channel}|DM>" if dm_channel else ""
    files = (
        pick(
            lang,
            f"グラフとCSV・XLSXは{link}に送りました。",
            f"The chart, CSV and XLSX are in your {link}.",
        )
        if dm_channel
        else ""
    )
    return pick(
        lang,
        "planbot はここのメンバーではないため、このまとめはあなたにだけ表示しています。"
        f"{files}チャンネルに公開するには `{INVITE_COMMAND}` で招待してから、もう一度"
        " `/plan summary` を実行してください。",
        "planbot is not a member here, so this summary is shown only to you. "
        f"{files} To post it for everyone, invite it with `{INVITE_COMMAND}` and run"
        " `/plan summary` again.",
    )
