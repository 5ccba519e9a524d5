"""Run the real `planbot` command line on a shifted wall clock: ``python -m
tests.shifted_clock SECONDS ARGS…`` runs ``planbot ARGS…`` with every wall-clock reading
(``datetime.now``, ``time.time``) moved by SECONDS, time running on as usual.

Tests give every process of a scenario the same shift, so that they share one clock, as
hosts kept in time by NTP do, set to a day the test chose (a business day, say) rather
than today. Waits and timeouts (the monotonic clock) are not moved.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import time_machine


def shift_to(at: datetime) -> float:
    """The shift that makes the wall clock read ``at`` now."""
    return at.timestamp() - time.time()


def main(argv: list[str]) -> int:
    shift, *args = argv
    from bot.cli import main as planbot

    start = datetime.fromtimestamp(time.time() + float(shift), UTC)
    with time_machine.travel(start, tick=True):
        return planbot(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
