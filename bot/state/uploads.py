"""Reports uploaded in Slack and the audit log of what was done with them.

Every write is one statement keyed by a unique id, so that two workers (or two admins
pressing 取り込む at once) cannot both act: the one whose UPDATE changed the row won.
A preview nobody confirms or cancels expires, by the same kind of statement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa

from bot.state.database import StateDB
from bot.state.questions import DAY_SECONDS
from bot.state.schema import audit_log, uploads

if TYPE_CHECKING:
    # Imported when a preview is read: the housekeeping of every process (`planbot ask`'s
    # console included) uses this module, and the ingest package is slow to import.
    from bot.ingest.preview import ReportPreview

UploadStatus = Literal["previewed", "ingesting", "ingested", "cancelled", "failed", "expired"]
AuditAction = Literal["upload", "refused", "confirmed", "cancelled", "rollback"]
#: Uploads whose kept copy is still wanted: the preview's buttons, an ingest under way.
LIVE: tuple[UploadStatus, ...] = ("previewed", "ingesting")

#: Under the state directory: each upload's copy in a directory named for its id,
#: kept on the host that received it until it is ingested, cancelled or expires.
UPLOADS_DIR = "uploads"
#: Under UPLOADS_DIR: a rolled-back upload's file, out of the reports a rebuild ingests.
ROLLED_BACK_DIR = "rolled_back"


@dataclass(frozen=True)
class PendingUpload:
    upload_id: str
    file_name: str
    checksum: str
    stored_path: str
    user_id: str
    channel_id: str
    thread_ts: str
    preview: ReportPreview
    status: UploadStatus


@dataclass(frozen=True)
class AuditEntry:
    at: float
    action: AuditAction
    user_id: str | None
    file_name: str | None
    checksum: str | None
    detail: str


class Uploads:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def add(self, upload: PendingUpload) -> None:
        self.db.execute(
            sa.insert(uploads).values(
                upload_id=upload.upload_id,
                file_name=upload.file_name,
                checksum=upload.checksum,
                stored_path=upload.stored_path,
                user_id=upload.user_id,
                channel_id=upload.channel_id,
                thread_ts=upload.thread_ts,
                preview=upload.preview.model_dump_json(),
                status=upload.status,
                created_at=time.time(),
            )
        )

    def get(self, upload_id: str) -> PendingUpload | None:
        u = uploads.c
        row = self.db.one(
            sa.select(
                u.upload_id,
                u.file_name,
                u.checksum,
                u.stored_path,
                u.user_id,
                u.channel_id,
                u.thread_ts,
                u.preview,
                u.status,
            ).where(u.upload_id == upload_id)
        )
        if row is None:
            return None
        fields = dict(row._mapping)
        from bot.ingest.preview import ReportPreview

        preview = ReportPreview.model_validate_json(fields.pop("preview"))
        return PendingUpload(**fields, preview=preview)

    def claim(self, upload_id: str, user_id: str, *, to: UploadStatus) -> bool:
        """Move a previewed upload on (to ingesting or cancelled); True for the one winner."""
        u = uploads.c
        stmt = (
            sa.update(uploads)
            .where((u.upload_id == upload_id) & (u.status == "previewed"))
            .values(status=to, decided_by=user_id, decided_at=time.time())
        )
        return self.db.execute(stmt) == 1

    def ingested(self, checksum: str) -> bool:
        """Whether a file with these bytes came in through an upload and was ingested."""
        u = uploads.c
        stmt = sa.select(1).where((u.checksum == checksum) & (u.status == "ingested")).limit(1)
        return self.db.one(stmt) is not None

    def set_status(self, upload_id: str, status: UploadStatus) -> None:
        self.db.execute(
            sa.update(uploads).where(uploads.c.upload_id == upload_id).values(status=status)
        )

    def expire(self, *, after_days: int, now: float | None = None) -> int:
        """Previews neither confirmed nor cancelled within ``after_days``: expired, in one
        statement (a 取り込む pressed at that moment either claims first or finds it so)."""
        u = uploads.c
        cutoff = (time.time() if now is None else now) - after_days * DAY_SECONDS
        stmt = (
            sa.update(uploads)
            .where((u.status == "previewed") & (u.created_at < cutoff))
            .values(status="expired")
        )
        return self.db.execute(stmt)

    def statuses(self, upload_ids: list[str]) -> dict[str, str]:
        u = uploads.c
        rows = self.db.rows(sa.select(u.upload_id, u.status).where(u.upload_id.in_(upload_ids)))
        return {r.upload_id: r.status for r in rows}

    def live_directories(self) -> set[str]:
        """Names of the directories that previews still open, or ingests under way, keep
        their copy in (a preview made again keeps the first one's directory)."""
        u = uploads.c
        rows = self.db.rows(sa.select(u.stored_path).where(u.status.in_(LIVE)))
        return {Path(r.stored_path).parent.name for r in rows}


class AuditLog:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def record(
        self,
        action: AuditAction,
        *,
        user_id: str | None,
        file_name: str | None = None,
        checksum: str | None = None,
        detail: str = "",
        at: float | None = None,
    ) -> None:
        self.db.execute(
            sa.insert(audit_log).values(
                at=time.time() if at is None else at,
                action=action,
                user_id=user_id,
                file_name=file_name,
                checksum=checksum,
                detail=detail,
            )
        )

    def purge(self, *, retention_days: int, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - retention_days * DAY_SECONDS
        return self.db.execute(sa.delete(audit_log).where(audit_log.c.at < cutoff))

    def recent(self, limit: int = 10) -> list[AuditEntry]:
        a = audit_log.c
        rows = self.db.rows(
            sa.select(a.at, a.action, a.user_id, a.file_name, a.checksum, a.detail)
            .order_by(a.at.desc(), a.id.desc())
            .limit(limit)
        )
        return [AuditEntry(**dict(r._mapping)) for r in rows]
