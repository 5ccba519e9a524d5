"""``/plan help``: every subcommand with an example drawn from the data, and example
questions as buttons (the same buttons as an answer's)."""

from __future__ import annotations

from bot.models import Answer, Language
from bot.render import limits
from bot.render.blocks import Message, answer_messages, escape
from bot.slack.answering import ask
from bot.slack.context import SlackServices
from bot.slack.subcommands import COMMAND, SUBCOMMANDS, usage_line

HELP_QUESTION: dict[Language, str] = {"ja": "ヘルプ", "en": "help"}


def summary_target_example(examples: list[str], lang: Language) -> str | None:
    """A department the data has, taken from the core's "…のまとめ" example."""
    for example in examples:
        if lang == "ja" and example.endswith("のまとめ"):
            return example.removesuffix("のまとめ")
        if lang == "en" and example.startswith("summary for "):
            return example.removeprefix("summary for ")
    return None


def help_lines(examples: list[str], lang: Language, *, is_admin: bool = True) -> list[str]:
    ja = lang == "ja"
    question = (
        examples[0] if examples else ("D評価の事業は？" if ja else "which items are graded D?")
    )
    target = summary_target_example(examples, lang)
    lines = [
        "*planbot の使い方*" if ja else "*How to use planbot*",
        f"• `{COMMAND} <質問>` — 質問に答えます（例: `{COMMAND} {question}`）"
        if ja
        else f"• `{COMMAND} <question>` — answers a question (e.g. `{COMMAND} {question}`)",
    ]
    for sub in SUBCOMMANDS:
        if sub.admin_only and not is_admin:
            continue
        about = sub.about_ja if ja else sub.about_en
        line = f"• `{usage_line(sub, lang)}` — {about}"
        if sub.name == "summary" and target:
            line += (
                f"（例: `{COMMAND} summary {target}`）"
                if ja
                else f" (e.g. `{COMMAND} summary {target}`)"
            )
        lines.append(line)
    lines.append(
        "チャンネルで @planbot にメンションするか、DM でも質問できます。"
        if ja
        else "You can also mention @planbot in a channel or send it a direct message."
    )
    return lines


def help_message(services: SlackServices, lang: Language, *, is_admin: bool = True) -> Message:
    examples = services.answerer.examples(lang)
    usage = escape("\n".join(help_lines(examples, lang, is_admin=is_admin)))
    # Escaped so the <質問> placeholders show as text instead of being read as links.
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": usage}}]
    result = ask(services, HELP_QUESTION[lang], log_it=False)
    if isinstance(result, Answer):
        example_blocks = answer_messages(result, examples=examples)[0].blocks
        if not limits.validate_message([*blocks, *example_blocks], usage):
            blocks.extend(example_blocks)
    text = "planbot の使い方" if lang == "ja" else "How to use planbot"
    limits.ensure_valid(blocks, text)
    return Message(text=text, blocks=blocks)
