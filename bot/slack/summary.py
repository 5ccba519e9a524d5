"""``/plan summary <department|goal>``: a manager's summary, posted where it was asked.

In the channel: the grade distribution and the items needing attention (C/D) with
next year's plan. In its thread: the bar chart, the rows as CSV and XLSX, then every
item. Where planbot is not a member, the summary is shown only to the caller, the
files go to their DM, and they are told how to post it for everyone.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ask.language import question_language
from bot.models import Answer, Intent, Language
from bot.render.blocks import answer_messages, listing_messages
from bot.render.chart import grade_chart_png
from bot.render.export import export_filename, to_csv, to_xlsx
from bot.slack.answering import Asker, admin_view, ask, reply_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import (
    NotInChannel,
    Upload,
    post_messages,
    respond_messages,
    respond_text,
    upload_files,
)
from bot.slack.wording import files_comment, summary_shown_privately
from bot.slack.working import WorkingNotice

#: Past this many items the thread gets the files only: a long list helps nobody in
#: Slack and costs a message per second of rate limit.
ITEMS_INLINE_MAX = 60


def summary_question(target: str) -> str:
    """The question the core answers as a summary ("高齢者支援課のまとめ")."""
    target = target.strip()
    if not target:
        return "まとめ"
    return f"{target}のまとめ" if question_language(target) == "ja" else f"summary for {target}"


def chart_groups(answer: Answer) -> dict[str, dict[str, int]]:
    """Bars per department; for a single department, per goal, which says more."""
    summary = answer.summary
    if summary is None:
        return {}
    if len(summary.by_department) == 1 and len(summary.by_goal) > 1:
        return summary.by_goal
    return summary.by_department or summary.by_goal


def summary_files(answer: Answer) -> list[Upload]:
    lang: Language = answer.language
    title = answer.text.splitlines()[0] if answer.text else answer.reading
    chart_title = f"{answer.reading} " + ("評価の分布" if lang == "ja" else "grades")
    return [
        Upload(
            grade_chart_png(chart_groups(answer), title=chart_title, lang=lang),
            export_filename(answer, "png"),
            chart_title,
        ),
        Upload(to_csv(answer), export_filename(answer, "csv"), f"{title} (CSV)"),
        Upload(to_xlsx(answer), export_filename(answer, "xlsx"), f"{title} (XLSX)"),
    ]


def post_summary(
    services: SlackServices,
    client: WebClient,
    respond: Respond,
    *,
    target: str,
    channel: str,
    user: str | None,
) -> None:
    question = summary_question(target)
    result = ask(services, question, Asker(user=user, channel=channel, surface="command"))
    if (
        not isinstance(result, Answer)
        or not result.ok
        or result.intent != Intent.SUMMARY
        or not result.count
    ):
        # Not understood, unknown department, nothing found: only the caller needs to see it.
        respond_messages(respond, reply_messages(result), response_type="ephemeral")
        return
    admin = admin_view(services, user)
    lang = result.language
    after = services.settings.working_notice_s
    try:
        with WorkingNotice(client, channel, thread_ts=None, lang=lang, after_s=after) as notice:
            files = summary_files(result)
        (ts, *_) = notice.deliver(answer_messages(result, admin=admin))
        upload_files(client, channel, files, thread_ts=ts, comment=files_comment(lang))
        if result.count <= ITEMS_INLINE_MAX:
            listing = result.model_copy(update={"intent": Intent.LIST})
            post_messages(client, channel, listing_messages(listing), thread_ts=ts)
    except NotInChannel:
        _summary_privately(client, respond, result, user, admin=admin)


def _summary_privately(
    client: WebClient, respond: Respond, result: Answer, user: str | None, *, admin: bool
) -> None:
    """Where planbot is not a member (a channel it was not invited to, a DM between
    people): the summary only for the caller, the files in their DM with planbot, and
    how to post it for everyone."""
    lang = result.language
    respond_messages(respond, answer_messages(result, admin=admin), response_type="ephemeral")
    dm = None
    if user:
        # Posting to the user id opens the DM with chat:write alone (see export.py).
        opened = client.chat_postMessage(channel=user, text=files_comment(lang))
        dm = str(opened["channel"])
        upload_files(client, dm, summary_files(result), thread_ts=str(opened["ts"]))
    respond_text(respond, summary_shown_privately(lang, dm))
