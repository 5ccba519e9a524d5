"""How long one huge question line takes: ``python -m bench.hostile_input [--mb 200]``.

A question is cut before it is cleaned, so a 200 MB line should cost about what a
short question does, not minutes and gigabytes. Reports medians of five runs and the
ratio to an ordinary question, through the core (Answerer) on the seed warehouse.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from bot.ask.answer import Answerer
from bot.ingest.report_text import parse_report_text
from bot.ingest.warehouse import write_reports
from bot.store.database import Store

SEED = (
    Path(__file__).resolve().parents[1] / "data/reports/musashino_gender_equality_plan4_fy2019.txt"
)


def median_seconds(answerer: Answerer, question: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answerer.answer(question)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_reports(Path(tmp), [parse_report_text(SEED)])
        store = Store(Path(tmp))
        answerer = Answerer(store, cache_size=0)  # measure answering, not the cache
        short = "<@U1> D評価の事業は？"
        huge = (short + " ") * (args.mb * 1_000_000 // (len(short) + 1))
        ordinary = median_seconds(answerer, short)
        long_line = median_seconds(answerer, huge)
        tracemalloc.start()
        answerer.answer(huge)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        store.close()
    print(f"ordinary question: median {ordinary * 1000:.1f} ms")
    print(
        f"{args.mb} M-character line: median {long_line * 1000:.1f} ms"
        f" ({long_line / ordinary:.1f}× ordinary), peak {peak / 1e6:.1f} MB allocated"
    )


if __name__ == "__main__":
    main()
