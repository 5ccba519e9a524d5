"""``planbot`` command line: ingest reports, ask questions, run the bot."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
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
    p.add_argument(
        "--allow-removals",
        action="store_true",
        help="write even when the files would remove evaluations the warehouse holds"
        " (by default such an ingest is refused, listing what it would remove)",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("export", help="write a fiscal year back out as the report file")
    data_dir_option(p)
    p.add_argument("--fiscal-year", type=int, required=True, metavar="YEAR")
    p.add_argument("--format", choices=["xlsx", "txt"], default="xlsx", dest="fmt")
    p.add_argument("--out", type=Path, help="file to write (default: a name from the report)")
    p.add_argument("--municipality", help="when the warehouse holds several for the year")
    p.add_argument("--plan", help="when the municipality has several plans for the year")

    p = sub.add_parser("check", help="verify the warehouse's snapshots; --repair mends them")
    data_dir_option(p)
    p.add_argument(
        "--repair",
        action="store_true",
        help="switch to the newest whole snapshot, set damaged ones aside, remove leftovers",
    )

    p = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    data_dir_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("question", nargs="?", help="the question; omit to read stdin lines")

    p = sub.add_parser("console", help="interactive console answering questions")
    data_dir_option(p)

    p = sub.add_parser("run", help="run the bot: Slack when tokens are set, else the console")
    data_dir_option(p)

    p = sub.add_parser("digest", help="preview, post or schedule progress digests")
    data_dir_option(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--run-due",
        action="store_true",
        help="post every subscription whose fire time is due (what the clock runs)",
    )
    mode.add_argument("--preview", action="store_true", help="print what would be posted")
    mode.add_argument("--post", action="store_true", help="post one digest now to --channel")
    mode.add_argument("--subscribe", action="store_true", help="add a subscription")
    mode.add_argument("--unsubscribe", metavar="ID", help="remove a subscription")
    mode.add_argument("--list", action="store_true", help="list subscriptions")
    p.add_argument("--now", help="ISO-8601 time to act as now (default: the clock)")
    p.add_argument("--json", action="store_true", help="with --preview: JSON output")
    p.add_argument("--scope", default="", help="department, goal (基本目標Ⅲ) or plan")
    p.add_argument("--channel", help="Slack channel id")
    p.add_argument(
        "--schedule",
        default="weekly mon 9:00",
        help="weekly mon 9:00 | daily 8:30 | monthly 1 9:00 | weekdays 9:00",
    )
    p.add_argument(
        "--holiday",
        default="skip",
        choices=["skip", "next"],
        help="on a Japanese public holiday: skip, or move to the next business day",
    )
    p.add_argument("--lang", default="ja", choices=["ja", "en"])

    add_round_parser(sub, data_dir_option)

    p = sub.add_parser("clock", help="run the digest scheduler (several may run: one leads)")
    data_dir_option(p)

    p = sub.add_parser("state", help="the state database: its schema, or copy it elsewhere")
    data_dir_option(p)
    p.add_argument(
        "action",
        nargs="?",
        default="status",
        choices=["status", "migrate"],
        help="status: schema revision (migrating if needed); migrate: copy SQLite state",
    )
    p.add_argument("--to", metavar="DATABASE_URL", help="with migrate: the target database")

    p = sub.add_parser("serve", help="run the Slack bot: Socket Mode, or HTTP mode with --http")
    data_dir_option(p)
    p.add_argument("--http", action="store_true", help="serve HTTP (Events API) instead")
    p.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    p.add_argument("--host", help="HTTP interface (default: $PLANBOT_HTTP_HOST or 0.0.0.0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.state.database import SchemaTooNew

    try:
        return _main(argv)
    except SchemaTooNew as exc:
        print(f"planbot: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`planbot ask … | head`): nothing more to say, and not an
        # error. Point stdout at /dev/null so that the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = _settings(args)
    if args.command == "ingest":
        from bot.ingest.command import ingest_command

        return ingest_command(settings, args.files, allow_removals=args.allow_removals)
    if args.command == "check":
        from bot.ingest.check import check_command

        return check_command(settings, repair=args.repair)
    if args.command == "export":
        return _export(settings, args)
    if args.command == "ask":
        from bot.console import ask_command

        return ask_command(settings, args.question, as_json=args.json)
    if args.command == "digest":
        from bot.digest.command import digest_command

        return digest_command(settings, args)
    if args.command == "round":
        from bot.round.command import round_command

        return round_command(settings, args)
    if args.command == "state":
        from bot.state.command import state_command

        return state_command(settings, args.action, to=args.to)
    if args.command == "clock":
        from bot.digest.command import clock_command

        return clock_command(settings)
    if args.command == "run" and settings.slack_enabled:
        from bot.slack.runner import run_slack

        _server_logging()
        return run_slack(settings)
    if args.command in ("console", "run"):
        from bot.console import run_console

        return run_console(settings)
    if args.command == "serve":
        return _serve(settings, args)
    return 2


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.render.report_files import export_filename, report_text, report_xlsx
    from bot.store.report_model import ReportNotFound, load_report

    try:
        report = load_report(
            settings.data_dir,
            args.fiscal_year,
            municipality=args.municipality or settings.municipality,
            plan=args.plan,
        )
    except ReportNotFound as exc:
        print(f"planbot export: {exc}", file=sys.stderr)
        return 1
    data = report_xlsx(report) if args.fmt == "xlsx" else report_text(report)
    out: Path = args.out or Path(export_filename(report, args.fmt))
    out.write_bytes(data)
    sheets = len(report.sheets)
    print(
        f"wrote {out} (FY{report.fiscal_year}: {sheets} sheets, {len(report.evaluations)} evaluations)"
    )
    return 0


def _server_logging() -> None:
    # INFO for a server: the listening address and Bolt's own notices belong in its log.
    logging.getLogger().setLevel(logging.INFO)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    _server_logging()
    from bot.slack.runner import run_slack, serve_http

    if not args.http:
        return run_slack(settings)
    if args.host:
        settings = settings.model_copy(update={"http_host": args.host})
    return serve_http(settings, args.port if args.port is not None else settings.port)


def add_round_parser(sub: argparse._SubParsersAction, data_dir_option: object) -> None:  # type: ignore[type-arg]
    """`planbot round …`. Defined here, not beside the round's code, so that building the
    parser (every command, `planbot ask` too) does not import the round's database layer."""
    p = sub.add_parser("round", help="collect next year's self-evaluations (evaluation round)")
    actions = p.add_subparsers(dest="round_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        data_dir_option(q)  # type: ignore[operator]
        q.add_argument("--by", help="who is acting (default: the login name)")

    q = actions.add_parser("open", help="open a round for a fiscal year")
    common(q)
    q.add_argument("--fiscal-year", type=int, required=True)
    q.add_argument("--deadline", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    q.add_argument("--plan", help="the plan, when the warehouse holds several")

    q = actions.add_parser("assign", help="name who answers (or reviews) for a department")
    common(q)
    q.add_argument("department")
    q.add_argument("users", nargs="+", metavar="USER", help="Slack member ids")
    q.add_argument("--reviewer", action="store_true", help="name reviewers instead")

    q = actions.add_parser("status", help="progress per department")
    common(q)
    q.add_argument("--fiscal-year", type=int)
    q.add_argument("--json", action="store_true")

    q = actions.add_parser("submit", help="enter an answer that came by mail")
    common(q)
    q.add_argument("--item", type=int, required=True)
    q.add_argument("--department", required=True)
    q.add_argument("--grade", required=True)
    q.add_argument("--result", required=True, help="事業実績")
    q.add_argument("--plan", dest="plan_text", help="this year's plan (default: as prefilled)")
    q.add_argument("--next-plan", help="next year's plan")
    q.add_argument("--comment", default="")

    q = actions.add_parser("remind", help="send the reminders that are due (what the clock runs)")
    common(q)
    q.add_argument("--now", help="ISO-8601 time to act as now (default: the clock)")

    q = actions.add_parser("close", help="close the round and write the year's report")
    common(q)
    q.add_argument("--force", action="store_true", help="close even with open evaluations")
    q.add_argument("--out", type=Path, help="also write the year's report workbook here")


if __name__ == "__main__":
    sys.exit(main())
