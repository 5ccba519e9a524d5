"""The App Home view: grades per department, items needing attention, examples."""

from __future__ import annotations

from typing import Any

from bot.models import Answer, Grade, Language
from bot.render.blocks import home_view
from bot.slack.answering import ask
from bot.slack.context import SlackServices
from bot.slack.wording import warehouse_missing

WHOLE_PLAN_QUESTION: dict[Language, str] = {"ja": "まとめ", "en": "summary"}


def build_home_view(
    services: SlackServices, language: Language, *, user: str | None = None
) -> dict[str, Any]:
    view = _plan_home_view(services, language)
    if user:
        from bot.round.slack.notify import round_home

        # An open evaluation round comes first: the person's items, or the admins' board.
        round_blocks = round_home(services, user)
        if round_blocks:
            keep = HOME_BLOCKS_MAX - len(round_blocks)
            view = {**view, "blocks": round_blocks + view["blocks"][: max(keep, 0)]}
    return view


#: Slack's limit on the blocks of a Home tab.
HOME_BLOCKS_MAX = 100


def _plan_home_view(services: SlackServices, language: Language) -> dict[str, Any]:
    result = ask(services, WHOLE_PLAN_QUESTION[language], log_it=False)
    if not isinstance(result, Answer) or result.fiscal_year is None:
        text = result.text if not isinstance(result, Answer) else warehouse_missing(language)
        return {
            "type": "home",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        }
    by_department = result.summary.by_department if result.summary else {}
    attention = [i for i in result.items if i.grade in (Grade.C, Grade.D)]
    examples = services.answerer.examples(language)
    return home_view(
        by_department, attention, examples, result.fiscal_year, language, summary=result.summary
    )
