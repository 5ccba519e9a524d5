"""A warehouse holding two cities' plans: item numbers repeat, Details names one city's item."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.services import Services
from bot.slack.app import create_app
from tests import reports
from tests.fakeslack import FakeSlack

from .conftest import HttpBot, blocks_text, buttons, make_settings, mention, serve


@pytest.fixture
def two_city_bot(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[HttpBot]:
    data_dir = tmp_path / "data"
    parsed = [
        parse_report_text(reports.write(tmp_path, "musashino.txt", reports.seed_text())),
        parse_report_text(reports.write(tmp_path, "mitaka.txt", reports.other_city_text())),
    ]
    write_reports(data_dir, parsed)
    settings = make_settings(data_dir, tmp_path / "state", fake_slack)
    services = Services.from_settings(settings)
    bot = serve(create_app(settings, services), fake_slack)
    yield bot
    bot.stop()
    services.close()


def test_details_of_a_listed_item_is_that_citys_item(
    two_city_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    two_city_bot.event(mention("D評価の事業は？"))
    (answer,) = fake_slack.wait_for("chat.postMessage")
    details = [json.loads(b["value"]) for b in buttons(answer.params["blocks"], "item_detail")]
    # Item 16 is graded D in both cities' reports: one button for each, naming the city.
    assert sorted((d["item_no"], d["m"]) for d in details) == [(16, "三鷹市"), (16, "武蔵野市")]

    mitaka = next(
        b for b in buttons(answer.params["blocks"], "item_detail") if "三鷹市" in b["value"]
    )
    two_city_bot.click("item_detail", mitaka["value"], message_ts=answer.params["thread_ts"])

    fake_slack.wait_for("chat.postMessage", count=2)
    two_city_bot.stop()  # every listener has finished: nothing more can be posted
    posted = fake_slack.calls_to("chat.postMessage")
    assert len(posted) == 2  # one detail message, not one per city
    detail = blocks_text(posted[1].params)
    assert reports.OTHER_CITY_ITEM_16 in detail
    assert "mitaka.txt" in detail and "musashino" not in detail


def test_lines_of_an_answer_over_two_cities_say_whose_item(
    two_city_bot: HttpBot, fake_slack: FakeSlack
) -> None:
    two_city_bot.event(mention("D評価の事業は？"))
    (answer,) = fake_slack.wait_for("chat.postMessage")
    text = blocks_text(answer.params)
    assert "— D（三鷹市）" in text
    assert "— D（武蔵野市）" in text
