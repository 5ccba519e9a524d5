"""A failed question: a reference id to find it in the log, and the apology that cites it.

Shared by every face (Slack, the console, ``planbot ask --json``) so that a user reads the
same words wherever a failure happens.
"""

from __future__ import annotations

import uuid


def new_reference() -> str:
    """Short enough to read out on the phone, unique enough to find in the log."""
    return uuid.uuid4().hex[:8]


def apology(ref: str) -> str:
    # Both languages: a failure can happen before we know which one the user writes.
    return (
        f"申し訳ありません、処理中にエラーが発生しました（参照ID: {ref}）。"
        f" / Sorry, something went wrong (ref {ref})."
    )
