"""The Web API methods of the fake Slack, independent of HTTP plumbing.

Every request to ``/api/<method>`` (GET or POST; form, multipart or JSON) is
recorded, then answered by these rules, in this order:

1. **Scripted failures** (``FakeSlack.fail_next``) win over everything, even
   auth, so a test always gets exactly what it scripted. HTTP 429 carries
   ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``; 5xx carries
   ``fatal_error``; status 200 with ``error=`` is a plain Slack error body.
2. **Unknown methods** answer HTTP 200 ``{"ok": false, "error": "unknown_method"}``.
3. **Auth**: the token comes from ``Authorization: Bearer`` or else the
   ``token`` param. None -> ``not_authed``; neither the bot nor the app token ->
   ``invalid_auth``. ``apps.connections.open`` needs the app token (a bot token
   -> ``not_allowed_token_type``); every other method accepts either.
4. **Validation**, cheap subset of real Slack:

   - missing ``channel``, or a channel id starting ``CNOTFOUND`` ->
     ``channel_not_found``;
   - a channel id starting ``CNOTIN`` (or one whose ``channels[...]`` override
     says ``is_member: False``) -> ``not_in_channel`` for chat.postMessage,
     chat.postEphemeral, chat.update and files.completeUploadExternal, until ``conversations.join`` is called for it;
     ``conversations.info`` reports ``is_member`` accordingly;
   - a user id starting ``UNOTFOUND`` -> ``user_not_found``;
   - chat.postMessage / postEphemeral / update: no text, blocks or attachments
     -> ``no_text``; blocks that are not a list of objects, or more than 50 ->
     ``invalid_blocks``; text longer than 40,000 characters -> ``msg_too_long``;
   - a required argument missing otherwise -> ``invalid_arguments``;
   - files.completeUploadExternal naming an id that files.getUploadURLExternal
     never issued -> ``file_not_found``.

Successful answers mimic Slack's shapes: message ``ts`` values are unique and
increasing (``1700000000.000100``, ``1700000000.000200``, ...); posting to a
user id (``U...``/``W...``) lands in the DM channel ``D<rest of id>``.

Only the methods planbot and slack_sdk call are implemented (auth, chat, App Home,
users.info with the locale (set per user through ``FakeSlack.users``), Socket Mode,
the files_upload_v2 flow), plus conversations.info/join, with which the
fake's own tests set and read channel membership;
any other answers ``unknown_method``, so a new call shows up as a failing test.
"""

from __future__ import annotations

import email.policy
import itertools
import json
import mimetypes
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl

from .payloads import DEFAULT_APP_ID, DEFAULT_TEAM_DOMAIN
from .recorder import UploadedFile

# Form-encoded requests carry these fields as JSON strings (that is how
# slack_sdk and Slack's docs send them); decoding them lets tests assert on
# structures instead of re-parsing strings.
JSON_FIELDS = frozenset(
    {"attachments", "blocks", "files", "metadata", "outputs", "unfurls", "user_auth_blocks", "view"}
)
MAX_BLOCKS = 50
MAX_TEXT_CHARS = 40_000
_FIRST_TS_SECONDS = 1_700_000_000
_TS_STEP_MICROS = 100
_DEFAULT_ERRORS = {429: "ratelimited"}
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": error}``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class ApiResult:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_result(error: str, status: int = 200) -> ApiResult:
    return ApiResult(status, {"ok": False, "error": error})


@dataclass(frozen=True)
class Workspace:
    """Identity of the fake workspace and its bot."""

    bot_token: str
    app_token: str
    team_id: str
    bot_user_id: str
    bot_id: str = "B0BOT"
    app_id: str = DEFAULT_APP_ID
    team_name: str = "Fake Team"
    team_domain: str = DEFAULT_TEAM_DOMAIN
    bot_name: str = "planbot"


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    error: str
    remaining: int


# --- request parsing -------------------------------------------------------


def parse_params(query: Mapping[str, str], body: bytes, content_type: str) -> dict[str, Any]:
    """Merge query string and body into one dict, like Slack does.

    Raises ``ValueError`` for a body that cannot be decoded.
    """
    params: dict[str, Any] = dict(query)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body:
        if media_type == "application/json":
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("a JSON body must be an object")
            params.update(decoded)
        elif media_type == "multipart/form-data":
            params.update(parse_multipart(body, content_type))
        else:
            # Slack treats anything else as form data; urllib (used by
            # slack_sdk) also defaults to the form content type.
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {key: _decode_json_field(key, value) for key, value in params.items()}


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Fields of a multipart/form-data body: str for plain fields, bytes for files."""
    # The stdlib MIME parser avoids depending on aiohttp's streaming reader,
    # which cannot re-read a body already consumed for ``raw_body``.
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() is not None else data.decode("utf-8")
    return fields


def _decode_json_field(key: str, value: Any) -> Any:
    if key in JSON_FIELDS and isinstance(value, str) and value:
        try:
            return json.loads(value)
        except ValueError:
            # Leave it as sent; validation reports it (e.g. invalid_blocks).
            return value
    return value


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _require(params: Mapping[str, Any], key: str) -> str:
    value = _text(params, key)
    if value is None:
        raise SlackError("invalid_arguments")
    return value


class WebApi:
    """State of the fake workspace plus one handler per supported method.

    ``handle`` runs on the server's event-loop thread while tests read state
    from theirs, so all state is guarded by one lock.
    """

    def __init__(self, workspace: Workspace, *, issue_socket_url: Callable[[], str]) -> None:
        self.workspace = workspace
        # Set by FakeSlack.start() once the port is known.
        self.base_url = ""
        # Per-channel overrides merged into conversations.info answers.
        self.channels: dict[str, dict[str, Any]] = {}
        # Per-user overrides merged into users.info answers (e.g. {"locale": "en-US"}).
        self.users: dict[str, dict[str, Any]] = {}
        self._issue_socket_url = issue_socket_url
        self._lock = threading.RLock()
        self._failures: dict[str, deque[_Failure]] = {}
        self._joined: set[str] = set()
        self._files: dict[str, UploadedFile] = {}
        self._response_ids: set[str] = set()
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._handlers: dict[str, Handler] = {
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "views.open": self._views_open,
            "users.info": self._users_info,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
        }

    # --- entry points ------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any], token: str | None) -> ApiResult:
        with self._lock:
            scripted = self._pop_failure(method)
            if scripted is not None:
                return scripted
            handler = self._handlers.get(method)
            if handler is None:
                return error_result("unknown_method")
            auth_error = self._auth_error(method, token)
            if auth_error is not None:
                return error_result(auth_error)
            try:
                body = handler(params)
            except SlackError as exc:
                return error_result(exc.error)
            return ApiResult(200, {"ok": True, **body})

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        if status == 200 and error is None:
            raise ValueError("a scripted failure with status 200 needs error=")
        if status != 200 and status < 400:
            raise ValueError(f"status {status} is not a failure")
        resolved = error or _DEFAULT_ERRORS.get(status, "fatal_error")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.append(_Failure(status, retry_after, resolved, times))

    def issue_response_url(self) -> str:
        response_id = uuid.uuid4().hex
        with self._lock:
            self._response_ids.add(response_id)
        return f"{self.base_url}/response/{response_id}"

    def is_response_url(self, response_id: str) -> bool:
        with self._lock:
            return response_id in self._response_ids

    def store_upload(self, file_id: str, data: bytes) -> bool:
        """Step 2 of files_upload_v2; False when the file id was never issued."""
        with self._lock:
            uploaded = self._files.get(file_id)
            if uploaded is None:
                return False
            uploaded.data = data
            return True

    @property
    def files(self) -> dict[str, UploadedFile]:
        with self._lock:
            return dict(self._files)

    # --- cross-cutting rules -----------------------------------------------

    def _pop_failure(self, method: str) -> ApiResult | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining == 0:
            queue.popleft()
        headers: dict[str, str] = {}
        if failure.status == 429 and failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        return ApiResult(failure.status, {"ok": False, "error": failure.error}, headers)

    def _auth_error(self, method: str, token: str | None) -> str | None:
        ws = self.workspace
        if not token:
            return "not_authed"
        if token not in (ws.bot_token, ws.app_token):
            return "invalid_auth"
        if method in _APP_TOKEN_METHODS and token != ws.app_token:
            return "not_allowed_token_type"
        return None

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * _TS_STEP_MICROS
        return f"{_FIRST_TS_SECONDS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):09d}"

    def _channel(self, params: Mapping[str, Any], key: str = "channel") -> str:
        channel = _text(params, key)
        if channel is None or channel.startswith("CNOTFOUND"):
            raise SlackError("channel_not_found")
        return channel

    def _is_member(self, channel: str) -> bool:
        if channel in self._joined:
            return True
        override = self.channels.get(channel, {})
        return not (channel.startswith("CNOTIN") or override.get("is_member") is False)

    def _require_member(self, channel: str) -> None:
        if not self._is_member(channel):
            raise SlackError("not_in_channel")

    @staticmethod
    def _user(params: Mapping[str, Any], key: str) -> str:
        user = _text(params, key)
        if user is None:
            raise SlackError("invalid_arguments")
        if user.startswith("UNOTFOUND"):
            raise SlackError("user_not_found")
        return user

    @staticmethod
    def _dm_channel(channel: str) -> str:
        # Slack accepts a user id as the channel and delivers to the bot's DM.
        if channel[:1] in ("U", "W"):
            if channel.startswith("UNOTFOUND"):
                raise SlackError("channel_not_found")
            return f"D{channel[1:]}"
        return channel

    @staticmethod
    def _check_content(params: Mapping[str, Any]) -> None:
        text = params.get("text")
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if blocks not in (None, ""):
            if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
                raise SlackError("invalid_blocks")
            if len(blocks) > MAX_BLOCKS:
                raise SlackError("invalid_blocks")
        if text is not None and len(str(text)) > MAX_TEXT_CHARS:
            raise SlackError("msg_too_long")
        if not text and not blocks and not attachments:
            raise SlackError("no_text")

    def _message(self, params: Mapping[str, Any], ts: str) -> dict[str, Any]:
        ws = self.workspace
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text") or "",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "team": ws.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key) not in (None, ""):
                message[key] = params[key]
        return message

    # --- methods -----------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        return {
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self._issue_socket_url()}

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._dm_channel(self._channel(params))
        self._check_content(params)
        self._require_member(channel)
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._message(params, ts)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._dm_channel(self._channel(params))
        self._user(params, "user")
        self._check_content(params)
        self._require_member(channel)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        ts = _text(params, "ts")
        if ts is None:
            raise SlackError("message_not_found")
        self._check_content(params)
        self._require_member(channel)
        message = self._message(params, ts)
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _channel_info(self, channel: str) -> dict[str, Any]:
        is_im = channel.startswith("D")
        info: dict[str, Any] = {
            "id": channel,
            "name": f"channel-{channel.lower()}",
            "name_normalized": f"channel-{channel.lower()}",
            "is_channel": not is_im,
            "is_group": False,
            "is_im": is_im,
            "is_mpim": False,
            "is_private": is_im,
            "is_archived": False,
            "is_general": False,
            "is_member": self._is_member(channel),
            "created": _FIRST_TS_SECONDS,
            "creator": "U0CREATOR",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        info.update(self.channels.get(channel, {}))
        if channel in self._joined:
            info["is_member"] = True
        return info

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel_info(self._channel(params))}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._user(params, "user")
        info: dict[str, Any] = {
            "id": user,
            "team_id": self.workspace.team_id,
            "name": f"user-{user.lower()}",
            "real_name": f"User {user}",
            "is_bot": False,
            "tz": "Asia/Tokyo",
            "tz_offset": 32_400,
        }
        # Slack sends the locale only when asked (include_locale=true).
        if str(params.get("include_locale", "")).lower() in ("true", "1"):
            info["locale"] = "ja-JP"
        overrides = dict(self.users.get(user, {}))
        if "locale" in overrides and "locale" not in info:
            overrides.pop("locale")
        info.update(overrides)
        return {"user": info}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        self._joined.add(channel)
        return {"channel": self._channel_info(channel)}

    # views.* ---------------------------------------------------------------

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        self._user(params, "user_id")
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        ws = self.workspace
        vid = self._new_id("V")
        result: dict[str, Any] = {
            "id": vid,
            "team_id": ws.team_id,
            "type": "home",
            "title": None,
            "blocks": [],
            "close": None,
            "submit": None,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": vid,
            "previous_view_id": None,
            "app_id": ws.app_id,
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        result.update(view)
        result["id"] = vid
        return {"view": result}

    def _modal(self, view: Any) -> dict[str, Any]:
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise SlackError("invalid_arguments")
        if len(view.get("blocks") or []) > 100:
            raise SlackError("invalid_blocks")
        ws = self.workspace
        vid = self._new_id("V")
        return {
            "team_id": ws.team_id,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "root_view_id": vid,
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
            "private_metadata": "",
            "notify_on_close": False,
            **view,
            "id": vid,
        }

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        # Slack needs a trigger id from an interaction of the last 3 seconds.
        if not params.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        return {"view": self._modal(params.get("view"))}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not (params.get("view_id") or params.get("external_id")):
            raise SlackError("invalid_arguments")
        return {"view": self._modal(params.get("view"))}

    # files.* (the files_upload_v2 flow) ---------------------------------------

    def _file_object(self, uploaded: UploadedFile) -> dict[str, Any]:
        ws = self.workspace
        name = uploaded.filename
        suffix = PurePosixPath(name).suffix.lstrip(".").lower()
        size = len(uploaded.data) if uploaded.data is not None else uploaded.length or 0
        channels = [uploaded.channel_id] if uploaded.channel_id else []
        return {
            "id": uploaded.file_id,
            "created": uploaded.created,
            "timestamp": uploaded.created,
            "name": name,
            "title": uploaded.title or name,
            "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "filetype": suffix or "binary",
            "user": ws.bot_user_id,
            "user_team": ws.team_id,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "is_public": bool(channels),
            "alt_txt": uploaded.alt_txt,
            "url_private": f"{self.base_url}/files/{uploaded.file_id}/{name}",
            "permalink": f"https://{ws.team_domain}.slack.com/files/{ws.bot_user_id}/"
            f"{uploaded.file_id}/{name}",
            "channels": channels,
            "initial_comment": uploaded.initial_comment,
        }

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = _require(params, "filename")
        try:
            length = int(_require(params, "length"))
        except ValueError as exc:
            raise SlackError("invalid_arguments") from exc
        file_id = self._new_id("F")
        self._files[file_id] = UploadedFile(
            file_id=file_id,
            filename=filename,
            length=length,
            alt_txt=_text(params, "alt_txt"),
            snippet_type=_text(params, "snippet_type"),
        )
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        channel: str | None = None
        if _text(params, "channel_id") is not None:
            channel = self._channel(params, "channel_id")
        elif _text(params, "channels") is not None:
            # slack_sdk joins a channels list with commas; the first one is enough here.
            channel = (_text(params, "channels") or "").split(",")[0].strip()
        if channel is not None:
            self._require_member(channel)
        targets: list[tuple[UploadedFile, Any]] = []
        for entry in entries:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            uploaded = self._files.get(str(file_id))
            if uploaded is None:
                raise SlackError("file_not_found")
            targets.append((uploaded, entry.get("title")))
        for uploaded, title in targets:
            uploaded.completed = True
            uploaded.title = str(title) if title else uploaded.filename
            uploaded.channel_id = channel
            uploaded.initial_comment = _text(params, "initial_comment")
            uploaded.thread_ts = _text(params, "thread_ts")
        return {"files": [self._file_object(uploaded) for uploaded, _ in targets]}
