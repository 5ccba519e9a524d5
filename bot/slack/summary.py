"""``/plan summary <department|goal>``: a manager's summary, posted where it was asked.

In the channel: the grade distribution and the items needing attention (C/D) with
next year's plan. In its thread: the bar chart, the rows as CSV and XLSX, then every
item. If planbot is not in the channel, the caller is told how to invite it.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ask.language import question_language
from bot.models import Answer, Language
from bot.render.blocks import answer_messages
from bot.render.chart import grade_chart_png
from bot.render.export import export_filename, to_csv, to_xlsx
from bot.slack.answering import Asker, ask, reply_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import (
    NotInChannel,
    Upload,
    post_messages,
    respond_messages,
    respond_text,
    upload_files,
)
from bot.slack.wording import files_comment, invite_hint

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
        or result.intent != "summary"
        or not result.count
    ):
        # Not understood, unknown department, nothing found: only the caller needs to see it.
        respond_messages(respond, reply_messages(result), response_type="ephemeral")
        return
    try:
        (ts, *_) = post_messages(client, channel, answer_messages(result))
        upload_files(
            client,
            channel,
            summary_files(result),
            thread_ts=ts,
            comment=files_comment(result.language),
        )
        if result.count <= ITEMS_INLINE_MAX:
            listing = result.model_copy(update={"intent": "list"})
            everything = answer_messages(listing, page_size=max(len(result.items), 1))
            post_messages(client, channel, everything, thread_ts=ts)
    except NotInChannel:
        respond_text(respond, invite_hint(result.language))
