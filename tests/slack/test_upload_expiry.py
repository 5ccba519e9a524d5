"""Retention of what uploads and rounds leave behind: a report previewed in Slack and never
confirmed expires and its kept copy goes; old audit rows go, an open round's never.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.render.upload_preview import ACTION_UPLOAD_CONFIRM
from bot.round.store import RoundStore, database_url
from bot.slack.housekeeping import purge_state
from bot.state import StateDB
from bot.state.questions import DAY_SECONDS
from bot.state.schema import uploads
from bot.state.uploads import UPLOADS_DIR, AuditLog, Uploads
from bot.store.report_model import ReportNotFound, load_report
from tests.fakeslack import FakeSlack
from tests.round.conftest import ADMIN as ROUND_ADMIN
from tests.round.conftest import DEADLINE, Clock, make_service
from tests.round.test_round_service import answer

from .conftest import ADMIN, HttpBot, buttons, make_settings
from .test_report_upload import DM, FY2020_XLSX, shared, wait_for_post


@pytest.fixture
def settings(
    warehouse: Path, tmp_path: Path, fake_slack: FakeSlack, state_database_url: str | None
) -> Settings:
    return make_settings(warehouse, tmp_path / "state", fake_slack, database_url=state_database_url)


def _copies(settings: Settings) -> list[str]:
    pending = settings.state_dir / UPLOADS_DIR
    return sorted(d.name for d in pending.iterdir()) if pending.is_dir() else []


def test_a_preview_left_unconfirmed_expires_its_copy_goes_and_confirming_says_so(
    http_bot: HttpBot, fake_slack: FakeSlack, settings: Settings
) -> None:
    file = fake_slack.share_file("musashino_fy2020.xlsx", FY2020_XLSX)
    assert http_bot.event(shared(fake_slack, file))[0] == 200
    preview = wait_for_post(fake_slack, "取り込みプレビュー")
    (kept,) = _copies(settings)
    days = settings.upload_preview_days

    # Within its days the preview stands, copy and all.
    assert purge_state(settings, now=time.time() + (days - 1) * DAY_SECONDS).previews == 0
    assert _copies(settings) == [kept]

    purged = purge_state(settings, now=time.time() + (days + 1) * DAY_SECONDS)
    assert (purged.previews, purged.copies) == (1, 1)
    assert _copies(settings) == []
    value = buttons(preview["blocks"], ACTION_UPLOAD_CONFIRM)[0]["value"]
    http_bot.click(ACTION_UPLOAD_CONFIRM, value, message_ts="5.2", channel=DM, user=ADMIN)
    wait_for_post(fake_slack, "このプレビューは期限切れです。取り込むにはもう一度ファイルを送って")
    with pytest.raises(ReportNotFound):  # nothing was ingested
        load_report(settings.data_dir, 2020)
    # Purged once: a second purge finds nothing more.
    assert purge_state(settings, now=time.time() + (days + 2) * DAY_SECONDS).previews == 0


def test_a_copy_another_host_expired_or_a_failed_ingest_left_is_removed_here(
    settings: Settings,
) -> None:
    """Each host keeps its own copies; whichever host expires a preview, the copy goes
    from the host that has it at its next purge."""
    db = StateDB.for_settings(settings)
    pending = settings.state_dir / UPLOADS_DIR
    for upload_id, status in (("failed1", "failed"), ("open1", "previewed")):
        copy = pending / upload_id / "report.txt"
        copy.parent.mkdir(parents=True)
        copy.write_text("…")
        db.execute(_recorded(upload_id, copy, status))
    stray = pending / "unrecorded"  # being received: its row is not written yet
    stray.mkdir()
    assert purge_state(settings).copies == 1
    assert _copies(settings) == ["open1", "unrecorded"]
    later = time.time() + (settings.upload_preview_days + 1) * DAY_SECONDS
    assert purge_state(settings, now=later).copies == 2  # expired, and the stray one
    assert _copies(settings) == []
    assert Uploads(db).statuses(["failed1", "open1"]) == {"failed1": "failed", "open1": "expired"}


def _recorded(upload_id: str, copy: Path, status: str) -> sa.Insert:
    """An upload's row as the Slack flow writes it (the preview itself does not matter)."""
    return sa.insert(uploads).values(
        upload_id=upload_id,
        file_name=copy.name,
        checksum="0" * 64,
        stored_path=str(copy),
        user_id=ADMIN,
        channel_id=DM,
        thread_ts="5.1",
        preview="{}",
        status=status,
        created_at=time.time(),
    )


def test_audit_is_kept_its_days_and_a_rounds_from_its_closing(settings: Settings) -> None:
    clock = Clock(datetime(2021, 4, 12, 1, 0, tzinfo=UTC))
    days = settings.audit_retention_days
    db = StateDB.for_settings(settings)
    audit = AuditLog(db)
    now = clock().timestamp()
    audit.record("upload", user_id=ADMIN, file_name="old.xlsx", at=now - (days + 1) * DAY_SECONDS)
    audit.record("upload", user_id=ADMIN, file_name="new.xlsx", at=now - DAY_SECONDS)
    store = RoundStore.from_url(database_url(settings.state_dir, settings.database_url))
    rounds = make_service(settings.data_dir, store, clock)
    try:
        rnd = rounds.open(2020, DEADLINE, ROUND_ADMIN)
        rows = store.audit_count(rnd.id)
        far = clock() + timedelta(days=10 * days)
        # An open round keeps its whole audit, however old.
        assert purge_state(settings, now=now).audit == 1
        assert [e.file_name for e in audit.recent()] == ["new.xlsx"]
        assert purge_state(settings, now=far.timestamp()).audit == 1  # new.xlsx, in time
        assert store.audit_count(rnd.id) == rows
        rounds.assign("子ども政策課", ["UA"], ROUND_ADMIN)
        answer(rounds, 16, "子ども政策課", "B", "UA")
        rounds.close(ROUND_ADMIN, force=True)
        closed = clock()
        rows = store.audit_count(rnd.id)
        kept = closed + timedelta(days=days - 1)
        assert purge_state(settings, now=kept.timestamp()).audit == 0
        gone = closed + timedelta(days=days + 1)
        assert purge_state(settings, now=gone.timestamp()).audit == rows
        assert store.audit_count(rnd.id) == 0
    finally:
        rounds.warehouse.close()
        store.close()
