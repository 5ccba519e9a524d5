"""Requests Slack never sends get a status and one log line, never a 500 and a traceback."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

import pytest

from tests.fakeslack import FakeSlack
from tests.fakeslack.signing import sign

from .conftest import SECRET, HttpBot

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "", "-5", "9" * 40])
def test_a_malformed_timestamp_is_401_in_one_line(
    http_bot: HttpBot,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    timestamp: str,
) -> None:
    body = b'{"type": "event_callback", "event": {"type": "app_mention", "text": "secret Q"}}'
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=00",
    }
    with caplog.at_level(logging.INFO):
        assert post(http_bot.url, body, headers) == 401
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert "secret Q" not in caplog.text  # the body is never logged


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"this is not json"),
        ("application/json", b"\xff\xfe not utf-8"),
        ("application/x-www-form-urlencoded", b"payload=%7Bnot-json"),
    ],
    ids=["text-as-json", "bytes-as-json", "form-payload"],
)
def test_an_unparseable_body_is_refused_not_a_500(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture, content_type: str, body: bytes
) -> None:
    unsigned = {"Content-Type": content_type, **sign(body, "not-the-secret")}
    signed = {"Content-Type": content_type, **sign(body, SECRET)}
    with caplog.at_level(logging.INFO):
        assert post(http_bot.url, body, unsigned) == 401
        assert post(http_bot.url, body, signed) == 400
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
