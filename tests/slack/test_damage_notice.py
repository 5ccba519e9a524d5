"""Admins hear in Slack when planbot answers from an older snapshot because the
current one is damaged."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient

from bot.ingest.report_text import parse_report_text
from bot.ingest.snapshots import current_snapshot
from bot.ingest.warehouse import write_reports
from bot.models import Report
from bot.services import Services
from bot.slack.runner import tell_admins_of_damage
from tests import reports
from tests.fakeslack import FakeSlack

from .conftest import ADMIN, make_settings


def test_admins_get_a_dm_naming_the_damaged_snapshot(
    tmp_path: Path, seed_report: Report, fake_slack: FakeSlack
) -> None:
    data_dir = tmp_path / "data"
    write_reports(data_dir, [seed_report])
    fy2020 = reports.write(tmp_path, "fy2020.txt", reports.second_year_text())
    write_reports(data_dir, [parse_report_text(fy2020)])
    damaged = current_snapshot(data_dir)
    assert damaged is not None
    (damaged / "evaluations" / "fiscal_year=2020" / "part.parquet").write_bytes(b"\0" * 512)

    settings = make_settings(data_dir, tmp_path / "state", fake_slack)
    services = Services.from_settings(settings)
    try:
        client = WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
        tell_admins_of_damage(services, client, settings.admins)
        services.store.refresh()  # the first question opens the warehouse: damage found
        services.store.refresh()  # …and said once, not at every question
    finally:
        services.close()

    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == ADMIN
    assert damaged.name in dm.params["text"] and "planbot check --repair" in dm.params["text"]
