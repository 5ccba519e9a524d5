"""Downloading a file someone shared with planbot (``url_private_download``, files:read).

Slack answers a download it does not authorise (a token without files:read, or none)
with its sign-in page and status 200: that HTML must be taken for the failure it is,
never parsed as a report.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

_TIMEOUT_S = 30
_HTML_STARTS = (b"<!doctype html", b"<html")


class DownloadFailed(Exception):
    """The file could not be fetched; the message says why, for the person who sent it."""


def download_file(file: dict[str, Any], token: str, *, max_bytes: int) -> bytes:
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url.startswith(("https://", "http://")):
        raise DownloadFailed("Slack がファイルのダウンロード先を知らせてきませんでした")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
            content_type = str(response.headers.get("Content-Type") or "")
            data: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"ファイルをダウンロードできませんでした（HTTP {exc.code}）") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadFailed(f"ファイルをダウンロードできませんでした（{exc}）") from None
    if content_type.lower().startswith("text/html") or data.lstrip()[:14].lower().startswith(
        _HTML_STARTS
    ):
        raise DownloadFailed(
            "Slack がファイルの代わりにサインイン画面を返しました。アプリに files:read の"
            "権限があるか（追加したらアプリの再インストールが必要です）確認してください"
        )
    return data
