"""Listener callbacks called directly, with spec'd mocks for ack/respond/client."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import create_autospec

import pytest
from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Settings
from bot.render.blocks import Message
from bot.slack.context import SlackServices
from bot.slack.listeners.acks import ack_now
from bot.slack.listeners.actions.pages import turn_page
from bot.slack.listeners.commands.plan import run_plan
from bot.slack.listeners.events.app_mention import answer_mention, strip_mention
from bot.slack.listeners.events.direct_message import answer_direct_message, is_question_in_dm
from bot.slack.replies import reply_to_action

from .conftest import ADMIN, blocks_text, item_numbers


def mock_client() -> Any:
    client = create_autospec(WebClient, instance=True)
    client.chat_postMessage.return_value = {"ok": True, "ts": "1700000000.000100"}
    return client


def mock_respond(response_url: str | None = "https://hooks.example/1") -> Any:
    respond = create_autospec(Respond, instance=True)
    respond.response_url = response_url
    return respond


def slack_error(error: str) -> SlackApiError:
    response = create_autospec(SlackResponse, instance=True)
    response.get.side_effect = {"ok": False, "error": error}.get
    response.__getitem__.side_effect = {"ok": False, "error": error}.__getitem__
    return SlackApiError(error, response)


def test_ack_is_immediate() -> None:
    ack = create_autospec(Ack, instance=True)
    ack_now(ack)
    ack.assert_called_once()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0BOT> D評価の事業は？", "D評価の事業は？"),
        ("<@U0BOT|planbot>   which measures are graded D?", "which measures are graded D?"),
        ("事業16 <@U0BOT>", "事業16"),
        ("<@U0BOT> ask <@U999> about 事業16", "ask <@U999> about 事業16"),
    ],
)
def test_strip_mention(text: str, expected: str) -> None:
    assert strip_mention(text, "U0BOT") == expected


def test_mention_answer_goes_to_the_thread(slack_services: SlackServices) -> None:
    client = mock_client()
    event = {"channel": "C1", "ts": "5.5", "user": "U1", "text": "<@U0BOT> D評価の事業は？"}

    answer_mention(
        slack_services, event=event, client=client, context=BoltContext(bot_user_id="U0BOT")
    )

    (call,) = client.chat_postMessage.call_args_list
    assert (call.kwargs["channel"], call.kwargs["thread_ts"]) == ("C1", "5.5")
    assert 16 in item_numbers(call.kwargs["blocks"])


def test_mention_outside_the_allow_list_is_refused_privately(
    slack_services: SlackServices, settings: Settings
) -> None:
    slack_services.core.settings = settings.model_copy(update={"allowed_channels": ("CALLOWED",)})
    client = mock_client()
    event = {"channel": "COTHER", "ts": "5.5", "user": "U1", "text": "<@U0BOT> D評価の事業は？"}

    answer_mention(
        slack_services, event=event, client=client, context=BoltContext(bot_user_id="U0BOT")
    )

    client.chat_postMessage.assert_not_called()
    (call,) = client.chat_postEphemeral.call_args_list
    assert call.kwargs["user"] == "U1" and "チャンネル" in call.kwargs["text"]


def test_direct_messages_are_always_answered(
    slack_services: SlackServices, settings: Settings
) -> None:
    slack_services.core.settings = settings.model_copy(update={"allowed_channels": ("CALLOWED",)})
    client = mock_client()

    answer_direct_message(
        slack_services,
        event={"channel": "D1", "ts": "6.6", "user": "U1", "text": "新規事業は？"},
        client=client,
    )

    (call,) = client.chat_postMessage.call_args_list
    assert (call.kwargs["channel"], call.kwargs["thread_ts"]) == ("D1", "6.6")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"channel_type": "im", "text": "新規事業は？", "user": "U1"}, True),
        ({"channel_type": "im", "text": "x", "subtype": "message_changed"}, False),
        ({"channel_type": "im", "text": "x", "bot_id": "B1"}, False),
        ({"channel_type": "channel", "text": "x", "user": "U1"}, False),
        ({"channel_type": "im", "text": "  ", "user": "U1"}, False),
    ],
)
def test_only_peoples_new_dm_messages_are_questions(event: dict[str, Any], expected: bool) -> None:
    assert is_question_in_dm(event) is expected


def command(text: str, user: str = "U1", channel: str = "C1") -> dict[str, str]:
    return {"text": text, "user_id": user, "channel_id": channel, "command": "/plan"}


def test_plan_help_is_ephemeral(slack_services: SlackServices) -> None:
    respond = mock_respond()
    run_plan(slack_services, command=command("help"), client=mock_client(), respond=respond)

    (call,) = respond.call_args_list
    assert call.kwargs["response_type"] == "ephemeral"
    assert "/plan summary" in blocks_text(call.kwargs)
    assert "/plan stats" not in blocks_text(call.kwargs)  # not an admin


def test_plan_stats_refuses_non_admins_and_answers_admins(slack_services: SlackServices) -> None:
    respond = mock_respond()
    run_plan(slack_services, command=command("stats"), client=mock_client(), respond=respond)
    assert "管理者" in respond.call_args.kwargs["text"]

    run_plan(
        slack_services, command=command("stats", user=ADMIN), client=mock_client(), respond=respond
    )
    assert "よく聞かれる質問" in blocks_text(respond.call_args.kwargs)


def test_plan_question_outside_the_allow_list_is_refused(
    slack_services: SlackServices, settings: Settings
) -> None:
    slack_services.core.settings = settings.model_copy(update={"allowed_channels": ("CALLOWED",)})
    respond = mock_respond()

    run_plan(
        slack_services,
        command=command("D評価の事業は？", channel="COTHER"),
        client=mock_client(),
        respond=respond,
    )
    assert respond.call_args.kwargs["response_type"] == "ephemeral"
    assert "チャンネル" in respond.call_args.kwargs["text"]

    run_plan(
        slack_services,
        command=command("D評価の事業は？", channel="CALLOWED"),
        client=mock_client(),
        respond=respond,
    )
    assert respond.call_args.kwargs["response_type"] == "in_channel"


def test_warehouse_missing_is_a_clear_message(
    slack_services: SlackServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store.database import WarehouseMissing

    def missing(question: str) -> object:
        raise WarehouseMissing("no reports ingested")

    monkeypatch.setattr(slack_services.answerer, "answer", missing)
    respond = mock_respond()

    run_plan(
        slack_services, command=command("D評価の事業は？"), client=mock_client(), respond=respond
    )

    assert respond.call_args.kwargs["response_type"] == "ephemeral"
    assert "make ingest" in respond.call_args.kwargs["text"]


def test_page_turn_falls_back_to_response_url_when_update_is_refused(
    slack_services: SlackServices,
) -> None:
    client = mock_client()
    client.chat_update.side_effect = slack_error("cant_update_message")
    respond = mock_respond()
    value = json.dumps(
        {"page": 2, "page_size": 10, "question": "show 子ども家庭支援センター items"}
    )
    body = {
        "container": {"type": "message", "channel_id": "C1", "message_ts": "7.7"},
        "user": {"id": "U1"},
    }

    turn_page(slack_services, body=body, action={"value": value}, client=client, respond=respond)

    (call,) = respond.call_args_list
    assert call.kwargs["replace_original"] is True
    assert len(item_numbers(call.kwargs["blocks"])) == 3  # items 21–23


def test_reply_to_a_button_where_the_bot_is_not_in_the_channel_says_how_to_invite() -> None:
    client = mock_client()
    client.chat_postMessage.side_effect = slack_error("not_in_channel")
    respond = mock_respond()
    body = {
        "container": {"type": "message", "channel_id": "CNOTIN1", "message_ts": "8.8"},
        "user": {"id": "U1"},
    }

    reply_to_action(client, respond, body, [Message(text="detail", blocks=[])], lang="ja")

    texts = [c.kwargs["text"] for c in respond.call_args_list]
    assert texts[0] == "detail"  # the reply itself, privately
    assert "/invite @planbot" in texts[1]
    assert all(c.kwargs["response_type"] == "ephemeral" for c in respond.call_args_list)
