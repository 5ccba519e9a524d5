"""The bot's own state, apart from the warehouse: a small SQLite database.

It holds what must survive a restart and be shared by every worker on the host:
the Slack events already answered (so a redelivery is answered once) and the
question log (for ``/plan stats``), and what each answer answered (its menu and
thread follow-ups look it up).
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
