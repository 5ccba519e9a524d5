"""A local fake of Slack for tests: Web API + Socket Mode on 127.0.0.1, recording every call.

Real Slack is never reachable from tests, so everything Slack-facing runs
against :class:`FakeSlack`::

    with FakeSlack() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.wait_for("chat.postMessage")[0].params["text"] == "hi"

Behaviour rules (auth, scripted failures, ``CNOTIN``/``CNOTFOUND``/``UNOTFOUND``
ids, message limits) are listed in :mod:`tests.fakeslack.webapi`; Socket Mode
details and slack_sdk client quirks in :mod:`tests.fakeslack.socketmode`. The
pytest fixture ``fake_slack`` lives in :mod:`tests.fakeslack.fixtures`.
"""

from .payloads import block_actions_payload, event_callback, slash_command_form
from .recorder import ApiCall, UploadedFile
from .server import FakeSlack
from .signing import sign, signed_post

__all__ = [
    "ApiCall",
    "FakeSlack",
    "UploadedFile",
    "block_actions_payload",
    "event_callback",
    "sign",
    "signed_post",
    "slash_command_form",
]
