"""Sign and send requests the way Slack does when it calls an app over HTTP.

Slack signs each request with ``v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")``
and sends the timestamp alongside; Bolt rejects unsigned requests and those more
than five minutes old, so tests that exercise the HTTP receiver need both.

The payload builders live in :mod:`.payloads` and are re-exported here so a test
can build and sign a request from a single import.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from .payloads import block_actions_payload, event_callback, slash_command_form

__all__ = [
    "FORM_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "block_actions_payload",
    "event_callback",
    "sign",
    "signed_post",
    "slash_command_form",
]

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# Tests post to a local app: never route that through a proxy configured in the
# environment (urllib honours *_proxy variables by default).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` headers for ``body``."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def encode_body(body: bytes | dict[str, Any], content_type: str) -> bytes:
    """Serialise a dict body: JSON for events, form encoding for commands/interactivity.

    Nested dicts/lists inside a form body are JSON-encoded, because that is how
    Slack sends interactivity: ``payload=<json>``.
    """
    if isinstance(body, bytes):
        return body
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == JSON_CONTENT_TYPE:
        return json.dumps(body).encode()
    if media_type == FORM_CONTENT_TYPE:
        fields = {
            k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in body.items()
        }
        return urlencode(fields).encode()
    raise ValueError(f"cannot encode a dict body as {content_type!r}; pass bytes instead")


def signed_post(
    url: str,
    body: bytes | dict[str, Any],
    secret: str,
    *,
    content_type: str = JSON_CONTENT_TYPE,
    timestamp: int | None = None,
    extra_headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    """POST a Slack-signed request; returns ``(status, body)`` even for HTTP errors."""
    data = encode_body(body, content_type)
    headers = {"Content-Type": content_type, **sign(data, secret, timestamp)}
    headers.update(extra_headers or {})
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        # Tests assert on 401s for bad signatures, so a non-2xx is an answer, not a failure.
        with error:
            return error.code, error.read()
