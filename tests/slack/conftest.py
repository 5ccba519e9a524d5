"""Fixtures for the Slack app: Services on the seed warehouse, a per-test state dir,
the app pointed at a FakeSlack, and the app served over real HTTP by waitress."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import Settings
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.context import SlackServices
from bot.slack.http import EVENTS_PATH, Server, http_server, stop_server
from tests.fakeslack import FakeSlack, event_callback, fixtures, signed_post, slash_command_form
from tests.fakeslack.fixtures import close_socket_mode_client
from tests.fakeslack.payloads import block_actions_payload
from tests.fakeslack.signing import FORM_CONTENT_TYPE

SECRET = "test-signing-secret"
ADMIN = "UADMIN"
USER = "U123"
CHANNEL = "C123"

fake_slack = fixtures.fake_slack


def make_settings(data_dir: Path, state_dir: Path, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "state_dir_override": state_dir,
        "slack_bot_token": fake.bot_token,
        "slack_app_token": fake.app_token,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        "admins": (ADMIN,),
        "allowed_channels": (),
        # No "集計中…" notice unless a test asks for one: a loaded machine must not turn
        # an answer's chat.postMessage into a notice and a chat.update.
        "working_notice_s": 600.0,
        **overrides,
    }
    # _env_file=None: a developer's .env must not leak into tests.
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(
    seed_warehouse: Path, tmp_path: Path, fake_slack: FakeSlack, state_database_url: str | None
) -> Settings:
    # Every Slack test runs with state in SQLite and again in PostgreSQL.
    return make_settings(
        seed_warehouse, tmp_path / "state", fake_slack, database_url=state_database_url
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    s = Services.from_settings(settings)
    yield s
    s.close()


@pytest.fixture
def slack_services(services: Services) -> SlackServices:
    return SlackServices.build(services)


def drain(app: App) -> None:
    """Wait until every lazy listener the app started has finished (and stop its pool).

    Lazy listeners are submitted before Bolt returns the ack, so after the requests of
    a test have been answered this is the point where nothing more can be posted.
    """
    app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def app(settings: Settings, services: Services) -> Iterator[App]:
    bolt = create_app(settings, services)
    yield bolt
    drain(bolt)


@pytest.fixture
def socket_bot(app: App, fake_slack: FakeSlack) -> Iterator[SocketModeHandler]:
    """The app connected to the fake over Socket Mode."""
    handler = SocketModeHandler(app, fake_slack.app_token)
    handler.connect()
    fake_slack.wait_for_socket(1)
    yield handler
    close_socket_mode_client(handler.client)


@dataclass
class HttpBot:
    """The app behind waitress on 127.0.0.1, and helpers to send it what Slack sends."""

    app: App
    server: Server
    thread: threading.Thread
    fake: FakeSlack
    stopped: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}{EVENTS_PATH}"

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> tuple[int, bytes]:
        body = event_callback(event, event_id=event_id, bot_user_id=self.fake.bot_user_id)
        return signed_post(self.url, body, secret, timestamp=timestamp, extra_headers=headers)

    def command(self, text: str, *, channel: str = CHANNEL, user: str = USER) -> tuple[int, bytes]:
        form = slash_command_form(
            "/plan", text, response_url=self.fake.response_url(), user_id=user, channel_id=channel
        )
        return signed_post(self.url, form, SECRET, content_type=FORM_CONTENT_TYPE)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        message_ts: str,
        channel: str = CHANNEL,
        user: str = USER,
        **changes: Any,
    ) -> tuple[int, bytes]:
        payload = block_actions_payload(
            action_id,
            value,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            response_url=self.fake.response_url(),
        )
        payload.update(changes)
        return signed_post(self.url, {"payload": payload}, SECRET, content_type=FORM_CONTENT_TYPE)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        stop_server(self.server)
        self.thread.join(timeout=10)
        drain(self.app)


def serve(app: App, fake: FakeSlack) -> HttpBot:
    server = http_server(app, host="127.0.0.1", port=0, signing_secret=SECRET)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    return HttpBot(app=app, server=server, thread=thread, fake=fake)


@pytest.fixture
def http_bot(app: App, fake_slack: FakeSlack) -> Iterator[HttpBot]:
    bot = serve(app, fake_slack)
    yield bot
    bot.stop()


def mention(text: str, *, channel: str = CHANNEL, ts: str = "1699999999.000100") -> dict[str, Any]:
    return {
        "type": "app_mention",
        "text": f"<@U0BOT> {text}",
        "user": USER,
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
    }


def blocks_text(params: dict[str, Any]) -> str:
    """Everything a posted message says, text and blocks, for substring checks."""
    return f"{params.get('text', '')}\n{json.dumps(params.get('blocks') or [], ensure_ascii=False)}"


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                found.append(element)
    return found


def item_numbers(blocks: list[dict[str, Any]]) -> list[int]:
    """Item numbers in the order their Details buttons appear."""
    return [json.loads(b["value"])["item_no"] for b in buttons(blocks, "item_detail")]
