"""The language of a question, which is the language of its answer."""

from __future__ import annotations

import re

from bot.ask.lexicon import Lexicon
from bot.ask.text import ACRONYM, EN_WORD, JA_RUN, clean_question
from bot.models import Language

# "事業42の詳細を英語で", "D items in Japanese": the reply's language, asked for.
REPLY_LANGUAGE: list[tuple[re.Pattern[str], Language]] = [
    (re.compile(r"英語で|(?:in|into)\s+english", re.IGNORECASE), "en"),
    (re.compile(r"日本語で|(?:in|into)\s+japanese", re.IGNORECASE), "ja"),
]


def question_language(raw: str, lexicon: Lexicon | None = None) -> Language:
    """The language a question is asked in, which is the language of the reply.

    Without a vocabulary (no warehouse yet) only quoted terms are set aside; Japanese
    names inside an English question ("show 子ども家庭支援センター items") count as
    one run each and do not outvote the English words around them.
    """
    return language_of(clean_question(raw)[0], lexicon)


# Latin words that say nothing of the language asked in: "D評価の事業 pls", "B-Dの事業".
_POLITE = frozenset(["pls", "plz", "please", "thanks", "thx", "asap", "ok"])

_NOT_LANGUAGE = _POLITE | {"no", "fy", "csv", "excel", "xlsx"}

_GRADE_TOKEN = re.compile(r"[A-Da-d](?:[-~][A-Da-d])?")


def language_of(text: str, lexicon: Lexicon | None) -> Language:
    """The question's own language: entity names (departments, quoted terms) excluded,
    unless it asks for a reply in the other one."""
    for pattern, asked in REPLY_LANGUAGE:
        if pattern.search(text):
            return asked
    residual = text
    for match in reversed(lexicon.match_exact(text.lower()) if lexicon else []):
        residual = residual[: match.start] + " " + residual[match.end :]
    residual = re.sub(r"「[^」]*」|\"[^\"]*\"", " ", residual)
    ja_runs = [r for r in JA_RUN.findall(residual) if not re.fullmatch(r"事業|評価|施策|課|件", r)]
    en_words = [
        w
        for w in EN_WORD.findall(residual)
        if len(w) >= 2
        and not ACRONYM.match(w)
        and w.lower() not in _NOT_LANGUAGE
        and not _GRADE_TOKEN.fullmatch(w)
    ]
    if en_words and len(en_words) >= len(ja_runs):
        return "en"
    if not ja_runs and any(w.lower() in _POLITE for w in EN_WORD.findall(residual)):
        return "en"  # "thanks", "please" alone
    if not ja_runs and lexicon is not None and residual != text:
        # Nothing but names ("child and family support center"): the names' language.
        return language_of(text, None)
    return "ja"
