"""Mentions over real HTTP: signed requests to waitress, answers at the fake Slack."""

from __future__ import annotations

import time

import pytest

from bot.config import Settings
from bot.services import Services
from bot.slack.app import create_app
from tests.fakeslack import FakeSlack

from .conftest import SECRET, HttpBot, blocks_text, drain, mention, serve

QUESTION = "which measures are graded D?"


def test_mention_is_answered_once_in_its_thread(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    event = mention(QUESTION, ts="1699999999.000100")

    status, _ = http_bot.event(event, event_id="EvMENTION1")

    assert status == 200
    fake_slack.wait_for("chat.postMessage")
    drain(http_bot.app)
    (posted,) = fake_slack.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C123"
    assert posted.params["thread_ts"] == event["ts"]
    assert "Item 16" in blocks_text(posted.params)


def test_reply_in_a_thread_stays_in_that_thread(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    event = {**mention("D評価の事業は？", ts="1699999999.000900"), "thread_ts": "1699999990.000100"}

    http_bot.event(event)

    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted.params["thread_ts"] == "1699999990.000100"
    assert "事業16" in blocks_text(posted.params)


def test_redeliveries_are_not_answered_again_even_after_a_restart(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    event = mention(QUESTION)
    assert http_bot.event(event, event_id="EvRETRY1")[0] == 200
    fake_slack.wait_for("chat.postMessage")
    for attempt in (1, 2, 3):
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        # Acknowledged (so Slack stops retrying), but not answered.
        assert http_bot.event(event, event_id="EvRETRY1", headers=headers)[0] == 200
    http_bot.stop()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1

    # A new process on the same state dir remembers the event.
    services = Services.from_settings(settings)
    restarted = serve(create_app(settings, services), fake_slack)
    try:
        headers = {"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "http_error"}
        assert restarted.event(event, event_id="EvRETRY1", headers=headers)[0] == 200
        # …and still answers new events.
        restarted.event(mention("D評価の事業は？", ts="1699999999.000500"), event_id="EvNEW")
        fake_slack.wait_for("chat.postMessage", count=2)
    finally:
        restarted.stop()
        services.close()
    posts = fake_slack.calls_to("chat.postMessage")
    assert len(posts) == 2
    assert posts[1].params["thread_ts"] == "1699999999.000500"


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("forged-secret", 0), (None, 301), (None, 3600)],
    ids=["forged-signature", "stale-301s", "stale-1h"],
)
def test_unverified_requests_are_rejected(
    http_bot: HttpBot, fake_slack: FakeSlack, secret: str | None, age_s: int
) -> None:
    status, _ = http_bot.event(
        mention(QUESTION),
        event_id="EvFORGED",
        timestamp=int(time.time()) - age_s,
        secret=secret or SECRET,
    )

    assert status == 401
    drain(http_bot.app)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_rejected_request_does_not_use_up_the_event_id(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    # Dedupe runs after verification: a forgery cannot block the real delivery.
    assert http_bot.event(mention(QUESTION), event_id="EvREAL", secret="forged")[0] == 401
    assert http_bot.event(mention(QUESTION), event_id="EvREAL")[0] == 200
    fake_slack.wait_for("chat.postMessage")


def test_rate_limited_post_is_delivered_after_retry_after(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    http_bot.event(mention(QUESTION))

    limited, delivered = fake_slack.wait_for("chat.postMessage", count=2)
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.time - limited.time >= 0.95  # Retry-After honoured, not hammered
    drain(http_bot.app)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_failed_question_gets_an_apology_and_the_bot_keeps_answering(
    http_bot: HttpBot, fake_slack: FakeSlack, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_answer = services.answerer.answer

    def answer(question: str) -> object:
        if "boom" in question:
            raise RuntimeError("query failed")
        return real_answer(question)

    monkeypatch.setattr(services.answerer, "answer", answer)

    http_bot.event(mention("boom", ts="1699999999.000100"))
    (apology,) = fake_slack.wait_for("chat.postMessage")
    assert "参照ID" in apology.params["text"]
    assert apology.params["thread_ts"] == "1699999999.000100"

    http_bot.event(mention(QUESTION, ts="1699999999.000200"))
    _, answered = fake_slack.wait_for("chat.postMessage", count=2)
    assert "Item 16" in blocks_text(answered.params)


def test_a_crash_while_rendering_is_apologised_for_too(
    http_bot: HttpBot, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.slack.answering as answering

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("renderer bug")

    monkeypatch.setattr(answering, "answer_messages", broken)

    http_bot.event(mention(QUESTION, ts="1699999999.000300"))

    (apology,) = fake_slack.wait_for("chat.postMessage")
    assert "ref " in apology.params["text"]
    assert apology.params["thread_ts"] == "1699999999.000300"
    monkeypatch.undo()
    http_bot.event(mention(QUESTION, ts="1699999999.000400"))
    fake_slack.wait_for("chat.postMessage", count=2)


def test_health_endpoint(http_bot: HttpBot) -> None:
    import urllib.request

    url = http_bot.url.replace("/slack/events", "/healthz")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        assert response.status == 200


def test_direct_message_is_answered_and_edits_and_bot_posts_are_not(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D123", "user": "U123"}
    edited = {**dm, "subtype": "message_changed", "ts": "3.1", "text": "D評価の事業は？"}
    from_bot = {**dm, "bot_id": "B0BOT", "ts": "3.2", "text": "D評価の事業は？"}
    for ignored in (edited, from_bot):
        # Acknowledged with 200, so Slack does not retry them either.
        assert http_bot.event(ignored)[0] == 200

    assert http_bot.event({**dm, "ts": "3.3", "text": "D評価の事業は？"})[0] == 200

    fake_slack.wait_for("chat.postMessage")
    drain(http_bot.app)
    (posted,) = fake_slack.calls_to("chat.postMessage")
    assert (posted.params["channel"], posted.params["thread_ts"]) == ("D123", "3.3")
    assert "事業16" in blocks_text(posted.params)
