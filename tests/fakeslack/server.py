"""``FakeSlack``: a local Slack Web API + Socket Mode server that records every call.

One aiohttp application on 127.0.0.1 (a free port, so parallel xdist workers
never collide) serves, on a private event loop in a daemon thread:

* ``/api/<method>``        the Web API (rules in :mod:`.webapi`);
* ``/upload/<file_id>``    step 2 of ``files_upload_v2`` (raw or multipart bytes);
* ``/files-pri/<id>/<name>`` files shared with the app (``share_file``), served to the
  bot token; any other request gets Slack's sign-in page (HTML, status 200), as Slack
  answers a download it does not authorise;
* ``/response/<id>``       response_url endpoints issued by ``response_url()``;
* ``/socket?ticket=...``   Socket Mode WebSocket (details in :mod:`.socketmode`).

Point ``slack_sdk.WebClient(base_url=fake.api_url)`` (or ``SLACK_API_URL``) at
it; Socket Mode clients find the WebSocket through ``apps.connections.open``.
An instance is single-use: ``start()`` once, ``stop()`` once (idempotent).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
import uuid
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import hdrs, web

from .payloads import DEFAULT_APP_ID, event_callback, slash_command_form
from .recorder import ApiCall, Recorder, UploadedFile
from .socketmode import SocketHub
from .webapi import WebApi, Workspace, error_result, parse_multipart, parse_params

_T = TypeVar("_T")
_log = logging.getLogger(__name__)

_HOST = "127.0.0.1"
# Bounds for blocking on the server thread; generous because a stuck server
# should fail a test loudly, not hang it.
_START_TIMEOUT = 10.0
_CALL_TIMEOUT = 10.0
_STOP_TIMEOUT = 15.0
# aiohttp's 1 MiB default would reject realistic file uploads with 413.
_MAX_BODY = 64 * 1024 * 1024
# Interactive payloads whose envelope lets the app answer in the ack
# (validation errors for modals, options for external selects).
_RESPONSE_PAYLOAD_INTERACTIONS = frozenset({"view_submission", "block_suggestion"})


class FakeSlack:
    """A local stand-in for Slack. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        team_id: str = "T0TEST",
        bot_user_id: str = "U0BOT",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.app_id = DEFAULT_APP_ID
        self.workspace = Workspace(
            bot_token=bot_token,
            app_token=app_token,
            team_id=team_id,
            bot_user_id=bot_user_id,
            app_id=self.app_id,
        )
        self.port = 0
        self.base_url = ""
        self.api_url = ""
        self._recorder = Recorder()
        self._hub = SocketHub(self._recorder, app_id=self.app_id)
        self._api = WebApi(self.workspace, issue_socket_url=self._hub.issue_url)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopped = False
        self._shared: dict[str, tuple[str, bytes, bool]] = {}
        #: Every download of a shared file: (file id, the bearer token it came with).
        self.downloads: list[tuple[str, str | None]] = []

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._thread is not None:
            raise RuntimeError("a FakeSlack instance can only be started once")
        # Binding here, before the thread starts, makes the port known
        # synchronously and avoids the race of probing for a free port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((_HOST, 0))
        self.port = sock.getsockname()[1]
        self.base_url = f"http://{_HOST}:{self.port}"
        self.api_url = f"{self.base_url}/api/"
        self._api.base_url = self.base_url
        self._hub.ws_base = f"ws://{_HOST}:{self.port}"

        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve,
            args=(sock, ready, failures),
            name=f"fakeslack-{self.port}",
            # A test that forgets stop() must not keep the interpreter alive.
            daemon=True,
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("FakeSlack did not start in time")
        if failures:
            self._stopped = True
            raise RuntimeError("FakeSlack failed to start") from failures[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._stopped:
            return
        self._stopped = True
        try:
            asyncio.run_coroutine_threadsafe(self._teardown(), loop).result(_STOP_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(_STOP_TIMEOUT)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(
        self, sock: socket.socket, ready: threading.Event, failures: list[BaseException]
    ) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._setup(sock))
        except BaseException as exc:
            failures.append(exc)
            sock.close()
            loop.close()
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            # Anything still pending (e.g. a disconnect waiting out its grace
            # period) is cancelled so the loop closes without warnings.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _setup(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._handle_download)
        app.router.add_post("/response/{response_id}", self._handle_response_url)
        app.router.add_get("/socket", self._hub.handle)
        # access_log=None keeps pytest output clean; the recorder is the log.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _teardown(self) -> None:
        # Close WebSockets first: aiohttp would otherwise wait for their
        # handlers until the shutdown timeout.
        await self._hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    def _run(self, coro: Coroutine[Any, Any, _T], timeout: float = _CALL_TIMEOUT) -> _T:
        """Run ``coro`` on the server loop from the calling (test) thread."""
        loop = self._loop
        if loop is None or self._stopped:
            coro.close()
            raise RuntimeError("FakeSlack is not running; call start() first")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    # --- HTTP handlers (server loop) -------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        raw = await request.read()
        content_type = request.headers.get(hdrs.CONTENT_TYPE, "")
        token = _bearer_token(request)
        try:
            params = parse_params(request.query, raw, content_type)
        except ValueError:
            params = dict(request.query)
            is_json = content_type.lower().startswith("application/json")
            result = error_result("invalid_json" if is_json else "invalid_form_data")
        else:
            if token is None and isinstance(params.get("token"), str):
                token = params["token"] or None
            try:
                result = self._api.handle(method, params, token)
            except Exception as exc:
                # A bug in the fake must still be recorded and visible in the
                # client's error, not only in a server-thread traceback.
                _log.exception("fakeslack failed to handle %s", method)
                result = error_result(f"fakeslack_crashed: {exc!r}", status=500)
        self._recorder.add_call(
            ApiCall(
                method=method,
                params=params,
                headers=_lower_headers(request),
                token=token,
                raw_body=raw,
                time=arrived,
                status=result.status,
                path=request.path_qs,
            )
        )
        return web.json_response(result.body, status=result.status, headers=result.headers)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        raw = await request.read()
        content_type = request.headers.get(hdrs.CONTENT_TYPE, "")
        data = raw
        if content_type.lower().startswith("multipart/form-data"):
            # Slack also accepts the bytes as a multipart "file" field.
            parts = parse_multipart(raw, content_type)
            data = next((v for v in parts.values() if isinstance(v, bytes)), b"")
        if not self._api.store_upload(file_id, data):
            return web.Response(status=404, text="file not found")
        # What files.slack.com answers; slack_sdk only checks the status.
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        token = _bearer_token(request)
        self.downloads.append((file_id, token))
        shared = self._shared.get(file_id)
        if shared is None:
            return web.Response(status=404, text="file not found")
        _, data, readable = shared
        if token != self.bot_token or not readable:
            return web.Response(text=SIGN_IN_PAGE, content_type="text/html", charset="utf-8")
        return web.Response(body=data, content_type="application/octet-stream")

    def share_file(
        self,
        name: str,
        data: bytes,
        *,
        size: int | None = None,
        filetype: str = "",
        readable: bool = True,
    ) -> dict[str, Any]:
        """A file as a ``message`` event's ``files`` carry it, downloadable from here
        (``readable=False``: the app lacks files:read, every download gets the sign-in page)."""
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        self._shared[file_id] = (name, data, readable)
        url = f"{self.base_url}/files-pri/{file_id}/{quote(name)}"
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "application/octet-stream",
            "filetype": filetype or name.rpartition(".")[2],
            "size": len(data) if size is None else size,
            "url_private": url,
            "url_private_download": url + "?download=1",
        }

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        raw = await request.read()
        try:
            params = parse_params({}, raw, request.headers.get(hdrs.CONTENT_TYPE, ""))
        except ValueError:
            params = {}
        known = self._api.is_response_url(request.match_info["response_id"])
        status = 200 if known else 404
        self._recorder.add_response(
            ApiCall(
                method="response_url",
                params=params,
                headers=_lower_headers(request),
                token=None,
                raw_body=raw,
                time=arrived,
                status=status,
                path=request.path_qs,
            )
        )
        if not known:
            return web.json_response({"ok": False, "error": "unknown_response_url"}, status=404)
        return web.json_response({"ok": True})

    # --- Web API inspection and scripting --------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call received, in arrival order (a snapshot copy)."""
        return self._recorder.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return self._recorder.calls_to(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        """Block until ``count`` calls to ``method`` arrived; AssertionError lists what did."""
        return self._recorder.wait_for(method, count, timeout)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (see :mod:`.webapi`)."""
        self._api.fail_next(
            method, status=status, retry_after=retry_after, error=error, times=times
        )

    @property
    def channels(self) -> dict[str, dict[str, Any]]:
        """Per-channel overrides merged into conversations.info answers."""
        return self._api.channels

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        """Per-user overrides merged into users.info answers ({"locale": "en-US"})."""
        return self._api.users

    # --- files and response URLs -------------------------------------------------

    @property
    def files(self) -> dict[str, UploadedFile]:
        """Every file announced via files.getUploadURLExternal, by file id."""
        return self._api.files

    @property
    def uploads(self) -> dict[str, bytes]:
        """Bytes received at upload URLs, by file id."""
        return {fid: f.data for fid, f in self._api.files.items() if f.data is not None}

    @property
    def filenames(self) -> dict[str, str]:
        """Filename announced for each file id."""
        return {fid: f.filename for fid, f in self._api.files.items()}

    def response_url(self) -> str:
        """A fresh response_url on this server; POSTs to it land in ``responses``."""
        return self._api.issue_response_url()

    @property
    def responses(self) -> list[ApiCall]:
        return self._recorder.responses

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        return self._recorder.wait_for_responses(count, timeout)

    # --- Socket Mode -------------------------------------------------------------

    @property
    def socket_connections(self) -> int:
        """WebSocket connections accepted so far (not just currently open)."""
        return self._hub.accepted

    @property
    def acks(self) -> list[dict[str, Any]]:
        """Every ack frame received from clients, in order."""
        return self._recorder.acks

    def wait_for_socket(self, count: int = 1, timeout: float = 10.0) -> None:
        self._hub.wait_for_socket(count, timeout)

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push an envelope to one open connection (the newest); returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._run(self._hub.send(envelope))
        return envelope_id

    def send_event(self, event: dict[str, Any], *, event_id: str | None = None) -> str:
        payload = event_callback(
            event,
            event_id=event_id,
            team_id=self.team_id,
            api_app_id=self.app_id,
            bot_user_id=self.bot_user_id,
        )
        return self.send_envelope("events_api", payload)

    def send_slash_command(
        self, command: str, text: str, *, user_id: str = "U123", channel_id: str = "C123"
    ) -> str:
        payload = slash_command_form(
            command,
            text,
            response_url=self.response_url(),
            user_id=user_id,
            channel_id=channel_id,
            team_id=self.team_id,
            api_app_id=self.app_id,
        )
        # Slack lets the ack carry the command's reply.
        return self.send_envelope("slash_commands", payload, accepts_response_payload=True)

    def send_interactive(
        self, payload: dict[str, Any], *, accepts_response_payload: bool | None = None
    ) -> str:
        if accepts_response_payload is None:
            accepts_response_payload = payload.get("type") in _RESPONSE_PAYLOAD_INTERACTIONS
        return self.send_envelope(
            "interactive", payload, accepts_response_payload=accepts_response_payload
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        return self._recorder.wait_for_ack(envelope_id, timeout)

    def send_disconnect(self, reason: str = "refresh_requested", *, grace: float = 1.0) -> None:
        """Send ``{"type": "disconnect"}`` on the current connection, then close it.

        The close waits until the client has reconnected or dropped the socket,
        at most ``grace`` seconds, as Slack does.
        """
        self._run(self._hub.disconnect(reason, grace), timeout=grace + _CALL_TIMEOUT)


#: What Slack serves for a file download it does not authorise.
SIGN_IN_PAGE = (
    '<!DOCTYPE html><html lang="ja"><head><title>Slack</title></head>'
    "<body><h1>サインイン</h1><p>ワークスペースにサインインしてください。</p></body></html>"
)


def _lower_headers(request: web.Request) -> dict[str, str]:
    # Clients disagree on header case (urllib sends "X-slack-signature"), so
    # recorded names are lower-cased to make lookups in tests predictable.
    return {name.lower(): value for name, value in request.headers.items()}


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None
