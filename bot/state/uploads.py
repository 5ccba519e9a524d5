"""Reports uploaded in Slack and the audit log of what was done with them.

Every write is one statement keyed by a unique id, so that two workers (or two admins
pressing 取り込む at once) cannot both act: the one whose UPDATE changed the row won.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from bot.ingest.preview import ReportPreview
from bot.state.database import StateDB

UploadStatus = Literal["previewed", "ingesting", "ingested", "cancelled", "failed"]
AuditAction = Literal["upload", "refused", "confirmed", "cancelled", "rollback"]


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
        with self.db.connect() as con:
            con.execute(
                "INSERT INTO uploads (upload_id, file_name, checksum, stored_path, user_id,"
                " channel_id, thread_ts, preview, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    upload.upload_id,
                    upload.file_name,
                    upload.checksum,
                    upload.stored_path,
                    upload.user_id,
                    upload.channel_id,
                    upload.thread_ts,
                    upload.preview.model_dump_json(),
                    upload.status,
                    time.time(),
                ),
            )

    def get(self, upload_id: str) -> PendingUpload | None:
        with self.db.connect() as con:
            row = con.execute(
                "SELECT upload_id, file_name, checksum, stored_path, user_id, channel_id,"
                " thread_ts, preview, status FROM uploads WHERE upload_id = ?",
                (upload_id,),
            ).fetchone()
        if row is None:
            return None
        fields = dict(row)
        preview = ReportPreview.model_validate_json(fields.pop("preview"))
        return PendingUpload(**fields, preview=preview)

    def claim(self, upload_id: str, user_id: str, *, to: UploadStatus) -> bool:
        """Move a previewed upload on (to ingesting or cancelled); True for the one winner."""
        with self.db.connect() as con:
            cursor = con.execute(
                "UPDATE uploads SET status = ?, decided_by = ?, decided_at = ?"
                " WHERE upload_id = ? AND status = 'previewed'",
                (to, user_id, time.time(), upload_id),
            )
            return cursor.rowcount == 1

    def ingested(self, checksum: str) -> bool:
        """Whether a file with these bytes came in through an upload and was ingested."""
        with self.db.connect() as con:
            row = con.execute(
                "SELECT 1 FROM uploads WHERE checksum = ? AND status = 'ingested' LIMIT 1",
                (checksum,),
            ).fetchone()
        return row is not None

    def set_status(self, upload_id: str, status: UploadStatus) -> None:
        with self.db.connect() as con:
            con.execute("UPDATE uploads SET status = ? WHERE upload_id = ?", (status, upload_id))


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
        with self.db.connect() as con:
            con.execute(
                "INSERT INTO audit_log (at, action, user_id, file_name, checksum, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (time.time() if at is None else at, action, user_id, file_name, checksum, detail),
            )

    def recent(self, limit: int = 10) -> list[AuditEntry]:
        with self.db.connect() as con:
            rows = con.execute(
                "SELECT at, action, user_id, file_name, checksum, detail FROM audit_log"
                " ORDER BY at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditEntry(**dict(r)) for r in rows]
