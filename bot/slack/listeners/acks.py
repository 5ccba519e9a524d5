"""Acknowledgements: the quick first half of every listener.

Slack wants a 2xx within 3 seconds (and Socket Mode an ack frame); the answer comes
afterwards from a lazy listener, which Bolt runs on its thread pool.
"""

from __future__ import annotations

from slack_bolt import Ack


def ack_now(ack: Ack) -> None:
    ack()
