"""Requests Slack never sends get a status and one log line, never a 500 and a traceback."""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.slack.http import MAX_BODY_BYTES
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


def test_a_request_with_a_bad_signature_is_one_line_without_its_body(
    http_bot: HttpBot, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # A real request whose signature fails (a rotated secret, a proxy that re-encodes):
    # the person's question must not end up in the log.
    body = (
        b'{"type": "event_callback", "event_id": "EvFORGED", "event": {"type": "app_mention",'
        b' "user": "U1", "channel": "C1", "ts": "1.0", "text": "DV\\u306e\\u76f8\\u8ac7 secret Q"}}'
    )
    headers = {"Content-Type": "application/json", **sign(body, "not-the-secret")}
    with caplog.at_level(logging.DEBUG):
        assert post(http_bot.url, body, headers) == 401
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and "signature" in refusals[0].getMessage()
    assert "secret Q" not in caplog.text and "EvFORGED" not in caplog.text
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_body_larger_than_slack_sends_is_413_before_it_is_sent(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Only the headers go out: the refusal comes from them, before any of the body is read.
    host, port = urllib.parse.urlsplit(http_bot.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    with caplog.at_level(logging.DEBUG):
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(200 * 1024 * 1024))
        connection.endheaders()
        assert connection.getresponse().status == 413
    connection.close()
    assert "Traceback" not in caplog.text
    # A body within the limit still reaches Bolt (a signed, well-formed ping).
    ok = b'{"type": "url_verification", "challenge": "c"}'
    assert post(http_bot.url, ok, {"Content-Type": "application/json", **sign(ok, SECRET)}) == 200


def test_a_chunked_body_past_the_limit_is_refused(http_bot: HttpBot) -> None:
    # No Content-Length to check first: the server stops reading at the limit.
    chunks = iter([b"x" * 65_536] * (MAX_BODY_BYTES // 65_536 + 2))
    request = urllib.request.Request(
        http_bot.url,
        data=chunks,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=10) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            status = int(error.code)
    assert status == 413
