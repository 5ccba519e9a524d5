"""Questions in the thread of an answer continue it, over real HTTP; a slow answer
first says it is working and is then put in that message's place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from bot.slack.app import create_app
from tests.fakeslack import FakeSlack

from .conftest import HttpBot, blocks_text, make_settings, mention, serve

TOP = "1699999999.000100"


def in_thread(text: str, ts: str) -> dict[str, Any]:
    return {**mention(text, ts=ts), "thread_ts": TOP}


def headline(params: dict[str, Any]) -> str:
    return str(params["blocks"][0]["text"]["text"])


def ask_in_turn(http_bot: HttpBot, fake: FakeSlack, events: list[dict[str, Any]]) -> list[Any]:
    """Each event sent after the previous answer arrived (a person reads, then asks)."""
    for n, event in enumerate(events, start=1):
        http_bot.event(event)
        fake.wait_for("chat.postMessage", count=n)
    return [c.params for c in fake.calls_to("chat.postMessage")]


def test_follow_ups_in_a_thread_inherit_and_say_so(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    answers = ask_in_turn(
        http_bot,
        fake_slack,
        [
            mention("子ども家庭支援センターの事業", ts=TOP),
            in_thread("Bは？", "1699999999.000200"),
            in_thread("in English", "1699999999.000300"),
            in_thread("それの詳細", "1699999999.000400"),
        ],
    )
    first, grade_b, english, detail = answers
    assert headline(first).startswith("子ども家庭支援センター・令和元年度")
    assert headline(grade_b).startswith(
        "評価B・子ども家庭支援センター・令和元年度（2019年度）: 1件"
    )
    assert "前の質問から引き継いだ条件: 子ども家庭支援センター" in blocks_text(grade_b)
    # "in English" keeps everything and changes the language.
    assert headline(english).startswith("grade B · 子ども家庭支援センター · FY2019: 1 item")
    assert "Carried over from the earlier question: grade B · 子ども家庭支援センター" in (
        blocks_text(english)
    )
    # "それの詳細": the one item of the thread's last answer, in full.
    assert "事業実績" in blocks_text(detail)
    assert all(a["thread_ts"] == TOP for a in answers)


def test_a_new_thread_and_a_named_department_start_afresh(
    http_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    _, other_dept, fresh = ask_in_turn(
        http_bot,
        fake_slack,
        [
            mention("D評価の事業は？", ts=TOP),
            in_thread("高齢者支援課だけ", "1699999999.000200"),
            mention("高齢者支援課の事業", ts="1699999999.000900"),
        ],
    )
    # The department is new, the grade is carried over: no D item there.
    assert headline(other_dept).startswith("評価D・高齢者支援課")
    assert "前の質問から引き継いだ条件: 評価D" in blocks_text(other_dept)
    assert headline(fresh).startswith("高齢者支援課・令和元年度")
    assert "引き継いだ" not in blocks_text(fresh)


def test_follow_ups_work_in_a_direct_message(http_bot: HttpBot, fake_slack: FakeSlack) -> None:
    def dm(text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
        event = {"type": "message", "channel_type": "im", "channel": "D123", "user": "U123"}
        event.update(text=text, ts=ts, event_ts=ts)
        return {**event, "thread_ts": thread_ts} if thread_ts else event

    _, follow = ask_in_turn(
        http_bot,
        fake_slack,
        [dm("which items are graded B?", TOP), dm("子ども政策課 only", "1699999999.000200", TOP)],
    )
    assert headline(follow).startswith("grade B · 子ども政策課")
    assert "Carried over from the earlier question: grade B" in blocks_text(follow)


@pytest.fixture
def eager_bot(seed_warehouse: Path, tmp_path: Path, fake_slack: FakeSlack) -> Iterator[HttpBot]:
    # A notice at once, so that the test sees the notice → answer sequence every time.
    settings = make_settings(seed_warehouse, tmp_path / "state", fake_slack, working_notice_s=0)
    services = Services.from_settings(settings)
    bot = serve(create_app(settings, services), fake_slack)
    yield bot
    bot.stop()
    services.close()


def test_a_slow_answer_shows_it_is_working_then_takes_its_place(
    eager_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    eager_bot.event(mention("高齢者支援課のまとめ", ts="1699999999.001000"))
    (update,) = fake_slack.wait_for("chat.update")
    (notice,) = fake_slack.calls_to("chat.postMessage")
    assert notice.params["text"] == "集計中…"
    # The fake numbers messages from 1700000000.000100: the notice is the one updated.
    assert (update.params["channel"], update.params["ts"]) == ("C123", "1700000000.000100")
    assert headline(update.params).startswith("高齢者支援課・令和元年度（2019年度） まとめ")

    eager_bot.event(mention("summary for 子ども政策課", ts="1699999999.002000"))
    _, english = fake_slack.wait_for("chat.update", count=2)
    notices = [c.params["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert notices.count("Working on it…") == 1
    assert headline(english.params).startswith("子ども政策課 · FY2019 summary")
