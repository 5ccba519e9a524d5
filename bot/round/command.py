"""``planbot round …``: the office's face of the evaluation round.

The same service as Slack's, so an answer that came by mail is checked exactly as the
modal checks it. Messages are in English like the rest of the CLI; field problems also
carry the Japanese wording staff see in Slack.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bot.config import Settings
from bot.round import RoundError, RoundService, round_service
from bot.round.models import Progress, RawEntry, Role
from bot.round.service import Closed, CloseRefused, Conflicted, Refused
from bot.services import Services


def round_command(settings: Settings, args: argparse.Namespace) -> int:
    services = Services.for_command(settings)
    if services is None:
        return 1
    rounds = round_service(settings, services.store)
    by = args.by or getpass.getuser()
    try:
        if args.round_command == "remind":
            return _remind(settings, rounds, args.now)
        return _run(rounds, args, by, settings)
    except RoundError as exc:
        print(f"planbot round: {exc.en}", file=sys.stderr)
        return 1
    finally:
        rounds.store.close()
        services.close()


def _run(rounds: RoundService, args: argparse.Namespace, by: str, settings: Settings) -> int:
    command = args.round_command
    if command == "open":
        rnd = rounds.open(args.fiscal_year, args.deadline, by, plan=args.plan)
        progress = rounds.progress(rnd.fiscal_year)
        print(
            f"opened the FY{rnd.fiscal_year} round of {rnd.municipality} {rnd.plan}:"
            f" {progress.total} evaluations in {len(progress.departments)} departments,"
            f" from FY{rnd.source_fiscal_year}'s items; deadline {rnd.deadline}"
        )
        return 0
    if command == "assign":
        role = Role.REVIEWER if args.reviewer else Role.ASSIGNEE
        department, added = rounds.assign(args.department, args.users, by, role=role)
        who = ", ".join(m.user_id for m in added) or "nobody new"
        print(f"{department}: {role.value}s added: {who}")
        return 0
    if command == "status":
        progress = rounds.progress(args.fiscal_year)
        print(progress.model_dump_json(indent=2) if args.json else _progress_text(progress))
        return 0
    if command == "submit":
        rnd = rounds.current()
        key = rounds.key(rnd, args.item, args.department)
        current = rounds.evaluation(rnd, key)
        raw = RawEntry(
            plan_text=args.plan_text if args.plan_text is not None else current.entry.plan_text,
            result_text=args.result,
            grade=args.grade,
            next_plan_text=args.next_plan
            if args.next_plan is not None
            else current.entry.next_plan_text,
            comment=args.comment,
        )
        outcome = rounds.submit(rnd, key, raw, by)
        if isinstance(outcome, Refused):
            for problem in outcome.problems:
                option = _OPTIONS[problem.field]
                print(f"{option}: {problem.en} / {problem.ja}", file=sys.stderr)
            print("refused: nothing was stored", file=sys.stderr)
            return 1
        if isinstance(outcome, Conflicted):  # pragma: no cover - the CLI never sends a base version
            return 1
        ev = outcome.evaluation
        print(
            f"submitted item {ev.item_no} ({ev.department}): grade {ev.entry.grade}"
            + (
                " — the round was reopened; close it again to replace the year"
                if outcome.reopened
                else ""
            )
        )
        return 0
    if command == "close":
        result = rounds.close(by, force=args.force)
        if isinstance(result, CloseRefused):
            print(
                f"refused: {len(result.open)} evaluation(s) are still open"
                " (close --force closes anyway):",
                file=sys.stderr,
            )
            for ev in result.open:
                print(
                    f"  item {ev.item_no} {ev.department}: {ev.status.label('en')}", file=sys.stderr
                )
            return 1
        print(_closed_text(result))
        _publish(settings, result, args.out)
        return 0
    return 2


def _remind(settings: Settings, rounds: RoundService, now_text: str | None) -> int:
    from bot.digest.command import _now
    from bot.digest.delivery import ledger_for
    from bot.round.reminders import round_reminders
    from bot.slack.client import make_web_client

    if settings.slack_bot_token is None:
        print("planbot round remind: needs SLACK_BOT_TOKEN to send DMs", file=sys.stderr)
        return 2
    reminders = round_reminders(rounds, ledger_for(settings), make_web_client(settings), settings)
    sent = reminders.run_due(_now(settings, now_text))
    for s in sent:
        print(f"{s.kind} → {s.user} ({s.fire_time.isoformat()}): {s.status}")
    if not sent:
        print("no reminder due")
    return 1 if any(s.status == "failed" for s in sent) else 0


def _publish(settings: Settings, result: Closed, out: Path | None) -> None:
    from bot.render.report_files import report_xlsx

    if out is not None:
        out.write_bytes(report_xlsx(result.report))
        print(f"report workbook written to {out}")
    if settings.slack_bot_token is not None and settings.admins:
        from bot.round.slack.publish import publish_report
        from bot.slack.client import make_web_client

        # No channel from the command line: the admins are told by DM.
        publish_report(settings.admins, make_web_client(settings), result, channel=None)
        print(f"announced to {len(settings.admins)} admin(s) in Slack")


_OPTIONS = {
    "plan_text": "--plan",
    "result_text": "--result",
    "grade": "--grade",
    "next_plan_text": "--next-plan",
    "comment": "--comment",
}


def _progress_text(p: Progress) -> str:
    lines = [
        f"FY{p.fiscal_year} round of {p.municipality} {p.plan} ({p.status.value},"
        f" deadline {p.deadline}): {p.submitted}/{p.total} submitted, {p.approved} approved,"
        f" {p.open} open"
    ]
    for d in p.departments:
        lines.append(
            f"  {d.department}: {d.submitted}/{d.total} submitted, {d.approved} approved,"
            f" {d.open} open ({d.drafts} drafts, {d.returned} returned)"
        )
    return "\n".join(lines)


def _closed_text(result: Closed) -> str:
    text = (
        f"closed: FY{result.round.fiscal_year} written as a report of"
        f" {len(result.report.evaluations)} evaluations → snapshot {result.ingest.snapshot}"
    )
    if result.missing:
        text += "\nmissing (not in the report): " + ", ".join(
            f"item {e.item_no} {e.department}" for e in result.missing
        )
    return text
