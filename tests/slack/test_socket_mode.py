"""Socket Mode against the fake: envelopes acked, answers posted, reconnects on disconnect."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from tests.fakeslack import FakeSlack
from tests.fakeslack.fixtures import close_socket_mode_client

from .conftest import blocks_text, drain, mention


def test_mention_is_acked_answered_and_survives_a_disconnect(
    socket_bot: SocketModeHandler, app: App, fake_slack: FakeSlack
) -> None:
    envelope = fake_slack.send_event(mention("which measures are graded D?", ts="1.1"))
    assert fake_slack.wait_for_ack(envelope) == {"envelope_id": envelope}
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted.params["thread_ts"] == "1.1"
    assert "Item 16" in blocks_text(posted.params)

    fake_slack.send_disconnect()
    fake_slack.wait_for_socket(2)

    envelope = fake_slack.send_event(mention("D評価の事業は？", ts="2.2"))
    fake_slack.wait_for_ack(envelope)
    _, again = fake_slack.wait_for("chat.postMessage", count=2)
    assert again.params["thread_ts"] == "2.2"
    assert "事業16" in blocks_text(again.params)
    assert fake_slack.socket_connections == 2
    # apps.connections.open went to SLACK_API_URL, i.e. the fake, both times.
    assert len(fake_slack.calls_to("apps.connections.open")) == 2


def test_redelivered_envelope_is_acked_but_not_answered_again(
    socket_bot: SocketModeHandler, app: App, fake_slack: FakeSlack
) -> None:
    event = mention("D評価の事業は？", ts="3.3")
    fake_slack.wait_for_ack(fake_slack.send_event(event, event_id="EvSOCKET"))
    fake_slack.wait_for("chat.postMessage")
    # Slack re-sends an event whose ack it missed (e.g. across a reconnect).
    fake_slack.wait_for_ack(fake_slack.send_event(event, event_id="EvSOCKET"))
    close_socket_mode_client(socket_bot.client)
    drain(app)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_plan_command_over_socket_mode_answers_through_response_url(
    socket_bot: SocketModeHandler, fake_slack: FakeSlack
) -> None:
    envelope = fake_slack.send_slash_command("/plan", "D評価の事業は？")
    ack = fake_slack.wait_for_ack(envelope)
    assert ack["envelope_id"] == envelope

    (response,) = fake_slack.wait_for_responses()
    assert response.params["response_type"] == "in_channel"
    assert "事業16" in blocks_text(response.params)
