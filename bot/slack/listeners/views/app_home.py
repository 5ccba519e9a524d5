"""The App Home view: grades per department, items needing attention, examples."""

from __future__ import annotations

from typing import Any

from bot.models import Answer, Grade, Language
from bot.render.blocks import home_view
from bot.slack.answering import ask
from bot.slack.context import SlackServices
from bot.slack.wording import warehouse_missing

WHOLE_PLAN_QUESTION: dict[Language, str] = {"ja": "まとめ", "en": "summary"}


def build_home_view(services: SlackServices, language: Language) -> dict[str, Any]:
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
    return home_view(by_department, attention, examples, result.fiscal_year, language)
