"""``planbot`` command line: ingest reports, ask questions, run the bot."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"data_dir": Path(args.data_dir)} if getattr(args, "data_dir", None) else {}
    return Settings(**overrides)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data directory (default: $PLANBOT_DATA_DIR or data/)")

    p = sub.add_parser("ingest", help="parse reports and write a new warehouse snapshot")
    data_dir_option(p)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    data_dir_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("question", nargs="?", help="the question; omit to read stdin lines")

    p = sub.add_parser("console", help="interactive console answering questions")
    data_dir_option(p)

    p = sub.add_parser("run", help="run the bot: Slack when tokens are set, else the console")
    data_dir_option(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = _settings(args)
    if args.command == "ingest":
        from bot.ingest.command import ingest_command

        return ingest_command(settings, args.files)
    if args.command == "ask":
        from bot.console import ask_command

        return ask_command(settings, args.question, as_json=args.json)
    if args.command in ("console", "run"):
        from bot.console import run_console

        return run_console(settings)
    return 2


if __name__ == "__main__":
    sys.exit(main())
