"""The round's state: SQLite under the state directory, or PostgreSQL (DATABASE_URL).

Each method is one transaction, and every change writes its audit row in the same
transaction: a change without its audit row, or an audit row for a change that did not
happen, cannot exist. Concurrent submissions are decided by the database: a submission
updates the evaluation only where its version is still the one the person started from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.models import Item
from bot.round.models import (
    AuditRow,
    Conflict,
    Draft,
    Entry,
    Evaluation,
    EvaluationKey,
    EvaluationStatus,
    Member,
    Round,
    RoundStatus,
)
from bot.round.tables import audit, drafts, evaluations, members, rounds
from bot.state.database import StateDB, normalise_url


class RoundExists(ValueError):
    """A round for this plan and fiscal year was opened before."""


def database_url(state_dir: Path, configured: str | None) -> str:
    """SQLAlchemy's URL for the state database: DATABASE_URL, else SQLite in state_dir."""
    if configured:
        return normalise_url(configured)
    return f"sqlite:///{(state_dir / 'planbot.sqlite3').resolve()}"


def make_engine(url: str) -> Engine:
    """The state database's engine, its schema (the round's tables too) made current."""
    db = StateDB(url)
    db.ensure_schema()
    return db.engine


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _json(model: Any) -> str:
    return model.model_dump_json()


class RoundStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> RoundStore:
        return cls(make_engine(url))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _insert(self, conn: Connection) -> Any:
        return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert

    # --- rounds ----------------------------------------------------------------------
    def create(
        self, rnd: Round, evals: Sequence[Evaluation], people: Sequence[Member], actor: str
    ) -> None:
        try:
            with self._tx() as conn:
                conn.execute(rounds.insert().values(**_round_row(rnd)))
                if evals:
                    conn.execute(evaluations.insert(), [_evaluation_row(e) for e in evals])
                if people:
                    conn.execute(members.insert(), [_member_row(rnd.id, m) for m in people])
                _audit(
                    conn,
                    rnd.id,
                    rnd.opened_at,
                    actor,
                    "open",
                    after={
                        "fiscal_year": rnd.fiscal_year,
                        "deadline": rnd.deadline.isoformat(),
                        "evaluations": len(evals),
                        "members": [m.model_dump(mode="json") for m in people],
                    },
                )
        except IntegrityError as exc:
            raise RoundExists(
                f"a round for {rnd.plan} FY{rnd.fiscal_year} was already opened"
            ) from exc

    def rounds(self) -> list[Round]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rounds).order_by(rounds.c.opened_at)).mappings().all()
        return [_round(r) for r in rows]

    def round(self, round_id: str) -> Round | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(rounds).where(rounds.c.id == round_id)).mappings().first()
        return _round(row) if row else None

    def set_status(
        self, round_id: str, status: RoundStatus, actor: str, at: datetime, note: dict[str, Any]
    ) -> bool:
        """Close or reopen; False when the round already was in that state."""
        values: dict[str, Any] = {"status": status.value}
        if status is RoundStatus.CLOSED:
            values |= {"closed_by": actor, "closed_at": _ts(at)}
        with self._tx() as conn:
            changed = conn.execute(
                update(rounds)
                .where(rounds.c.id == round_id, rounds.c.status != status.value)
                .values(**values)
            ).rowcount
            if changed:
                action = "close" if status is RoundStatus.CLOSED else "reopen"
                _audit(conn, round_id, at, actor, action, after=note)
        return bool(changed)

    # --- people ----------------------------------------------------------------------
    def add_members(
        self, round_id: str, people: Sequence[Member], actor: str, at: datetime
    ) -> list[Member]:
        """Add who is not there yet; returns those added."""
        added: list[Member] = []
        with self._tx() as conn:
            insert = self._insert(conn)
            for m in people:
                stmt = insert(members).values(**_member_row(round_id, m)).on_conflict_do_nothing()
                if conn.execute(stmt).rowcount:
                    added.append(m)
            if added:
                _audit(
                    conn,
                    round_id,
                    at,
                    actor,
                    "assign",
                    after={"members": [m.model_dump(mode="json") for m in added]},
                )
        return added

    def members(self, round_id: str) -> list[Member]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(members)
                    .where(members.c.round_id == round_id)
                    .order_by(members.c.department, members.c.role, members.c.user_id)
                )
                .mappings()
                .all()
            )
        return [
            Member(department=r["department"], user_id=r["user_id"], role=r["role"]) for r in rows
        ]

    # --- evaluations -----------------------------------------------------------------
    def evaluations(self, round_id: str) -> list[Evaluation]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(evaluations)
                    .where(evaluations.c.round_id == round_id)
                    .order_by(evaluations.c.position)
                )
                .mappings()
                .all()
            )
        return [_evaluation(r) for r in rows]

    def evaluation(self, round_id: str, key: EvaluationKey) -> Evaluation | None:
        with self.engine.connect() as conn:
            return _get_evaluation(conn, round_id, key)

    def draft(self, round_id: str, key: EvaluationKey, user_id: str) -> Draft | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(drafts).where(
                        drafts.c.round_id == round_id,
                        drafts.c.item_no == key.item_no,
                        drafts.c.department == key.department,
                        drafts.c.user_id == user_id,
                    )
                )
                .mappings()
                .first()
            )
        return _draft(row) if row else None

    def drafts(self, round_id: str) -> list[Draft]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(drafts).where(drafts.c.round_id == round_id)).mappings()
            return [_draft(r) for r in rows]

    def save_draft(self, round_id: str, draft: Draft) -> Evaluation:
        """Keep what someone typed; an untouched evaluation becomes a draft."""
        key = EvaluationKey(item_no=draft.item_no, department=draft.department)
        with self._tx() as conn:
            before = _get_evaluation(conn, round_id, key)
            if before is None:
                raise KeyError(key)
            _upsert_draft(conn, self._insert(conn), round_id, draft)
            conn.execute(
                _where_key(update(evaluations), round_id, key)
                .where(evaluations.c.status == EvaluationStatus.EMPTY.value)
                .values(status=EvaluationStatus.DRAFT.value)
            )
            _audit(
                conn,
                round_id,
                draft.saved_at,
                draft.user_id,
                "draft",
                key,
                before=_snapshot(before),
                after={
                    "entry": draft.entry.model_dump(mode="json"),
                    "base_version": draft.base_version,
                },
            )
            after = _get_evaluation(conn, round_id, key)
        assert after is not None
        return after

    def submit(
        self,
        round_id: str,
        key: EvaluationKey,
        entry: Entry,
        actor: str,
        at: datetime,
        base_version: int | None,
    ) -> Evaluation | Conflict:
        """Store an answer; a Conflict when someone else changed it since ``base_version``.

        On a conflict nothing is overwritten: the newer answer stays, and this one is
        kept as the person's draft, marked with who changed the item and when.
        """
        with self._tx() as conn:
            before = _get_evaluation(conn, round_id, key)
            if before is None:
                raise KeyError(key)
            stale = (
                base_version is not None
                and before.version != base_version
                and before.updated_by not in (None, actor)
            )
            stmt = _where_key(update(evaluations), round_id, key).values(
                entry=_json(entry),
                status=EvaluationStatus.SUBMITTED.value,
                version=evaluations.c.version + 1,
                updated_by=actor,
                updated_at=_ts(at),
            )
            if not stale:
                # The version read above, checked again by the database: a submission
                # that committed in between makes this one a conflict too.
                stmt = stmt.where(evaluations.c.version == before.version)
            changed = 0 if stale else conn.execute(stmt).rowcount
            if not changed:
                current = _get_evaluation(conn, round_id, key)
                assert current is not None
                conflict = Conflict(
                    changed_by=current.updated_by or "",
                    changed_at=current.updated_at or at,
                    version=current.version,
                )
                kept = Draft(
                    item_no=key.item_no,
                    department=key.department,
                    user_id=actor,
                    entry=entry,
                    base_version=base_version if base_version is not None else current.version,
                    saved_at=at,
                    conflict=conflict,
                )
                _upsert_draft(conn, self._insert(conn), round_id, kept)
                _audit(
                    conn,
                    round_id,
                    at,
                    actor,
                    "conflict",
                    key,
                    before=_snapshot(current),
                    after={"entry": entry.model_dump(mode="json"), "kept_as": "draft"},
                )
                return conflict
            conn.execute(
                drafts.delete().where(
                    drafts.c.round_id == round_id,
                    drafts.c.item_no == key.item_no,
                    drafts.c.department == key.department,
                    drafts.c.user_id == actor,
                )
            )
            after = _get_evaluation(conn, round_id, key)
            assert after is not None
            _audit(conn, round_id, at, actor, "submit", key, _snapshot(before), _snapshot(after))
        return after

    def review(
        self,
        round_id: str,
        key: EvaluationKey,
        status: EvaluationStatus,
        comment: str,
        actor: str,
        at: datetime,
    ) -> Evaluation | None:
        """Approve or return a submitted answer; None when there is none to review."""
        with self._tx() as conn:
            before = _get_evaluation(conn, round_id, key)
            if before is None or not before.status.answered:
                return None
            conn.execute(
                _where_key(update(evaluations), round_id, key).values(
                    status=status.value,
                    version=evaluations.c.version + 1,
                    review_comment=comment or None,
                    reviewed_by=actor,
                    reviewed_at=_ts(at),
                )
            )
            after = _get_evaluation(conn, round_id, key)
            assert after is not None
            action = "approve" if status is EvaluationStatus.APPROVED else "return"
            _audit(conn, round_id, at, actor, action, key, _snapshot(before), _snapshot(after))
        return after

    # --- audit -----------------------------------------------------------------------
    def record(
        self,
        round_id: str,
        at: datetime,
        actor: str,
        action: str,
        after: dict[str, Any] | None = None,
    ) -> None:
        """An audit row for something that changed nothing here (a reminder sent)."""
        with self._tx() as conn:
            _audit(conn, round_id, at, actor, action, after=after)

    def audit(self, round_id: str) -> list[AuditRow]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(select(audit).where(audit.c.round_id == round_id).order_by(audit.c.id))
                .mappings()
                .all()
            )
        return [
            AuditRow(
                id=r["id"],
                round_id=r["round_id"],
                at=datetime.fromisoformat(r["at"]),
                actor=r["actor"],
                action=r["action"],
                item_no=r["item_no"],
                department=r["department"],
                before=json.loads(r["before"]) if r["before"] else None,
                after=json.loads(r["after"]) if r["after"] else None,
            )
            for r in rows
        ]

    def audit_count(self, round_id: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(audit).where(audit.c.round_id == round_id)
                ).scalar_one()
            )


# --- rows ↔ models ---------------------------------------------------------------------


def _round_row(r: Round) -> dict[str, Any]:
    return {
        "id": r.id,
        "municipality": r.municipality,
        "plan": r.plan,
        "title": r.title,
        "fiscal_year": r.fiscal_year,
        "source_fiscal_year": r.source_fiscal_year,
        "deadline": r.deadline.isoformat(),
        "status": r.status.value,
        "opened_by": r.opened_by,
        "opened_at": _ts(r.opened_at),
        "closed_by": r.closed_by,
        "closed_at": _ts(r.closed_at),
    }


def _round(row: Any) -> Round:
    return Round(
        id=row["id"],
        municipality=row["municipality"],
        plan=row["plan"],
        title=row["title"],
        fiscal_year=row["fiscal_year"],
        source_fiscal_year=row["source_fiscal_year"],
        deadline=date.fromisoformat(row["deadline"]),
        status=RoundStatus(row["status"]),
        opened_by=row["opened_by"],
        opened_at=datetime.fromisoformat(row["opened_at"]),
        closed_by=row["closed_by"],
        closed_at=_dt(row["closed_at"]),
    )


def _member_row(round_id: str, m: Member) -> dict[str, Any]:
    return {
        "round_id": round_id,
        "department": m.department,
        "user_id": m.user_id,
        "role": m.role.value,
    }


def _evaluation_row(e: Evaluation) -> dict[str, Any]:
    return {
        "round_id": e.round_id,
        "item_no": e.item_no,
        "department": e.department,
        "sheet_department": e.sheet_department,
        "position": e.position,
        "item": _json(e.item),
        "prefill_plan_text": e.prefill_plan_text,
        "status": e.status.value,
        "entry": _json(e.entry),
        "version": e.version,
        "updated_by": e.updated_by,
        "updated_at": _ts(e.updated_at),
        "review_comment": e.review_comment,
        "reviewed_by": e.reviewed_by,
        "reviewed_at": _ts(e.reviewed_at),
    }


def _evaluation(row: Any) -> Evaluation:
    return Evaluation(
        round_id=row["round_id"],
        item_no=row["item_no"],
        department=row["department"],
        sheet_department=row["sheet_department"],
        position=row["position"],
        item=Item.model_validate_json(row["item"]),
        prefill_plan_text=row["prefill_plan_text"],
        status=EvaluationStatus(row["status"]),
        entry=Entry.model_validate_json(row["entry"]),
        version=row["version"],
        updated_by=row["updated_by"],
        updated_at=_dt(row["updated_at"]),
        review_comment=row["review_comment"],
        reviewed_by=row["reviewed_by"],
        reviewed_at=_dt(row["reviewed_at"]),
    )


def _draft(row: Any) -> Draft:
    return Draft(
        item_no=row["item_no"],
        department=row["department"],
        user_id=row["user_id"],
        entry=Entry.model_validate_json(row["entry"]),
        base_version=row["base_version"],
        saved_at=datetime.fromisoformat(row["saved_at"]),
        conflict=Conflict.model_validate_json(row["conflict"]) if row["conflict"] else None,
    )


def _where_key(stmt: Any, round_id: str, key: EvaluationKey) -> Any:
    return stmt.where(
        evaluations.c.round_id == round_id,
        evaluations.c.item_no == key.item_no,
        evaluations.c.department == key.department,
    )


def _get_evaluation(conn: Connection, round_id: str, key: EvaluationKey) -> Evaluation | None:
    row = conn.execute(_where_key(select(evaluations), round_id, key)).mappings().first()
    return _evaluation(row) if row else None


def _upsert_draft(conn: Connection, insert: Any, round_id: str, d: Draft) -> None:
    values = {
        "round_id": round_id,
        "item_no": d.item_no,
        "department": d.department,
        "user_id": d.user_id,
        "entry": _json(d.entry),
        "base_version": d.base_version,
        "saved_at": _ts(d.saved_at),
        "conflict": _json(d.conflict) if d.conflict else None,
    }
    stmt = insert(drafts).values(**values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["round_id", "item_no", "department", "user_id"],
            set_={k: stmt.excluded[k] for k in ("entry", "base_version", "saved_at", "conflict")},
        )
    )


def _snapshot(e: Evaluation) -> dict[str, Any]:
    return {
        "status": e.status.value,
        "version": e.version,
        "entry": e.entry.model_dump(mode="json"),
        "updated_by": e.updated_by,
        "review_comment": e.review_comment,
    }


def _audit(
    conn: Connection,
    round_id: str,
    at: datetime,
    actor: str,
    action: str,
    key: EvaluationKey | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        audit.insert().values(
            round_id=round_id,
            at=_ts(at),
            actor=actor,
            action=action,
            item_no=key.item_no if key else None,
            department=key.department if key else None,
            before=json.dumps(before, ensure_ascii=False) if before is not None else None,
            after=json.dumps(after, ensure_ascii=False) if after is not None else None,
        )
    )
