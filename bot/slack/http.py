"""HTTP mode: Bolt's WSGI adapter served by waitress, plus a /healthz for the platform.

waitress, not Bolt's ``app.start()``: that is a development server (single-threaded
http.server). One endpoint, /slack/events, takes events, slash commands and
interactivity, as the manifest's request URLs say.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
#: Lazy listeners run on Bolt's own pool; these threads only parse, verify and ack.
SERVER_THREADS = 8


class Server(Protocol):
    effective_port: int

    def run(self) -> None: ...
    def close(self) -> None: ...


def wsgi_app(app: App) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def http_server(app: App, *, host: str, port: int) -> Server:
    """A bound, not yet running server (port 0 picks a free one: see effective_port)."""
    server: Server = create_server(
        wsgi_app(app), host=host, port=port, threads=SERVER_THREADS, ident="planbot"
    )
    return server


def stop_server(server: Server) -> None:
    """Stop a server running on another thread, without waiting out its poll timeout.

    The worker threads stop first (a request being answered still wakes the loop
    through the trigger); then closing from inside the loop, through the trigger,
    empties its socket map at once so ``run()`` returns.
    """
    dispatcher = getattr(server, "task_dispatcher", None)
    if dispatcher is not None:
        dispatcher.shutdown()
    trigger = getattr(server, "trigger", None)
    if trigger is not None:
        try:
            trigger.pull_trigger(server.close)
            return
        except OSError:
            # The loop already closed its trigger (it is shutting down on its own):
            # close directly, as without one.
            pass
    server.close()
