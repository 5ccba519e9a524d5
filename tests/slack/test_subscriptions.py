"""/plan subscribe | unsubscribe | subscriptions and /plan digest, over real HTTP."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.digest.delivery import ledger_for
from bot.digest.ledger import Subscription
from bot.digest.schedule import parse_schedule
from bot.slack.context import SlackServices
from bot.slack.subscriptions import describe
from tests.fakeslack import FakeSlack

from .conftest import ADMIN, HttpBot, blocks_text, drain


def test_admin_subscribes_lists_and_unsubscribes(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    http_bot.command("subscribe 高齢者支援課 weekly mon 9:00 next", channel="C555", user=ADMIN)
    (reply,) = fake_slack.wait_for_responses()
    assert reply.params["response_type"] == "ephemeral"
    assert "登録しました" in reply.params["text"] and "高齢者支援課" in reply.params["text"]
    (sub,) = ledger_for(settings).subscriptions()
    assert (sub.channel, sub.scope_kind, sub.scope_value) == ("C555", "department", "高齢者支援課")
    assert (sub.schedule.kind, sub.schedule.weekday, sub.schedule.hour) == ("weekly", 0, 9)
    assert sub.holiday_rule == "next_business_day" and sub.created_by == ADMIN

    http_bot.command("subscriptions", user=ADMIN)
    listing = fake_slack.wait_for_responses(2)[-1].params["text"]
    assert sub.id in listing and "毎週月曜 9:00" in listing

    http_bot.command(f"unsubscribe {sub.id}", user=ADMIN)
    assert "解除しました" in fake_slack.wait_for_responses(3)[-1].params["text"]
    assert ledger_for(settings).subscriptions() == []


def test_subscriptions_are_admin_only(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    http_bot.command("subscribe 全体 daily 8:30", user="UNOBODY")
    (reply,) = fake_slack.wait_for_responses()
    assert "管理者" in reply.params["text"]
    assert ledger_for(settings).subscriptions() == []


def test_bad_schedule_is_explained(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    http_bot.command("subscribe 全体 monthly 31 9:00", user=ADMIN)
    (reply,) = fake_slack.wait_for_responses()
    assert "登録できませんでした" in reply.params["text"]


def test_digest_preview_is_the_digest_only_to_the_caller(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    http_bot.command("digest")
    first = fake_slack.wait_for_responses()[0]
    assert first.params["response_type"] == "ephemeral"
    text = blocks_text(first.params)
    assert "進捗ダイジェスト" in text and "あなたにだけ" in text and "プレビュー" in text
    assert "事業16" in str([r.params for r in fake_slack.responses])
    drain(http_bot.app)  # every listener has finished: nothing was posted to the channel
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_subscription_is_described_on_a_leap_day(slack_services: SlackServices) -> None:
    sub = Subscription(id="w", channel="C1", schedule=parse_schedule("毎週月曜 9:00"))
    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert "次回 2028-03-06 09:00" in describe(slack_services, sub, "ja", now=leap_day)
