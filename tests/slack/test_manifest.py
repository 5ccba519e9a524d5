"""Every X is Y: the manifest, the /plan dispatcher, the help text and the listeners agree."""

from __future__ import annotations

import re
from pathlib import Path

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener import Listener

from bot.render import blocks, upload_preview
from bot.slack.context import SlackServices
from bot.slack.help_message import help_message
from bot.slack.listeners import actions
from bot.slack.listeners.commands.plan import HANDLERS
from bot.slack.listeners.shortcuts.ask_about_message import CALLBACK_ID
from bot.slack.subcommands import SUBCOMMANDS, USAGE_HINT, split

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yml"


def manifest_text() -> str:
    return MANIFEST.read_text(encoding="utf-8")


def manifest_value(key: str) -> str:
    # No YAML parser among the dependencies; these keys are single-line scalars.
    match = re.search(rf"^[\s-]*{key}:\s*(.+)$", manifest_text(), re.MULTILINE)
    assert match, key
    return match.group(1).strip().strip('"')


def manifest_list(key: str) -> list[str]:
    block = re.search(rf"^(\s*){key}:\n((?:\1\s+- .+\n)+)", manifest_text(), re.MULTILINE)
    assert block, key
    return [line.split("- ", 1)[1].strip() for line in block.group(2).splitlines()]


def usage_subcommands(usage: str) -> list[str]:
    """ "[質問] | summary <課|基本目標> | digest" → ["summary", "digest"]."""
    words = [part.strip().split()[0] for part in re.sub(r"<[^>]*>", "", usage).split("|")]
    return [w for w in words if w and not w.startswith("[")]


def test_usage_hint_in_the_manifest_is_the_one_in_code() -> None:
    assert manifest_value("usage_hint") == USAGE_HINT
    assert manifest_value("command") == "/plan"


def test_every_subcommand_in_the_usage_is_registered_and_in_help(
    slack_services: SlackServices,
) -> None:
    named = usage_subcommands(manifest_value("usage_hint"))
    assert sorted(named) == sorted(s.name for s in SUBCOMMANDS)
    for lang in ("ja", "en"):
        help_text = str(help_message(slack_services, lang).blocks)
        for name in named:
            sub, _ = split(name)
            assert sub is not None and sub.name == name
            assert name in HANDLERS, f"/plan {name} has no handler"
            assert f"/plan {name}" in help_text, f"/plan {name} missing from {lang} help"


def test_non_admins_do_not_see_admin_subcommands_in_help(slack_services: SlackServices) -> None:
    help_text = str(help_message(slack_services, "ja", is_admin=False).blocks)
    assert "/plan stats" not in help_text
    assert "/plan summary" in help_text


def test_every_subscribed_event_and_button_has_a_listener(app: App) -> None:
    as_delivered = {"message.im": "message"}
    subscribed = [as_delivered.get(e, e) for e in manifest_list("bot_events")]
    assert sorted(subscribed) == ["app_home_opened", "app_mention", "message"]
    for event in subscribed:
        assert any(_matches(listener, event) for listener in app._listeners), event
    renderer_actions = {
        v
        for module in (blocks, upload_preview)
        for k, v in vars(module).items()
        if k.startswith("ACTION_")
    }
    assert renderer_actions == set(actions.HANDLERS)
    for action_id in renderer_actions:
        assert any(_matches_button(listener, action_id) for listener in app._listeners), action_id


def _matches(listener: Listener, event: str) -> bool:
    inner = {"type": event, "channel_type": "im", "text": "x", "user": "U1"}
    request = BoltRequest(body={"type": "event_callback", "event": inner}, mode="socket_mode")
    return listener.matches(req=request, resp=BoltResponse(status=200))


def _matches_button(listener: Listener, action_id: str) -> bool:
    body = {
        "type": "block_actions",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": "{}"}],
    }
    request = BoltRequest(body=body, mode="socket_mode")
    return listener.matches(req=request, resp=BoltResponse(status=200))


def test_manifest_asks_for_the_fewest_scopes_that_work() -> None:
    assert manifest_list("bot") == [
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:history",
        "files:write",
        "files:read",
        "users:read",
    ]
    assert manifest_value("socket_mode_enabled") == "true"
    assert manifest_value("home_tab_enabled") == "true"
    assert manifest_value("messages_tab_enabled") == "true"
    assert "is_enabled: true" in manifest_text()  # interactivity


def test_the_message_shortcut_in_the_manifest_has_a_listener() -> None:
    assert manifest_value("callback_id") == CALLBACK_ID
    assert "type: message" in manifest_text()
