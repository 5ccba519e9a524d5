"""The bot's own state, apart from the warehouse: SQLite on one host, PostgreSQL on several.

It holds what must survive a restart and be shared by every worker: the Slack events
already answered (so a redelivery is answered once), the question log (for ``/plan
stats``), what each answer answered (its menu and thread follow-ups look it up), digest
subscriptions and their delivery ledger, evaluation rounds. Tables: ``schema.py``;
opening, locking and migrating: ``database.py``.
"""

from bot.state.conversations import AskedQuestion, Conversations
from bot.state.database import StateDB
from bot.state.events import SeenEvents
from bot.state.questions import LoggedQuestion, QuestionCount, QuestionLog

__all__ = [
    "AskedQuestion",
    "Conversations",
    "LoggedQuestion",
    "QuestionCount",
    "QuestionLog",
    "SeenEvents",
    "StateDB",
]
