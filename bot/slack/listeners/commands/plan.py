"""``/plan …``: a question, or one of the subcommands in bot.slack.subcommands.

Replies go through response_url (Bolt's ``respond``), which works in any channel:
answers in_channel, help, errors and previews ephemeral.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.ask.language import question_language
from bot.models import Answer, Intent, Language
from bot.slack.access import channel_allowed, is_admin
from bot.slack.answering import Asker, admin_view, ask, reply_messages
from bot.slack.context import SlackServices
from bot.slack.delivery import ResponseType, respond_messages, respond_text
from bot.slack.digest_preview import digest_preview
from bot.slack.errors import apologise_on_failure
from bot.slack.help_message import help_message
from bot.slack.report_upload import rollback_prompt
from bot.slack.stats import parse_days, stats_message
from bot.slack.subcommands import split
from bot.slack.subscriptions import list_subscriptions, subscribe, unsubscribe
from bot.slack.summary import post_summary
from bot.slack.wording import admins_only, channel_not_allowed


@dataclass(frozen=True)
class PlanRequest:
    args: str
    user: str | None
    channel: str
    lang: Language
    client: WebClient
    respond: Respond


_ENGLISH = ("en", "english")


def _language_arg(args: str) -> Language:
    """Subcommands speak Japanese unless asked for English ("/plan stats 7 en")."""
    return "en" if any(word.casefold() in _ENGLISH for word in args.split()) else "ja"


def run_help(services: SlackServices, req: PlanRequest) -> None:
    message = help_message(services, req.lang, is_admin=is_admin(services.settings, req.user))
    respond_messages(req.respond, [message], response_type="ephemeral")


def run_summary(services: SlackServices, req: PlanRequest) -> None:
    post_summary(
        services, req.client, req.respond, target=req.args, channel=req.channel, user=req.user
    )


def run_digest(services: SlackServices, req: PlanRequest) -> None:
    preview = digest_preview(services, req.lang)
    respond_messages(req.respond, preview, response_type="ephemeral")


def run_stats(services: SlackServices, req: PlanRequest) -> None:
    days_arg = " ".join(a for a in req.args.split() if a.casefold() not in _ENGLISH)
    message = stats_message(services, req.lang, days=parse_days(days_arg))
    respond_messages(req.respond, [message], response_type="ephemeral")


def run_rollback(services: SlackServices, req: PlanRequest) -> None:
    rollback_prompt(services, req.respond)


def run_subscribe(services: SlackServices, req: PlanRequest) -> None:
    reply = subscribe(services, req.args, channel=req.channel, user=req.user, lang=req.lang)
    respond_text(req.respond, reply)


def run_unsubscribe(services: SlackServices, req: PlanRequest) -> None:
    respond_text(req.respond, unsubscribe(services, req.args, lang=req.lang))


def run_subscriptions(services: SlackServices, req: PlanRequest) -> None:
    respond_text(req.respond, list_subscriptions(services, lang=req.lang))


def run_question(services: SlackServices, req: PlanRequest) -> None:
    result = ask(services, req.args, Asker(user=req.user, channel=req.channel, surface="command"))
    # Answers are for the channel; "did you mean …" and failures only for the asker.
    shared = isinstance(result, Answer) and result.ok and result.intent != Intent.HELP
    response_type: ResponseType = "in_channel" if shared else "ephemeral"
    messages = reply_messages(result, admin=admin_view(services, req.user))
    respond_messages(req.respond, messages, response_type=response_type)


def run_round_command(services: SlackServices, req: PlanRequest) -> None:
    from bot.round.slack.command import run_round

    run_round(
        services,
        req.args,
        user=req.user,
        channel=req.channel,
        client=req.client,
        respond=req.respond,
    )


Handler = Callable[[SlackServices, PlanRequest], None]
#: Every subcommand's handler; None is a question.
HANDLERS: dict[str | None, Handler] = {
    "help": run_help,
    "summary": run_summary,
    "digest": run_digest,
    "stats": run_stats,
    "rollback": run_rollback,
    "subscribe": run_subscribe,
    "unsubscribe": run_unsubscribe,
    "subscriptions": run_subscriptions,
    "round": run_round_command,
    None: run_question,
}


def run_plan(
    services: SlackServices, command: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    text = str(command.get("text") or "")
    sub, args = split(text)
    req = PlanRequest(
        args=args,
        user=command.get("user_id"),
        channel=str(command.get("channel_id") or ""),
        # Subcommands speak Japanese unless asked in English; questions as written.
        lang=_language_arg(args) if sub else question_language(text),
        client=client,
        respond=respond,
    )

    def notify(message: str) -> None:
        respond_text(respond, message)

    with apologise_on_failure(notify, what=f"/plan {sub.name if sub else 'question'}"):
        if not channel_allowed(services.settings, req.channel):
            respond_text(respond, channel_not_allowed(req.lang))
            return
        # Checked here, from the subcommand table, so that no admin-only handler can
        # forget it.
        if sub is not None and sub.admin_only and not is_admin(services.settings, req.user):
            respond_text(respond, admins_only(req.lang))
            return
        HANDLERS[sub.name if sub else None](services, req)
