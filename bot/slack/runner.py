"""Running the Slack bot: Socket Mode (``planbot run`` / ``planbot serve``) or HTTP
(``planbot serve --http``).

Socket Mode needs no public URL, which suits a city-hall network; slack_sdk's client
reconnects on its own after ``disconnect`` frames and dropped connections. HTTP mode
suits a PaaS with a router in front and scales to several web processes (event
dedupe is shared through the state database).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.ingest.integrity import SnapshotChoice
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.delivery import plain, post_dm
from bot.slack.housekeeping import Housekeeper
from bot.slack.http import EVENTS_PATH, http_server
from bot.state import StateDB

log = logging.getLogger(__name__)


def _fail(message: str, code: int = 2) -> int:
    print(f"planbot: {message}", file=sys.stderr)
    return code


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Platforms stop processes with SIGTERM: shut down as on Ctrl-C, cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _start(settings: Settings) -> tuple[Services, App] | int:
    """Services on a loaded warehouse and the app; an exit code when that fails."""
    services = Services.for_command(settings)
    if services is None:
        return 2  # for_command said what is missing
    try:
        app = create_app(settings, services)
    except BoltError as exc:
        services.close()
        # Usually auth.test rejecting the token, or SLACK_API_URL unreachable.
        return _fail(f"cannot connect to Slack at {settings.slack_api_url}: {exc}", 1)
    tell_admins_of_damage(services, app.client, settings.admins)
    services.warm_up()
    return services, app


def tell_admins_of_damage(services: Services, client: WebClient, admins: Sequence[str]) -> None:
    """DM each admin when the warehouse falls back from a damaged snapshot: at start
    (the fall-back already happened while loading) and whenever it happens later."""

    def notify(choice: SnapshotChoice) -> None:
        damaged = choice.damaged
        if damaged is None:
            return
        instead = choice.path.name if choice.path is not None else "none (no snapshot verifies)"
        text = (
            f":warning: 倉庫のスナップショット {damaged.name} が破損しています"
            f"（{'; '.join(damaged.problems[:3])}）。{instead} から回答しています。"
            "管理者は `planbot check --repair` を実行してください。\n"
            f"The warehouse snapshot {damaged.name} is damaged; answering from {instead}."
            " Run `planbot check --repair`."
        )
        for admin in admins:
            post_dm(client, admin, [plain(text)])

    services.store.on_fallback = notify
    for choice in list(services.store.fallbacks):
        try:
            notify(choice)
        except Exception as exc:
            log.warning("could not tell the admins about a damaged snapshot: %s", exc)


def run_slack(settings: Settings) -> int:
    """Socket Mode until interrupted."""
    if settings.slack_bot_token is None:
        return _fail("SLACK_BOT_TOKEN is not set")
    if settings.slack_app_token is None:
        return _fail(
            "SLACK_APP_TOKEN (xapp-…, scope connections:write) is not set: Socket Mode needs it. "
            "For HTTP mode run `planbot serve --http` with SLACK_SIGNING_SECRET."
        )
    started = _start(settings)
    if isinstance(started, int):
        return started
    services, app = started
    keeper = Housekeeper(settings).start()
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    code = 0
    try:
        with _sigterm_as_interrupt():
            handler.connect()
            print("planbot: connected to Slack (Socket Mode)", file=sys.stderr, flush=True)
            threading.Event().wait()
    except SlackApiError as exc:
        # apps.connections.open refused the app token (wrong token, or Socket Mode off).
        code = _fail(f"cannot open a Socket Mode connection: {exc.response.get('error')}", 1)
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        keeper.stop()
        services.close()
    return code


def serve_http(settings: Settings, port: int) -> int:
    """HTTP mode on ``settings.http_host:port`` until interrupted."""
    if settings.slack_bot_token is None:
        return _fail("SLACK_BOT_TOKEN is not set")
    if (
        settings.slack_signing_secret is None
        or not settings.slack_signing_secret.get_secret_value()
    ):
        # Without a secret every request would pass verification: refuse to start.
        return _fail("SLACK_SIGNING_SECRET is not set: HTTP mode cannot verify requests without it")
    started = _start(settings)
    if isinstance(started, int):
        return started
    services, app = started
    keeper = Housekeeper(settings).start()
    server = http_server(
        app,
        host=settings.http_host,
        port=port,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        health=StateDB.for_settings(settings).problem,
    )
    print(
        f"planbot: listening on http://{settings.http_host}:{server.effective_port}{EVENTS_PATH}",
        file=sys.stderr,
        flush=True,
    )
    try:
        with _sigterm_as_interrupt():
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        keeper.stop()
        services.close()
    return 0
