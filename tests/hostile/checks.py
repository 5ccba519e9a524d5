"""What must hold for every hostile input, shared by the suite's sample and the full sweep."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

from bot.ask.answer import Answerer
from bot.config import Settings
from bot.ingest.command import ingest_command
from bot.ingest.integrity import choose_snapshot
from bot.ingest.snapshots import current_snapshot, read_manifest
from bot.render.blocks import answer_messages
from bot.render.json_answer import answer_json
from tests.hostile.corpus import MalformedReport
from tests.test_warehouse import tree_digest

# A mention Slack would act on: <!channel>, <!here>, <!everyone>, <@U…>, <!subteam^…>.
_LIVE_MENTION = re.compile(r"<[!@][^>]*>")


def held_evaluations(data_dir: Path) -> int:
    snapshot = current_snapshot(data_dir)
    if snapshot is None:
        return 0
    return sum(int(s["evaluations"]) for s in read_manifest(snapshot)["sources"])


def check_question(answerer: Answerer, raw: bytes) -> None:
    """Answered, never raising; JSON valid UTF-8; nothing rendered pings anyone."""
    question = raw.decode("utf-8", "replace")
    answer = answerer.answer(question)
    json.loads(answer_json(answer).encode("utf-8"))
    for message in answer_messages(answer):
        rendered = "\n".join([message.text, *_shown_texts(message.blocks)])
        live = _LIVE_MENTION.findall(rendered)
        assert not live, f"{question[:60]!r} renders live mentions {live[:3]}"


def _shown_texts(node: object) -> list[str]:
    """Every text Slack shows in blocks (a button's value is data, never shown)."""
    if isinstance(node, list):
        return [t for child in node for t in _shown_texts(child)]
    if not isinstance(node, dict):
        return []
    found = [node["text"]] if isinstance(node.get("text"), str) else []
    for key, child in node.items():
        if key != "value":
            found.extend(_shown_texts(child))
    return found


def check_malformed_report(data_dir: Path, report: MalformedReport, work: Path) -> str:
    """Ingest a damaged report over ``data_dir``: refused leaving every byte as it was,
    or accepted without losing evaluations. Returns "refused" or "accepted"."""
    path = work / report.name
    path.write_bytes(report.data)
    before_bytes = tree_digest(data_dir / "warehouse")
    before = held_evaluations(data_dir)
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = ingest_command(settings, [path])
    assert "Traceback" not in err.getvalue(), (report.damage, err.getvalue())
    assert code in (0, 1), (report.damage, code)
    if code == 1:
        assert tree_digest(data_dir / "warehouse") == before_bytes, report.damage
        assert err.getvalue().strip(), f"{report.damage}: refused without saying why"
        return "refused"
    assert held_evaluations(data_dir) >= before, f"{report.damage}: accepted and shrank"
    assert choose_snapshot(data_dir).path is not None
    return "accepted"
