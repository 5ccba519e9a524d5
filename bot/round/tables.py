"""The round's tables (defined with the rest of the state in bot/state/schema.py), in SQLAlchemy Core so that the same statements run on SQLite and
PostgreSQL. Uniqueness that matters (one round per plan and year, one evaluation per
item and department, one draft per person) is a database constraint, not a check in
Python, so several processes writing at once cannot break it.

Times are stored as ISO-8601 text with their offset: both databases keep it as written,
and it sorts as time within one offset (the state always writes UTC).
"""

from __future__ import annotations

from bot.state.schema import TIME, metadata
from bot.state.schema import round_audit as audit
from bot.state.schema import round_drafts as drafts
from bot.state.schema import round_evaluations as evaluations
from bot.state.schema import round_members as members
from bot.state.schema import round_rounds as rounds

__all__ = ["TIME", "audit", "drafts", "evaluations", "members", "metadata", "rounds"]
