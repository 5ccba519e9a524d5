"""What the Slack listeners need: the core Services plus the bot's state database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ask.answer import Answerer
from bot.config import Settings
from bot.round import RoundService, round_service
from bot.services import Services
from bot.state import Conversations, QuestionLog, SeenEvents, StateDB
from bot.state.uploads import AuditLog, Uploads
from bot.store.database import Store


@dataclass
class SlackServices:
    core: Services
    seen_events: SeenEvents
    questions: QuestionLog
    conversations: Conversations
    rounds: RoundService
    uploads: Uploads
    audit: AuditLog

    @classmethod
    def build(cls, core: Services) -> SlackServices:
        state = StateDB.for_settings(core.settings)
        # At start, not on the first event: a database too new for this release stops
        # the process here, and the first answer does not wait for migrations.
        state.ensure_schema()
        seen = SeenEvents(state, lease_seconds=core.settings.event_lease_s)
        return cls(
            core=core,
            seen_events=seen,
            questions=QuestionLog(state),
            conversations=Conversations(state),
            rounds=round_service(core.settings, core.store),
            uploads=Uploads(state),
            audit=AuditLog(state),
        )

    # The listeners use the core through these, as they would use Services.
    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def answerer(self) -> Answerer:
        return self.core.answerer

    @property
    def store(self) -> Store:
        return self.core.store
