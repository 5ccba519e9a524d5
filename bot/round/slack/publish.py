"""Publishing a closed round: the report as a workbook in the report's layout (the same
file `planbot export` writes), announced in the channel where it was closed and to every
admin."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.report_files import export_filename, report_xlsx
from bot.round.service import Closed
from bot.round.slack.views import round_title
from bot.slack.delivery import Upload, upload_files

log = logging.getLogger(__name__)


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
    admins: Sequence[str], client: WebClient, closed: Closed, *, channel: str | None
) -> None:
    text = announcement(closed)
    upload = Upload(
        content=report_xlsx(closed.report),
        filename=export_filename(closed.report, "xlsx"),
        title=closed.report.title,
    )
    if channel:
        try:
            upload_files(client, channel, [upload], comment=text)
        except SlackApiError:
            log.exception(
                "could not upload the FY%s report to %s", closed.round.fiscal_year, channel
            )
    for admin in admins:
        try:
            client.chat_postMessage(channel=admin, text=text)
        except SlackApiError:
            log.exception("could not tell admin %s that the round closed", admin)
