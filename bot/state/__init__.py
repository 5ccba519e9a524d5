"""The bot's own state, apart from the warehouse: a small SQLite database.

It holds what must survive a restart and be shared by every worker on the host:
the Slack events already answered (so a redelivery is answered once) and the
question log (for ``/plan stats``).
"""

from bot.state.database import StateDB
from bot.state.events import SeenEvents
from bot.state.questions import LoggedQuestion, QuestionCount, QuestionLog

__all__ = ["LoggedQuestion", "QuestionCount", "QuestionLog", "SeenEvents", "StateDB"]
