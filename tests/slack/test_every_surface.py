"""Every surface, in Japanese and in English, end to end over real HTTP: whatever the
fake Slack receives is within Slack's limits."""

from __future__ import annotations

import json

from bot.render import limits
from tests.fakeslack import FakeSlack

from .conftest import ADMIN, HttpBot, buttons, drain, mention
from .test_home_and_shortcut import HOME, shortcut

QUESTIONS = {
    "ja": ["子ども家庭支援センターの事業", "事業39の詳細", "高齢者支援課のまとめ", "ヘルプ"],
    "en": [
        "show 子ども家庭支援センター items",
        "details of item 39",
        "summary for 子ども政策課",
        "help",
    ],
}


def test_every_surface_in_both_languages_is_within_limits(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    for n, question in enumerate(QUESTIONS["ja"] + QUESTIONS["en"]):
        http_bot.event(mention(question, ts=f"1699999999.{n:06d}"))
        http_bot.command(question, user=ADMIN if n % 2 else "U123")
    for n, (lang, locale) in enumerate((("ja", "ja-JP"), ("en", "en-US")), start=1):
        fake_slack.users["U123"] = {"locale": locale}
        http_bot.event(HOME)
        # The Home tab asks users.info after the ack: the next locale waits for this view.
        fake_slack.wait_for("views.publish", count=n)
        shortcut(http_bot, QUESTIONS[lang][0], "C123")
    http_bot.command("summary 高齢者支援課")
    http_bot.command("summary 子ども政策課 en", channel="CNOTIN1")
    posts = fake_slack.wait_for("chat.postMessage", count=len(QUESTIONS["ja"]) * 2)
    details = [b for p in posts for b in buttons(p.params.get("blocks") or [], "item_detail")]
    detail = details[0]
    http_bot.click("item_detail", detail["value"], message_ts="1700000000.000100")
    drain(http_bot.app)

    checked = 0
    for call in fake_slack.calls:
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            blocks = call.params.get("blocks") or []
            assert limits.validate_message(blocks, call.params.get("text") or "") == []
            checked += 1
        elif call.method == "views.publish":
            assert limits.validate_message(call.params["view"]["blocks"], "", surface="home") == []
            checked += 1
    for response in fake_slack.responses:
        blocks = response.params.get("blocks") or []
        assert limits.validate_message(blocks, response.params.get("text") or "") == []
        checked += 1
    assert checked >= 20
    said = json.dumps([c.params for c in fake_slack.calls], ensure_ascii=False)
    assert "Grades by department" in said and "課別の評価分布" in said
