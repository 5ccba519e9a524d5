"""Opening planbot's Home tab: publish the plan at a glance for the latest year."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.slack.context import SlackServices
from bot.slack.listeners.views.app_home import build_home_view
from bot.slack.locale import viewer_language

log = logging.getLogger(__name__)


def publish_home(services: SlackServices, event: dict[str, Any], client: WebClient) -> None:
    # The event also fires for the Messages tab, which has nothing to publish.
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    try:
        user = str(event["user"])
        lang = viewer_language(client, user)
        client.views_publish(user_id=user, view=build_home_view(services, lang, user=user))
    except Exception:
        # Nobody to apologise to: the tab keeps its previous view; the log has the cause.
        log.exception("could not publish the App Home for %s", event.get("user"))
