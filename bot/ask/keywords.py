"""The content words left when every other recogniser is done: cut at particles, stripped
of requests and affixes, with their synonyms."""

from __future__ import annotations

import itertools
import re

from bot.ask.lexicon import Lexicon
from bot.ask.text import ACRONYM, EN_WORD, HIRAGANA_ONLY, JA_RUN, Work
from bot.ask.tokens import COMPOUND_CONTEXT, content_words
from bot.models import Keyword
from bot.text import search_key

# Multi-character particles split anywhere; a single hiragana only after kanji, katakana or
# latin, so words spelt partly in hiragana (ひとり親, 見守り) stay whole.
_JA_PARTICLES = re.compile(
    "(?:に関する|に関係する|に関連する|についての|について|関連の|関連|に係る|を含む|のうち|の中で|との|に向けた|"
    "における|による|ではない|では|には|とは|での|への|からの|までの|よりの|から|まで|など|"
    "等の|より)"
    "|(?<![\u3040-\u309f])(?:の|は|が|を|に|で|と|や|も|へ|か|な(?=[\u4e00-\u9fff\u30a0-\u30ff])|って|ね|よ)"
)


JA_STOPWORDS = frozenset(
    [
        "事業",
        "事業名",
        "事業概要",
        "項目",
        "一覧",
        "リスト",
        "教えて",
        "ください",
        "教えてください",
        "教えて下さい",
        "見せて下さい",
        "下さい",
        "出して",
        "調べて",
        "調べてください",
        "リストアップ",
        "リストアップして",
        "お願いします",
        "至急",
        "両方",
        "今どうなってる",
        "どうなってる",
        "見せて",
        "表示",
        "表示して",
        "知りたい",
        "ある",
        "あります",
        "ありますか",
        "いる",
        "います",
        "どれ",
        "どの",
        "どんな",
        "どう",
        "何",
        "なに",
        "もの",
        "全部",
        "全て",
        "すべて",
        "件",
        "評価",
        "評価の",
        "詳細",
        "内容",
        "状況",
        "進捗",
        "取組",
        "取り組み",
        # Doing in general ("研修を実施している事業"): every item does something.
        "実施",
        "実行",
        "展開",
        "施策",
        "担当",
        "所管",
        "主管課",
        "対象課",
        "課",
        "対象",
        "対象者",
        "です",
        "でしょう",
        "ますか",
        "今年度",
        "最新",
        "年度",
        "全体",
        "計画",
        "プラン",
        "一覧表",
        "一覧を",
        "したい",
        "欲しい",
        "ほしい",
        "区分",
        "概要",
        "実績",
        "予定",
        "向け",
        "向けの",
        "対象の",
        "分かる",
        "わかる",
        "見たい",
        "確認",
        "確認したい",
        "次年度予定",
        "次年度",
        "来年度",
        "来年度の予定",
        "結果",
        "成果",
        "取組状況",
        "内容は",
        "どうなって",
        "なって",
        "した",
        "して",
        "された",
        "あった",
        "列挙",
        "違い",
        "差",
        "担当課",
        "所管課",
        "課名",
        "担当部署",
        "部署",
        "どこ",
        "誰",
        "いつ",
        "一番",
        "年間",
        "続き",
        "異なる",
        "違う",
        "異なった",
        "違った",
        "引き続き",
        "ページ",
        "以下",
        "下記",
        "次の",
        # Exports are a button on every answer: the words ask for the answer itself.
        "出力",
        "出力して",
        "エクスポート",
        "ダウンロード",
        "ファイル",
        "エクセル",
        "新たに",
        "新た",
        "最も",
        "もっとも",
    ]
)

_EN_STOPWORDS = frozenset(
    [
        # Exports are a button on every answer (see the Japanese list).
        "export",
        "download",
        "file",
        "files",
        "csv",
        "excel",
        "xlsx",
        "spreadsheet",
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "which",
        "what",
        "who",
        "whose",
        "whom",
        "show",
        "list",
        "display",
        "find",
        "give",
        "get",
        "me",
        "us",
        "please",
        "pls",
        "plz",
        "asap",
        "urgent",
        "urgently",
        "quickly",
        "all",
        "any",
        "every",
        "items",
        "item",
        "measures",
        "programs",
        "program",
        "projects",
        "project",
        "initiatives",
        "plans",
        "plan",
        "entries",
        "rows",
        "with",
        "in",
        "of",
        "for",
        "to",
        "from",
        "by",
        "on",
        "at",
        "about",
        "related",
        "regarding",
        "concerning",
        "that",
        "those",
        "these",
        "there",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "how",
        "many",
        "much",
        "count",
        "number",
        "and",
        "or",
        "not",
        "its",
        "their",
        "my",
        "our",
        "department",
        "departments",
        "division",
        "divisions",
        "section",
        "sections",
        "dept",
        "graded",
        "grade",
        "grades",
        "rated",
        "rating",
        "fy",
        "year",
        "years",
        "fiscal",
        "latest",
        "current",
        "this",
        "last",
        "it",
        "i",
        "can",
        "could",
        "would",
        "you",
        "tell",
        "let",
        "see",
        "view",
        "where",
        "when",
        "why",
        "here",
        "now",
        "okay",
        "ok",
        "hi",
        "hello",
        "thanks",
        "thank",
        "detail",
        "details",
        "summary",
        "overview",
        "status",
        "under",
        "each",
        "per",
        "only",
        "just",
        "also",
        "whole",
        "city",
        "musashino",
        "evaluated",
        "evaluation",
        "evaluations",
        "results",
        "result",
        "between",
        "vs",
        "versus",
        "than",
        "more",
        "some",
        "them",
        "they",
        "we",
        "so",
        "as",
        "if",
        # Greetings and who is asking ("Hello! I'm new here").
        "hello",
        "hi",
        "i'm",
        "im",
        "here",
        "new",
    ]
)


def ja_tokens(run: str, offset: int) -> list[tuple[str, int]]:
    """Split a run of Japanese at particles that follow kanji or katakana."""
    tokens: list[tuple[str, int]] = []
    pos = 0
    for m in _JA_PARTICLES.finditer(run):
        if m.start() > pos:
            tokens.append((run[pos : m.start()], offset + pos))
        pos = m.end()
    if pos < len(run):
        tokens.append((run[pos:], offset + pos))
    return tokens


def take_keywords(work: Work, lexicon: Lexicon) -> tuple[tuple[Keyword, ...], tuple[str, ...]]:
    keywords: list[Keyword] = []
    unmatched: list[str] = []
    #: Where each keyword was read, to tell "DVとストーカー" (either) from "DVの相談" (both).
    where: dict[int, tuple[int, int]] = {}
    original = work.text
    lowered = work.text.lower()
    # English phrases first ("domestic violence", "single parent").
    for phrase, pattern in lexicon.phrase_patterns:
        if m := pattern.search(lowered):
            where[len(keywords)] = (m.start(), m.end())
            keywords.append(
                Keyword(word=work.text[m.start() : m.end()], matches=lexicon.synonyms_for(phrase))
            )
            work.take(m.start(), m.end())
            lowered = work.text.lower()
    for run in list(JA_RUN.finditer(work.text)):
        for token, start in ja_tokens(run.group(0), run.start()):
            token = token.strip()
            if len(token) < 2 or token in JA_STOPWORDS or HIRAGANA_ONLY.match(token):
                continue
            token = _REQUEST.sub("", token)
            if not token:
                continue  # the request itself ("教えていただけますか")
            token = _VERB_TAIL.sub("", _strip_ja_affixes(token)) if len(token) > 3 else token
            token = _strip_ja_affixes(token)
            # Only the nouns of what is left are topics: verbs, adjectives, endings and
            # words of time or context ("関わっている", "一番多い", "午後の打合せ用") are not.
            for word in content_words(token):
                word = _strip_ja_affixes(word)
                if not _is_topic(word, lexicon):
                    continue
                at = work.text.find(word, start)
                before = work.text[at - 1] if at > 0 else ""
                if word in _GENERIC_HEADS and before.isascii() and before.isalnum():
                    # The head of an English word's compound ("DV対策", "LGBT支援"): the
                    # English word is the topic, read below.
                    work.take(at, at + len(word))
                    continue
                if at >= 0:
                    where[len(keywords)] = (at, at + len(word))
                    work.take(at, at + len(word))
                keywords.append(_ja_keyword(word, lexicon))
    for word, at in _en_words(work.text, lexicon):
        low = word.lower()
        if not word or low in _EN_STOPWORDS or len(word) < 2:
            continue
        synonyms = lexicon.synonyms_for(low) or lexicon.synonyms_for(_singular(low))
        if synonyms or ACRONYM.match(word):
            where[len(keywords)] = (at, at + len(word))
            keywords.append(Keyword(word=word, matches=synonyms or (search_key(word),)))
        else:
            unmatched.append(word)
    keywords = _either(keywords, where, original)
    unique: dict[str, Keyword] = {}
    for kw in keywords:
        unique.setdefault(kw.word, kw)
    return tuple(unique.values()), tuple(dict.fromkeys(unmatched))


# Between two topics, words that join them as alternatives ("DVとストーカーの事業",
# "介護や子育て", "ひとり親か高齢者") …
_OR_GAP = re.compile(r"\s*(?:と|や|か|、|,|・|/|及び|および|または|又は|もしくは|or|and)\s*", re.I)
# … when what follows the second is no verb of doing it with the first ("警察と連携して
# いる事業" asks for both).
_NOT_A_VERB = re.compile(
    r"\s*(?:$|の|に関|について|関連|関係|系|向け|対策|[をがはもで](?![きっ])|[?？、,。])"
)


def _either(keywords: list[Keyword], where: dict[int, tuple[int, int]], text: str) -> list[Keyword]:
    """Topics named as alternatives made one topic that any of them matches."""
    order = sorted(where, key=lambda i: where[i])
    merged: dict[int, Keyword] = {}
    head: dict[int, int] = {}  # a keyword merged away → the one it joined
    for a, b in itertools.pairwise(order):
        (_, a_end), (b_start, b_end) = where[a], where[b]
        if not (_OR_GAP.fullmatch(text[a_end:b_start]) and _NOT_A_VERB.match(text, b_end)):
            continue
        first = head.get(a, a)
        joined = merged.get(first, keywords[first])
        merged[first] = Keyword(
            word=f"{joined.word}・{keywords[b].word}",
            matches=tuple(dict.fromkeys(joined.matches + keywords[b].matches)),
        )
        head[b] = first
    return [merged.get(i, kw) for i, kw in enumerate(keywords) if i not in head]


def _en_words(text: str, lexicon: Lexicon) -> list[tuple[str, int]]:
    """English words and where they start; a hyphenated one that is no known phrase is
    its parts ("DV-related" is DV, "elderly-care" elderly and care)."""
    words: list[tuple[str, int]] = []
    for m in EN_WORD.finditer(text):
        word = m.group(0).strip("'-")
        at = m.start() + m.group(0).find(word)
        low = word.lower()
        if "-" in word and not (lexicon.synonyms_for(low) or lexicon.synonyms_for(_singular(low))):
            for part in word.split("-"):
                if part:
                    words.append((part, text.find(part, at)))
                at += len(part) + 1
        else:
            words.append((word, at))
    return words


# The request around a question ("…を教えて下さい", "一覧を下さい", "お願いします").
_REQUEST = re.compile(
    r"(?:を|も)?(?:(?:教えて|おしえて|見せて|みせて|出して|調べて|表示して|挙げて|"
    r"リストアップして|まとめて)(?:下さい|ください|くれ|ほしい|欲しい|いただけますか|"
    r"いただけますでしょうか|いただけませんか|いただきたい|もらえますか|くれますか)?|"
    r"(?:(?:確認|把握|チェック)し|知り|見)たい(?:ので|のですが|んですが|です)?|(?:下さい|ください|くださいませ|くれ|ほしい|欲しい|たい(?:です)?|"
    r"いただけますか|いただけますでしょうか|いただけませんか|いただきたい|もらえますか|"
    r"もらえる|くれますか|お願いします|お願い|おねがいします|ありますか|あります|ある|"
    r"頂けますか|頂けますでしょうか|頂けませんか|(?:いただけると|頂けると|いただければ)?幸いです))$"
    r"|^(?:お知らせ|確認させて)(?:ください|下さい|いただけますか)?$"
    r"|^(?:お願いします|お願い|至急|急ぎ|大至急|すみません|すいません)$"
)

# A noun made a verb ("担当している", "実施された"): the noun is the word searched for.
_VERB_TAIL = re.compile(
    r"(?<=[\u3400-\u9fff\u30a0-\u30ff])(?:して(?:いる|います|いた|る)?|しています|します|"
    r"しました|する|され(?:て(?:いる|います))?|される|された|できる|できます)$"
)

_JA_SUFFIXES = (
    "に関する事業",
    "関連事業",
    "の事業",
    "事業",
    "について",
    "関係",
    "系",
    "施策",
    "向け",
    "対象",
    "関連",
)

KATAKANA_WORD = re.compile(r"[\u30a0-\u30ffー]+")

# Generic heads of compound nouns: "ストーカー対策" is also found as "ストーカー".
_GENERIC_HEADS = (
    "対策",
    "支援",
    "推進",
    "充実",
    "強化",
    "取組",
    "取り組み",
    "活動",
    "体制",
    "施策",
    "事業",
    "関係",
    "問題",
    # What is done or suffered about the core word: "ストーカー被害", "ヘルパー派遣",
    # "育児参加", "人材確保" are found as the core word too.
    "被害",
    "派遣",
    "参加",
    "参画",
    "確保",
    "促進",
    "整備",
    "づくり",
    "作り",
    # A context noun ending a compound (bot/ask/tokens.py's COMPOUND_CONTEXT): "安否確認"
    # is found as "安否" too.
    *COMPOUND_CONTEXT,
)


def _ja_keyword(token: str, lexicon: Lexicon) -> Keyword:
    """A Japanese content word, its synonyms, and its core without a generic head."""
    forms = [token]
    parts = [part for part in token.split("・") if len(part) >= 2]
    if len(parts) > 1 and not all(KATAKANA_WORD.fullmatch(part) for part in parts):
        # Words listed with ・ ("周知・啓発", "医療・福祉"): any of them; a katakana word
        # written with dots ("ワーク・ライフ・バランス") stays one word.
        forms.extend(parts)
    for form in list(forms):
        # Heads come off one after another: "DV対策状況" is also "DV対策" and "DV".
        while head := next(
            (h for h in _GENERIC_HEADS if form.endswith(h) and len(form) - len(h) >= 2), None
        ):
            form = form[: -len(head)]
            forms.append(form)
    matches: list[str] = []
    for form in forms:
        matches.append(search_key(form))
        matches.extend(lexicon.synonyms_for(form))
    return Keyword(word=token, matches=tuple(dict.fromkeys(matches)))


def _strip_ja_affixes(token: str) -> str:
    # Until none is left: "女性向けの事業" → "女性向け" → "女性".
    stripped = True
    while stripped:
        stripped = False
        for suffix in _JA_SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix) + 1:
                token, stripped = token[: -len(suffix)], True
                break
    return token


def _is_topic(word: str, lexicon: Lexicon) -> bool:
    """Whether a content word may be searched for: not a word of the request, and not
    the plan's own name ("推進計画の進捗について" asks about the plan as a whole)."""
    if len(word) < 2 or word in JA_STOPWORDS or HIRAGANA_ONLY.match(word):
        return False
    key = search_key(word)
    names_plan = word.endswith(("計画", "プラン")) and any(key in p for p in lexicon.plan_keys)
    return not names_plan


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
