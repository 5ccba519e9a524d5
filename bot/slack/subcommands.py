"""The /plan subcommands: one table for the dispatcher, the help text and the manifest.

A meta-test checks that every subcommand named in slack-manifest.yml's usage hint
is in this table, has a handler, and appears in ``/plan help``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Language

COMMAND = "/plan"


@dataclass(frozen=True)
class Subcommand:
    name: str
    #: What follows the name, e.g. "<課|基本目標>".
    args_ja: str
    args_en: str
    about_ja: str
    about_en: str
    admin_only: bool = False
    aliases: tuple[str, ...] = ()


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "summary",
        "<課|基本目標>",
        "<department|goal>",
        "課・基本目標のまとめ：評価の分布、グラフ、要注意（C・D）の事業、CSV・XLSX",
        "a department's or goal's summary: grades, chart, C/D items, CSV and XLSX",
        aliases=("まとめ",),
    ),
    Subcommand(
        "digest",
        "",
        "",
        "週次ダイジェストのプレビュー（あなたにだけ表示）",
        "a preview of the weekly digest, shown only to you",
        aliases=("ダイジェスト",),
    ),
    Subcommand(
        "subscribe",
        "<課|基本目標|全体> [weekly mon 9:00|daily 8:30|monthly 1 9:00|weekdays 9:00] [next] [en]",
        "<department|goal|plan> [weekly mon 9:00|daily 8:30|monthly 1 9:00|weekdays 9:00] [next] [en]",
        "このチャンネルにダイジェストを定期配信（管理者のみ、next = 祝日は翌営業日）",
        "schedule a digest to this channel (admins only; next = holidays move to the next business day)",
        admin_only=True,
        aliases=("登録",),
    ),
    Subcommand(
        "unsubscribe",
        "<ID>",
        "<ID>",
        "ダイジェストの配信を解除（管理者のみ）",
        "stop a digest subscription (admins only)",
        admin_only=True,
        aliases=("解除",),
    ),
    Subcommand(
        "subscriptions",
        "",
        "",
        "ダイジェストの登録一覧（管理者のみ）",
        "list digest subscriptions (admins only)",
        admin_only=True,
        aliases=("登録一覧",),
    ),
    Subcommand(
        "round",
        "[open 2020 締切 2021-05-31 | assign <課> @名前 | reviewer <課> @名前 | status | close [force]]",
        "[open 2020 deadline 2021-05-31 | assign <department> @name | reviewer <department> @name | status | close [force]]",
        "自己評価の回収：あなたの担当一覧、進捗。開始・担当指定・締切は管理者のみ",
        "collect next year's self-evaluations: your items, progress; open, assign and close are for admins",
        aliases=("評価",),
    ),
    Subcommand(
        "help",
        "",
        "",
        "この説明",
        "this help",
        aliases=("ヘルプ", "使い方", "?", "？"),
    ),
    Subcommand(
        "rollback",
        "",
        "",
        "直前の取り込みを取り消し、ひとつ前のデータに戻す（確認あり・管理者のみ）",
        "undo the last ingest, back to the previous data (asks first; admins only)",
        admin_only=True,
        aliases=("元に戻す",),
    ),
    Subcommand(
        "stats",
        "[日数]",
        "[days]",
        "よく聞かれる質問と答えられなかった質問（管理者のみ）",
        "most asked and unanswered questions (admins only)",
        admin_only=True,
        aliases=("統計",),
    ),
)
#: The manifest's usage hint for /plan, kept in step with SUBCOMMANDS by a test.
USAGE_HINT = (
    "[質問] | summary <課|基本目標> | digest | subscribe <範囲> [予定] | unsubscribe <ID>"
    " | subscriptions | round <open|assign|status|close> | help | rollback | stats"
)


def find(word: str) -> Subcommand | None:
    key = word.casefold()
    for sub in SUBCOMMANDS:
        if key == sub.name or key in sub.aliases:
            return sub
    return None


def split(text: str) -> tuple[Subcommand | None, str]:
    """("summary", "高齢者支援課") from "summary 高齢者支援課"; (None, text) for a question."""
    head, _, rest = text.strip().partition(" ")
    # Full-width spaces are common after Japanese input.
    if "\u3000" in head:
        head, _, more = head.partition("\u3000")
        rest = f"{more} {rest}".strip()
    sub = find(head) if head else find("help")
    return (sub, rest.strip()) if sub else (None, text.strip())


def usage_line(sub: Subcommand, lang: Language) -> str:
    args = sub.args_ja if lang == "ja" else sub.args_en
    return f"{COMMAND} {sub.name}" + (f" {args}" if args else "")
