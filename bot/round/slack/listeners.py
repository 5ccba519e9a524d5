"""The round's Slack listeners: item buttons open the modal, submissions are checked and
stored inside the ack (so errors show next to their field), closing a modal keeps a
draft, reviewers approve or return, and returned items go back to their assignees."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.round.service import Conflicted, Refused, RoundError
from bot.round.slack import views as v
from bot.round.slack.notify import notify_returned, refresh_home
from bot.slack.binding import bind
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now

log = logging.getLogger(__name__)


def register(app: App, services: SlackServices) -> None:
    app.action(v.ACTION_OPEN_ITEM)(ack=ack_now, lazy=[bind(open_item, services)])
    app.action(v.ACTION_APPROVE)(ack=ack_now, lazy=[bind(approve_item, services)])
    app.action(v.ACTION_RETURN)(ack=ack_now, lazy=[bind(open_return, services)])
    # The modals' submissions are checked and stored before the ack (its errors show in
    # the modal); what follows runs after ack() in the same function, because Bolt starts
    # lazy listeners alongside the ack function, not after it.
    app.view(v.CALLBACK_EVALUATION)(bind(submit_evaluation, services))
    app.view_closed(v.CALLBACK_EVALUATION)(ack=ack_now, lazy=[bind(keep_draft, services)])
    app.view(v.CALLBACK_RETURN)(bind(return_evaluation, services))


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _action_ref(body: dict[str, Any]) -> v.ItemRef:
    return v.ItemRef.model_validate_json(body["actions"][0]["value"])


def _view_ref(view: dict[str, Any]) -> v.ItemRef:
    return v.ItemRef.model_validate_json(view["private_metadata"])


def _tell(client: WebClient, user: str, text: str) -> None:
    client.chat_postMessage(channel=user, text=text)


def open_item(services: SlackServices, body: dict[str, Any], client: WebClient) -> None:
    rounds = services.rounds
    user = _user(body)
    ref = _action_ref(body)
    rnd = rounds.store.round(ref.round_id)
    if rnd is None:
        _tell(client, user, "この評価ラウンドは見つかりません。")
        return
    if not rounds.may_answer(rnd, user, ref.department) and not rounds.may_review(
        rnd, user, ref.department
    ):
        _tell(client, user, f"{ref.department}の担当ではないため開けません。")
        return
    ev, entry, draft = rounds.form(rnd, ref.key, user)
    view = v.evaluation_modal(rnd, ev, entry, draft, services.settings.timezone)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def submit_evaluation(
    services: SlackServices, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    """Check and store the answer before acknowledging: Slack shows what the ack says."""
    rounds = services.rounds
    user = _user(body)
    ref = _view_ref(view)
    rnd = rounds.store.round(ref.round_id)
    if rnd is None:
        ack(response_action="errors", errors={"result_text": "この評価ラウンドは見つかりません"})
        return
    if not rounds.may_answer(rnd, user, ref.department):
        ack(
            response_action="errors",
            errors={"result_text": f"{ref.department}の担当ではありません"},
        )
        return
    raw = v.raw_entry(view.get("state", {}).get("values", {}))
    outcome = rounds.submit(rnd, ref.key, raw, user, base_version=ref.base_version)
    if isinstance(outcome, Refused):
        ack(response_action="errors", errors=v.field_errors(outcome.problems))
        return
    if isinstance(outcome, Conflicted):
        when = outcome.conflict.changed_at.astimezone(ZoneInfo(services.settings.timezone))
        ack(
            response_action="update",
            view=v.conflict_notice(
                outcome.current, outcome.conflict.changed_by, f"{when:%m/%d %H:%M}"
            ),
        )
        return
    ack()
    refresh_home(services, client, user)


def keep_draft(services: SlackServices, body: dict[str, Any], view: dict[str, Any]) -> None:
    """The modal was closed without submitting: nothing typed is lost."""
    rounds = services.rounds
    ref = _view_ref(view)
    rnd = rounds.store.round(ref.round_id)
    if rnd is None:
        return
    user = _user(body)
    if not rounds.may_answer(rnd, user, ref.department):
        return
    raw = v.raw_entry(view.get("state", {}).get("values", {}))
    ev = rounds.evaluation(rnd, ref.key)
    typed = raw.model_dump(exclude_none=True)
    unchanged = all(
        (typed.get(k) or "")
        == (
            str(getattr(ev.entry, k) or "")
            if k != "grade"
            else (ev.entry.grade.value if ev.entry.grade else "")
        )
        for k in ("plan_text", "result_text", "grade", "next_plan_text", "comment")
    )
    if unchanged:
        return  # opened and closed without typing: no draft to keep
    rounds.save_draft(rnd, ref.key, raw, user, ref.base_version)


def approve_item(services: SlackServices, body: dict[str, Any], client: WebClient) -> None:
    rounds = services.rounds
    user = _user(body)
    ref = _action_ref(body)
    rnd = rounds.store.round(ref.round_id)
    if rnd is None or not rounds.may_review(rnd, user, ref.department):
        _tell(client, user, f"{ref.department}の評価を承認できるのは管理者と確認者だけです。")
        return
    try:
        ev = rounds.review(rnd, ref.key, approve=True, comment="", by=user)
    except RoundError as exc:
        _tell(client, user, exc.ja)
        return
    _tell(client, user, f"✅ 事業{ev.item_no}（{ev.department}）を承認しました。")
    refresh_home(services, client, user)


def open_return(services: SlackServices, body: dict[str, Any], client: WebClient) -> None:
    rounds = services.rounds
    user = _user(body)
    ref = _action_ref(body)
    rnd = rounds.store.round(ref.round_id)
    if rnd is None or not rounds.may_review(rnd, user, ref.department):
        _tell(client, user, f"{ref.department}の評価を差し戻せるのは管理者と確認者だけです。")
        return
    ev = rounds.evaluation(rnd, ref.key)
    client.views_open(trigger_id=body["trigger_id"], view=v.return_modal(ev))


def return_evaluation(
    services: SlackServices, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    rounds = services.rounds
    user = _user(body)
    ref = _view_ref(view)
    rnd = rounds.store.round(ref.round_id)
    comment = (
        (view.get("state", {}).get("values", {}).get("comment") or {}).get("value") or {}
    ).get("value") or ""
    if rnd is None or not rounds.may_review(rnd, user, ref.department):
        ack(
            response_action="errors", errors={"comment": "差し戻しできるのは管理者と確認者だけです"}
        )
        return
    try:
        ev = rounds.review(rnd, ref.key, approve=False, comment=comment, by=user)
    except RoundError as exc:
        ack(response_action="errors", errors={"comment": exc.ja})
        return
    ack()
    notify_returned(services, client, rnd, ev)
    refresh_home(services, client, user)
