"""HTTP mode: Bolt's WSGI adapter served by waitress, plus a /healthz for the platform.

waitress, not Bolt's ``app.start()``: that is a development server (single-threaded
http.server). One endpoint, /slack/events, takes events, slash commands and
interactivity, as the manifest's request URLs say.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Protocol
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
#: Lazy listeners run on Bolt's own pool; these threads only parse, verify and ack.
SERVER_THREADS = 8
#: Slack's rule: a signature more than five minutes off is refused.
SIGNATURE_MAX_AGE_S = 300
#: The largest body Slack sends is a modal's view_submission (100 blocks of input, each
#: up to 3,000 characters, form-encoded): well under 1 MiB. Anything larger is not
#: Slack: waitress answers it 413 from its headers (or, chunked, when the limit is
#: reached) without reading it or calling the app, so nothing of it reaches the log.
MAX_BODY_BYTES = 1024 * 1024


#: None when healthy, else what is wrong (one line, no secrets).
HealthCheck = Callable[[], str | None]


class Server(Protocol):
    effective_port: int

    def run(self) -> None: ...
    def close(self) -> None: ...


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def _timestamp_ok(environ: WSGIEnvironment) -> bool:
    # Bolt's verifier does int() on it and fails with a 500 on anything else.
    value = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")).strip()
    return value.isascii() and value.isdigit() and len(value) <= 12


def _signed(secret: bytes, environ: WSGIEnvironment, body: bytes) -> bool:
    """Slack's v0 signature over the raw bytes (slack_sdk's verifier decodes them as
    UTF-8 first, which fails on exactly the bodies checked here)."""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_S:
        return False
    mac = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest("v0=" + mac.hexdigest(), signature)


def wsgi_app(
    app: App, *, signing_secret: str | None = None, health: HealthCheck | None = None
) -> WSGIApplication:
    """Bolt behind WSGI, refusing before Bolt sees it what Bolt would answer with a 500
    and a traceback, or log whole: a request timestamp that is no number (401), a
    signature that does not verify (401; Bolt would log the body, a user's question
    among it), a body that cannot be parsed (400). Each refusal is one log line, never
    the body. (A body larger than Slack sends never gets here: see MAX_BODY_BYTES.)"""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    secret = signing_secret.encode() if signing_secret else None

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        method = environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if health is None:
                return _plain(start_response, "200 OK", "ok\n")
            # 503 takes a replica that cannot reach the state database out of the load
            # balancer's rotation: it could not tell whether an event was answered.
            problem = health()
            if problem is None:
                return _plain(start_response, "200 OK", "ok\ndatabase: ok\n")
            return _plain(
                start_response, "503 Service Unavailable", f"unavailable\ndatabase: {problem}\n"
            )
        if path != EVENTS_PATH or method != "POST":
            return slack(environ, start_response)
        if not _timestamp_ok(environ):
            log.warning("refused a request to %s: missing or malformed timestamp", path)
            return _plain(start_response, "401 Unauthorized", "invalid request\n")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if secret is not None and not _signed(secret, environ, body):
            log.warning(
                "refused a request to %s: signature or timestamp does not verify (%d bytes)",
                path,
                len(body),
            )
            return _plain(start_response, "401 Unauthorized", "invalid request\n")
        try:
            return slack(environ, start_response)
        except ValueError as exc:  # (json.JSONDecodeError and UnicodeDecodeError too)
            log.warning(
                "refused a request to %s whose body cannot be read (%s)",
                path,
                type(exc).__name__,
            )
            return _plain(start_response, "400 Bad Request", "malformed request\n")

    return application


def http_server(
    app: App,
    *,
    host: str,
    port: int,
    signing_secret: str | None = None,
    health: HealthCheck | None = None,
) -> Server:
    """A bound, not yet running server (port 0 picks a free one: see effective_port)."""
    server: Server = create_server(
        wsgi_app(app, signing_secret=signing_secret, health=health),
        host=host,
        port=port,
        threads=SERVER_THREADS,
        ident="planbot",
        max_request_body_size=MAX_BODY_BYTES,
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
