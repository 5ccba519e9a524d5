"""Pytest fixtures and client helpers for the Slack fake.

Import the fixture into a conftest to enable it:
``from tests.fakeslack.fixtures import fake_slack``.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest
from slack_sdk.socket_mode import SocketModeClient

from .server import FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started FakeSlack, stopped (threads and sockets closed) after the test."""
    with FakeSlack() as fake:
        yield fake


def close_socket_mode_client(client: SocketModeClient) -> None:
    """Close slack_sdk's built-in SocketModeClient without its multi-second stalls.

    ``SocketModeClient.close()`` needs the receive lock, which its reader thread
    holds while blocked in ``recv`` for up to the socket's 3 s timeout, and then
    joins a message-processor thread that polls its queue with a 1 s timeout.
    Shutting the socket down makes that ``recv`` return at once, and a sentinel
    (``None``, which the processor skips) wakes the poll after ``closed`` is set.
    For Bolt, pass ``SocketModeHandler.client``.
    """
    client.auto_reconnect_enabled = False
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        # An already-dead socket raises here; close() below copes with that.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    client.closed = True
    client.message_queue.put(None)
    client.close()
