"""Publishing a closed round: the report as a file in the report's layout, announced in
the channel where it was closed and to every admin."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.round.export import report_text
from bot.round.service import Closed
from bot.round.slack.views import round_title
from bot.slack.context import SlackServices
from bot.slack.delivery import Upload, upload_files

log = logging.getLogger(__name__)


def report_filename(closed: Closed) -> str:
    return f"{closed.report.plan}_{closed.round.fiscal_year}年度_進捗状況調査.txt"


def announcement(closed: Closed) -> str:
    rnd = closed.round
    text = (
        f"📘 {round_title(rnd)}を締め切り、{rnd.fiscal_year}年度の報告書として"
        f"{len(closed.report.evaluations)}件を登録しました（締切処理: <@{rnd.closed_by}>）。"
        f"「{rnd.fiscal_year}年度のC評価」などの質問にすぐ答えられます。"
    )
    if closed.missing:
        text += "\n未提出のため含まれていない評価: " + "、".join(
            f"事業{e.item_no} {e.department}" for e in closed.missing[:30]
        )
    return text


def publish_report(
    services: SlackServices, client: WebClient, closed: Closed, *, channel: str | None
) -> None:
    text = announcement(closed)
    upload = Upload(
        content=report_text(closed.report).encode("utf-8"),
        filename=report_filename(closed),
        title=closed.report.title,
    )
    if channel:
        try:
            upload_files(client, channel, [upload], comment=text)
        except SlackApiError:
            log.exception(
                "could not upload the FY%s report to %s", closed.round.fiscal_year, channel
            )
    for admin in services.settings.admins:
        try:
            client.chat_postMessage(channel=admin, text=text)
        except SlackApiError:
            log.exception("could not tell admin %s that the round closed", admin)
