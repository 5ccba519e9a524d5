"""Round trips between slack_sdk / slack_bolt clients and the local Slack fake.

No mocks: every test talks HTTP or WebSocket to a FakeSlack on 127.0.0.1, so a
regression in the fake (or a slack_sdk upgrade that changes the wire format)
shows up here before it confuses the bot's own tests.
"""

from __future__ import annotations

import json
import queue
import socket
import time
from typing import Any

import pytest
from slack_bolt import Ack, App, Say
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakeslack import (
    FakeSlack,
    event_callback,
    fixtures,
    sign,
    signed_post,
    slash_command_form,
)
from tests.fakeslack.fixtures import close_socket_mode_client
from tests.fakeslack.signing import FORM_CONTENT_TYPE

# Expose the shared fixture to this module. An assignment instead of
# ``from ... import fake_slack`` because test parameters named like an
# imported name trip ruff's F811; ``pytest_plugins`` would re-import the
# module and warn that it cannot be assertion-rewritten.
fake_slack = fixtures.fake_slack


def web_client(fake: FakeSlack, **kwargs: Any) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url, **kwargs)


def slack_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


# --- Web API -------------------------------------------------------------------


def test_post_message_is_recorded(fake_slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = web_client(fake_slack).chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = web_client(fake_slack).chat_postMessage(channel="C1", text="again", thread_ts="1.2")

    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == blocks
    assert second["message"]["thread_ts"] == "1.2"
    assert float(second["ts"]) > float(first["ts"])  # unique and increasing, like Slack

    call = fake_slack.wait_for("chat.postMessage", count=2)[0]
    assert call.params["text"] == "hi"
    assert call.params["blocks"] == blocks
    assert call.token == fake_slack.bot_token
    assert call.status == 200
    assert json.loads(call.raw_body)["channel"] == "C1"


def test_form_encoded_calls_decode_json_fields(fake_slack: FakeSlack) -> None:
    blocks = [{"type": "divider"}]
    # api_call(params=...) sends a form body with blocks as a JSON string.
    web_client(fake_slack).api_call(
        "chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)}
    )
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.params["blocks"] == blocks
    assert call.status == 200


def test_auth_rules(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as bad_token:
        WebClient(token="xoxb-wrong", base_url=fake_slack.api_url).auth_test()
    assert slack_error(bad_token) == "invalid_auth"

    with pytest.raises(SlackApiError) as no_token:
        WebClient(base_url=fake_slack.api_url).auth_test()
    assert slack_error(no_token) == "not_authed"

    with pytest.raises(SlackApiError) as bot_token:
        web_client(fake_slack).apps_connections_open(app_token=fake_slack.bot_token)
    assert slack_error(bot_token) == "not_allowed_token_type"

    auth = web_client(fake_slack).auth_test()
    assert auth["user_id"] == fake_slack.bot_user_id
    assert auth["team_id"] == fake_slack.team_id

    with pytest.raises(SlackApiError) as unknown:
        web_client(fake_slack).api_call("no.such.method")
    assert slack_error(unknown) == "unknown_method"
    assert fake_slack.calls[-1].method == "no.such.method"


def test_rate_limit_is_retried_after_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = web_client(fake_slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    response = client.chat_postMessage(channel="C1", text="eventually")

    assert response["ok"] is True
    limited, delivered = fake_slack.calls_to("chat.postMessage")
    assert (limited.status, delivered.status) == (429, 200)
    # Recorded arrival times, not wall-clock performance: the client must
    # have honoured Retry-After before trying again.
    assert delivered.time - limited.time >= 0.95


def test_scripted_error_then_success(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("conversations.info", status=200, error="channel_not_found", times=2)
    client = web_client(fake_slack)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.conversations_info(channel="C1")
        assert slack_error(excinfo) == "channel_not_found"
    assert client.conversations_info(channel="C1")["channel"]["id"] == "C1"


def test_validation_rules(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    too_many = [{"type": "divider"}] * 51
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C1", "text": "x", "blocks": too_many}, "invalid_blocks"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "CNOTFOUND1", "text": "x"}, "channel_not_found"),
        ({"channel": "CNOTIN1", "text": "x"}, "not_in_channel"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(**kwargs)
        assert slack_error(excinfo) == expected, kwargs
    # slack_sdk itself warns before sending a message without top-level text.
    with pytest.warns(UserWarning, match="text"), pytest.raises(SlackApiError) as no_text:
        client.chat_postMessage(channel="C1")
    assert slack_error(no_text) == "no_text"

    assert client.conversations_info(channel="CNOTIN1")["channel"]["is_member"] is False
    client.conversations_join(channel="CNOTIN1")
    assert client.chat_postMessage(channel="CNOTIN1", text="x")["ok"] is True


def test_wait_for_lists_what_arrived(fake_slack: FakeSlack) -> None:
    web_client(fake_slack).auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test -> 200"):
        fake_slack.wait_for("chat.postMessage", timeout=0.1)


def test_files_upload_v2_round_trip(fake_slack: FakeSlack) -> None:
    csv_bytes = "施策,進捗\nA-1,80%\n".encode()

    response = web_client(fake_slack).files_upload_v2(
        content=csv_bytes,
        filename="progress.csv",
        title="Progress",
        channel="C1",
        initial_comment="FY2025 Q1",
    )

    file_id = response["file"]["id"]
    assert fake_slack.uploads[file_id] == csv_bytes
    assert fake_slack.filenames[file_id] == "progress.csv"
    uploaded = fake_slack.files[file_id]
    assert uploaded.completed
    assert (uploaded.title, uploaded.channel_id) == ("Progress", "C1")
    assert uploaded.initial_comment == "FY2025 Q1"
    (announce,) = fake_slack.calls_to("files.getUploadURLExternal")
    assert announce.params["length"] == str(len(csv_bytes))
    (complete,) = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": file_id, "title": "Progress"}]


# --- signing helpers ---------------------------------------------------------------


def test_signed_post_passes_signature_verification(fake_slack: FakeSlack) -> None:
    secret = "signing-secret"
    verifier = SignatureVerifier(secret)
    url = fake_slack.response_url()

    event = event_callback({"type": "app_mention", "text": "hi"})
    assert signed_post(url, event, secret)[0] == 200
    form = slash_command_form("/plan", "status", response_url=url)
    assert signed_post(url, form, secret, content_type=FORM_CONTENT_TYPE)[0] == 200

    as_json, as_form = fake_slack.wait_for_responses(count=2)
    assert as_json.params == event
    assert as_form.params == form
    for recorded in (as_json, as_form):
        assert verifier.is_valid_request(recorded.raw_body, recorded.headers)
        assert not SignatureVerifier("other-secret").is_valid_request(
            recorded.raw_body, recorded.headers
        )

    stale = sign(b"{}", secret, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid_request(b"{}", stale)


# --- Socket Mode ---------------------------------------------------------------


def test_socket_mode_client_acks_and_reconnects(fake_slack: FakeSlack) -> None:
    received: queue.Queue[SocketModeRequest] = queue.Queue()

    def on_request(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        received.put(request)
        payload = {"text": "ok"} if request.type == "slash_commands" else None
        client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload=payload)
        )

    client = SocketModeClient(app_token=fake_slack.app_token, web_client=web_client(fake_slack))
    client.socket_mode_request_listeners.append(on_request)
    try:
        client.connect()
        fake_slack.wait_for_socket(1)

        envelope_id = fake_slack.send_event({"type": "app_mention", "text": "hi"}, event_id="Ev1")
        request = received.get(timeout=5)
        assert (request.type, request.envelope_id) == ("events_api", envelope_id)
        assert request.payload["event_id"] == "Ev1"
        assert request.payload["event"]["text"] == "hi"
        assert fake_slack.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}

        fake_slack.send_disconnect()
        fake_slack.wait_for_socket(2)

        envelope_id = fake_slack.send_slash_command("/plan", "status")
        request = received.get(timeout=5)
        assert (request.type, request.envelope_id) == ("slash_commands", envelope_id)
        assert request.accepts_response_payload is True
        assert request.payload["response_url"].startswith(fake_slack.base_url)
        assert fake_slack.wait_for_ack(envelope_id)["payload"] == {"text": "ok"}

        assert fake_slack.socket_connections == 2
        assert len(fake_slack.calls_to("apps.connections.open")) == 2
    finally:
        close_socket_mode_client(client)


def test_bolt_socket_mode_app_round_trip(fake_slack: FakeSlack) -> None:
    app = App(client=web_client(fake_slack), signing_secret="unused-over-socket-mode")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Say) -> None:
        say(text=f"echo: {event['text']}", thread_ts=event["ts"])

    @app.command("/plan")
    def plan(ack: Ack, command: dict[str, Any]) -> None:
        ack(text=f"plan {command['text']}")

    handler = SocketModeHandler(app, fake_slack.app_token)
    try:
        handler.connect()
        fake_slack.wait_for_socket()

        event = {"type": "app_mention", "text": "hi", "user": "U1", "channel": "C9", "ts": "5.1"}
        fake_slack.wait_for_ack(fake_slack.send_event(event))
        (posted,) = fake_slack.wait_for("chat.postMessage")
        assert posted.params["channel"] == "C9"
        assert (posted.params["text"], posted.params["thread_ts"]) == ("echo: hi", "5.1")

        ack = fake_slack.wait_for_ack(fake_slack.send_slash_command("/plan", "status"))
        assert ack["payload"]["text"] == "plan status"
        # Bolt verified its token with auth.test before anything else.
        assert fake_slack.calls[0].method == "auth.test"
    finally:
        close_socket_mode_client(handler.client)


# --- lifecycle -------------------------------------------------------------------


def test_stop_releases_the_port() -> None:
    fake = FakeSlack().start()
    port = fake.port
    fake.stop()
    fake.stop()  # idempotent
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
