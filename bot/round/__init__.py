"""Evaluation rounds: next year's self-evaluations collected in Slack (or by the CLI),
reviewed, and written into the warehouse as that fiscal year's report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.round.service import RoundError, RoundService
from bot.round.store import RoundStore, database_url
from bot.store.database import Store

__all__ = ["RoundError", "RoundService", "round_service"]


def round_service(
    settings: Settings, warehouse: Store, *, now: Callable[[], datetime] | None = None
) -> RoundService:
    store = RoundStore.from_url(database_url(settings.state_dir, settings.database_url))
    return RoundService(
        store=store,
        warehouse=warehouse,
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        timezone=settings.timezone,
        municipality=settings.municipality,
        admins=settings.admins,
        now=now or (lambda: datetime.now(UTC)),
    )
