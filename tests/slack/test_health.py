"""/healthz tells the load balancer whether this replica can reach the state database."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

from slack_bolt import App

from bot.config import Settings
from bot.slack.http import http_server, stop_server
from bot.state import StateDB

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health(app: App, state: StateDB) -> tuple[int, str]:
    server = http_server(app, host="127.0.0.1", port=0, health=state.problem)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/healthz"
        try:
            with _OPENER.open(url, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
    finally:
        stop_server(server)
        thread.join(timeout=10)


def test_healthz_reports_the_state_database(app: App, settings: Settings) -> None:
    assert health(app, StateDB.for_settings(settings)) == (200, "ok\ndatabase: ok\n")


def test_healthz_is_unavailable_without_the_state_database(app: App) -> None:
    # Nothing listens on port 9: as a database host that went away.
    gone = StateDB("postgresql://planbot@127.0.0.1:9/planbot")
    status, body = health(app, gone)
    assert status == 503
    assert body.startswith("unavailable\ndatabase: postgresql unreachable")
    assert "Traceback" not in body
