"""The Socket Mode side of the fake Slack: ``GET /socket`` WebSocket connections.

Protocol as Slack speaks it: the app calls ``apps.connections.open`` for a URL
carrying a fresh ticket, connects, receives ``{"type": "hello", ...}``, then gets
envelopes ``{"envelope_id", "type", "payload", "accepts_response_payload",
"retry_attempt", "retry_reason"}`` and answers each with an ack frame
``{"envelope_id": ..., "payload"?: ...}``. Slack delivers every envelope to ONE
of the app's open connections; the fake uses the newest one that is not being
disconnected.

Quirks of slack_sdk's built-in client (``slack_sdk.socket_mode.builtin``) that
shape this module:

* It speaks plain ``ws://`` to any port other than 443, so no TLS is needed.
* Its frame parser cannot unmask frames, and a frame of two bytes or fewer
  makes it block for more data, losing the frame if nothing follows within its
  3 s socket timeout. Server frames are never masked, the fake sends no empty
  pings or payload-less frames, and ``compress=False`` keeps frames plain.
* It reads a frame recursively, one level per ``receive_buffer_size`` (1 KiB)
  chunk, so an envelope of about 1 MiB or more dies with RecursionError inside
  the client (600 KB still works). Keep test envelopes small.
* It never answers a close frame with one of its own; it drops the TCP
  connection instead (after reconnecting, if auto-reconnect is on). aiohttp's
  wait for the client's close frame ends there, or after a short timeout.
* On ``{"type": "disconnect"}`` it calls ``apps.connections.open`` again and
  connects before closing the old socket. The fake therefore keeps the old
  socket open until the client has reconnected or dropped it (or a grace period
  passes), like Slack, which gives clients time to reconnect without losing
  envelopes.
* ``SocketModeClient.close()`` stalls for seconds on blocking reads; tests
  should use :func:`tests.fakeslack.fixtures.close_socket_mode_client`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .recorder import Recorder

# How long aiohttp waits for the client's close frame; the built-in client
# never sends one, so this bounds a close if it also keeps the TCP open.
_CLOSE_TIMEOUT = 2.0
# Polling is simpler than loop-bound asyncio primitives for a state that is
# also read from the test thread, and disconnects are rare.
_POLL_INTERVAL = 0.01


@dataclass(eq=False)
class _Connection:
    number: int
    ws: web.WebSocketResponse
    ready: bool = False  # hello sent
    draining: bool = False  # disconnect sent; no more envelopes go here
    closed: bool = False


class SocketHub:
    """Tracks Socket Mode connections; coroutines run on the server loop."""

    def __init__(self, recorder: Recorder, *, app_id: str) -> None:
        self._recorder = recorder
        self._app_id = app_id
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._open: list[_Connection] = []
        self._accepted = 0
        # Set by FakeSlack.start() once the port is known, e.g. "ws://127.0.0.1:1234".
        self.ws_base = ""

    @property
    def accepted(self) -> int:
        with self._cond:
            return self._accepted

    def issue_url(self) -> str:
        """Called by apps.connections.open: a URL with a fresh ticket."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"{self.ws_base}/socket?ticket={ticket}&app_id={self._app_id}"

    # --- connection lifecycle ------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            known = ticket in self._tickets
        if not known:
            # Only URLs from apps.connections.open are valid, as with Slack.
            return web.Response(status=401, text="invalid or missing ticket")

        ws = web.WebSocketResponse(autoping=True, compress=False, timeout=_CLOSE_TIMEOUT)
        await ws.prepare(request)
        with self._cond:
            self._accepted += 1
            conn = _Connection(number=self._accepted, ws=ws)
            self._open.append(conn)
            open_count = len(self._open)
        try:
            await ws.send_json(self._hello(open_count))
            with self._cond:
                conn.ready = True
                self._cond.notify_all()
            # Reading continuously is also what makes aiohttp answer pings.
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._on_text(message.data)
        except ConnectionResetError:
            pass  # The client vanished; the finally block forgets the connection.
        finally:
            with self._cond:
                conn.closed = True
                if conn in self._open:
                    self._open.remove(conn)
                self._cond.notify_all()
        return ws

    def _hello(self, open_count: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": open_count,
            "debug_info": {
                "host": "fakeslack",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self._app_id},
        }

    def _on_text(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return  # Slack ignores junk frames; so do we.
        if isinstance(frame, dict) and "envelope_id" in frame:
            self._recorder.add_ack(frame)

    def _target(self) -> _Connection:
        with self._cond:
            candidates = [c for c in self._open if c.ready and not c.draining and not c.closed]
            accepted = self._accepted
        if not candidates:
            raise AssertionError(
                f"no open Socket Mode connection (accepted so far: {accepted}); "
                "call wait_for_socket() before sending"
            )
        return candidates[-1]

    # --- operations requested by the test thread ----------------------------

    async def send(self, message: dict[str, Any]) -> None:
        await self._target().ws.send_json(message)

    async def disconnect(self, reason: str, grace: float) -> None:
        conn = self._target()
        with self._cond:
            conn.draining = True
        await conn.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fakeslack"}}
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while loop.time() < deadline:
            with self._cond:
                replaced = any(c.ready and c.number > conn.number for c in self._open)
                if replaced or conn.closed:
                    break
            await asyncio.sleep(_POLL_INTERVAL)
        if not conn.ws.closed:
            await conn.ws.close(code=WSCloseCode.OK, message=reason.encode())

    async def close_all(self) -> None:
        with self._cond:
            conns = list(self._open)
        await asyncio.gather(
            *(c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping") for c in conns),
            return_exceptions=True,
        )

    def wait_for_socket(self, count: int, timeout: float) -> None:
        def ready() -> bool:
            return self._accepted >= count and any(
                c.ready and not c.draining and not c.closed for c in self._open
            )

        with self._cond:
            if self._cond.wait_for(ready, timeout):
                return
            accepted, open_now = self._accepted, len(self._open)
        raise AssertionError(
            f"expected >= {count} Socket Mode connection(s) with one open within {timeout}s; "
            f"accepted {accepted}, open {open_now}"
        )
