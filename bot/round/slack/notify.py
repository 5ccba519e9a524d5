"""Messages the round sends on its own: assignees' lists, returned items, the Home tab."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.round.models import Evaluation, Role, Round
from bot.round.service import RoundError
from bot.round.slack import views as v
from bot.slack.context import SlackServices

log = logging.getLogger(__name__)


def dm_assignments(services: SlackServices, client: WebClient, rnd: Round, users: list[str]) -> int:
    """DM each person their departments' items; returns how many were told."""
    rounds = services.rounds
    members = rounds.members(rnd)
    evals = rounds.store.evaluations(rnd.id)
    told = 0
    for user in dict.fromkeys(users):
        mine = {m.department for m in members if m.user_id == user and m.role is Role.ASSIGNEE}
        items = [e for e in evals if e.department in mine]
        if not items:
            continue
        for text, blocks in v.assignment_messages(rnd, items):
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
        told += 1
    return told


def notify_returned(services: SlackServices, client: WebClient, rnd: Round, ev: Evaluation) -> None:
    text = (
        f"↩️ 事業{ev.item_no}（{ev.department}）が差し戻されました。理由: {ev.review_comment or ''}"
    )
    blocks = [b.to_dict() for b in v.item_sections([ev])]
    for user in services.rounds.assignees(rnd, ev.department):
        client.chat_postMessage(channel=user, text=text, blocks=blocks)


def round_home(services: SlackServices, user: str) -> list[dict[str, object]]:
    """The round's part of the Home tab for this person, or nothing when no round is open."""
    rounds = services.rounds
    try:
        rnd = rounds.current()
    except RoundError:  # no round yet: the Home tab shows the plan as before
        return []
    if rnd.status.value != "open":
        return []
    mine = rounds.assignments(user)
    admin = rounds.is_admin(user)
    reviewer_of = {
        m.department for m in rounds.members(rnd) if m.user_id == user and m.role is Role.REVIEWER
    }
    if not mine and not admin and not reviewer_of:
        return []
    progress = rounds.progress(rnd.fiscal_year) if admin or reviewer_of else None
    review = [
        e
        for e in rounds.store.evaluations(rnd.id)
        if e.status.value == "submitted" and (admin or e.department in reviewer_of)
    ]
    return v.home_blocks(rnd, mine, progress, review)


def refresh_home(services: SlackServices, client: WebClient, user: str) -> None:
    from bot.slack.listeners.views.app_home import build_home_view

    try:
        client.views_publish(user_id=user, view=build_home_view(services, "ja", user=user))
    except SlackApiError:
        log.exception("could not refresh the Home tab of %s", user)
