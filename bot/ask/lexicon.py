"""The vocabulary a question is read against: departments, their other names, synonyms.

Department names come from two places: the warehouse (every 主管課 and 対象課 the
reports name) and ``data/aliases.toml`` (English names, abbreviations). Spelling
variants people type (子供/子ども/こども, a missing 課, full-width letters) are derived
here rather than listed, so a department first seen in next year's report is understood
without editing any file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.text import PLACE_WORD_CONTINUES, search_key

_DEPT_SUFFIXES = ("課", "室", "係", "部", "担当")
# Kanji and katakana: the characters that continue a Japanese word (hiragana are mostly
# particles after a name).
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u30a0-\u30ff々]+")


@dataclass(frozen=True)
class DepartmentMatch:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class HierarchyTitle:
    """A goal's, basic policy's or measure's title and where it sits (policy and measure
    are None for a goal's title, measure for a policy's)."""

    key: str
    goal: int
    policy: int | None = None
    measure: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, object]) -> list[HierarchyTitle]:
        """The three titles of a hierarchy_titles row, each also without a note in
        brackets ("…被害者支援【武蔵野市第二次配偶者暴力対策基本計画】" is named without it)."""
        goal, policy, measure = (int(str(row[k])) for k in ("goal_no", "policy_no", "measure_no"))
        titles: list[HierarchyTitle] = []
        for column, at in (
            ("goal_title", (goal, None, None)),
            ("policy_title", (goal, policy, None)),
            ("measure_title", (goal, policy, measure)),
        ):
            title = str(row[column])
            for form in dict.fromkeys([title, _TITLE_NOTE.sub("", title)]):
                if key := search_key(form):
                    titles.append(cls(key, *at))
        return titles


# A note after a title: 【武蔵野市第二次配偶者暴力対策基本計画】, (★), （再掲）.
_TITLE_NOTE = re.compile(r"\s*(?:【[^】]*】|\([^)]*\)|（[^）]*）)\s*$")


@dataclass
class Lexicon:
    departments: tuple[str, ...]
    #: (key, department) pairs, longest key first, for scanning normalised questions.
    department_keys: list[tuple[str, str]] = field(default_factory=list)
    #: (lower-case English alias, department), longest first.
    english_aliases: list[tuple[str, str]] = field(default_factory=list)
    #: normalised word → list of search keys that mean the same.
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: English multi-word synonym phrases, longest first.
    english_phrases: list[str] = field(default_factory=list)
    _key_pattern: re.Pattern[str] | None = None
    _alias_pattern: re.Pattern[str] | None = None
    #: (word count, squeezed alias, department) of the multi-word English aliases.
    _fuzzy_aliases: list[tuple[int, str, str]] = field(default_factory=list)
    # Built once by _compile (a question is read against them twice).
    _key_owner: dict[str, str] = field(default_factory=dict)
    _full_keys: frozenset[str] = frozenset()
    _alias_owner: dict[str, str] = field(default_factory=dict)
    #: (phrase, pattern) of the English synonym phrases, longest first.
    phrase_patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    #: The departments the reports name (the others are only in the alias file).
    reported: frozenset[str] = frozenset()
    #: The municipalities the warehouse holds, and the keys they are found under.
    municipalities: tuple[str, ...] = ()
    #: The search keys of the plans' own names (no topic: every item is the plan's).
    plan_keys: tuple[str, ...] = ()
    #: Goal, basic policy and measure titles, to name a part of the plan by.
    titles: tuple[HierarchyTitle, ...] = ()
    _municipality_keys: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        departments: list[str],
        aliases_file: Path | None,
        municipalities: list[str] | None = None,
        plans: list[str] | None = None,
        titles: list[HierarchyTitle] | None = None,
    ) -> Lexicon:
        config: dict[str, dict[str, list[str]]] = {}
        if aliases_file is not None and aliases_file.is_file():
            with aliases_file.open("rb") as fh:
                config = tomllib.load(fh)
        dept_aliases = config.get("departments", {})
        known = sorted(set(departments) | set(dept_aliases))
        keys: dict[str, str] = {}
        english: dict[str, str] = {}
        for name in known:
            for key in department_variants(name):
                keys.setdefault(key, name)
            for alias in dept_aliases.get(name, []):
                if re.search(r"[A-Za-z]", alias) and not re.search(r"[^\x00-\x7f]", alias):
                    english.setdefault(alias.lower(), name)
                else:
                    for key in department_variants(alias):
                        keys.setdefault(key, name)
        synonyms: dict[str, tuple[str, ...]] = {}
        phrases: list[str] = []
        for word, means in config.get("synonyms", {}).items():
            norm = _synonym_key(word)
            synonyms[norm] = tuple(dict.fromkeys([search_key(m) for m in means]))
            if " " in norm or "-" in norm:
                phrases.append(norm)
        lex = cls(
            departments=tuple(known),
            department_keys=sorted(keys.items(), key=lambda kv: -len(kv[0])),
            english_aliases=sorted(english.items(), key=lambda kv: -len(kv[0])),
            synonyms=synonyms,
            english_phrases=sorted(phrases, key=len, reverse=True),
            reported=frozenset(departments),
            municipalities=tuple(municipalities or ()),
            plan_keys=tuple(search_key(p) for p in plans or ()),
            titles=tuple(dict.fromkeys(titles or ())),
        )
        lex._compile()
        return lex

    def _compile(self) -> None:
        keys = {v: name for name in self.municipalities for v in municipality_variants(name)}
        self._municipality_keys = sorted(keys.items(), key=lambda kv: -len(kv[0]))
        if self.department_keys:
            self._key_pattern = re.compile("|".join(re.escape(k) for k, _ in self.department_keys))
        if self.english_aliases:
            parts = [_english_alias_regex(a) for a, _ in self.english_aliases]
            self._alias_pattern = re.compile(r"(?<![a-z])(?:" + "|".join(parts) + r")(?![a-z])")
        self._key_owner = dict(self.department_keys)
        self._full_keys = frozenset(search_key(name) for name in self.departments)
        for alias, name in self.english_aliases:
            self._alias_owner.setdefault(_squeeze_english(alias), name)
        self.phrase_patterns = [
            (
                phrase,
                re.compile(
                    r"(?<![a-z])" + re.escape(phrase).replace(r"\ ", r"[\s\-]+") + r"(?![a-z])"
                ),
            )
            for phrase in self.english_phrases
        ]
        self._fuzzy_aliases = [
            (len(alias.split()), _squeeze_english(alias), name)
            for alias, name in self.english_aliases
            if len(alias.split()) >= 2
        ]

    # --- matching ------------------------------------------------------------------
    def match_exact(self, text: str) -> list[DepartmentMatch]:
        """Known names and variants in a text already passed through question_key()."""
        found: list[DepartmentMatch] = []
        if self._key_pattern is not None:
            for m in self._key_pattern.finditer(text):
                end = m.end()
                if m.group(0) not in self._full_keys:
                    # A name without its 課 is a department only where the word ends
                    # (高齢者支援の…, or one mistyped character: 高齢者支援化), not inside a
                    # longer word (子育て支援施設).
                    tail = _CJK_RUN.match(text, end)
                    tail_len = tail.end() - end if tail else 0
                    if tail_len >= 2:
                        continue
                    end += tail_len
                found.append(DepartmentMatch(self._key_owner[m.group(0)], m.start(), end))
        if self._alias_pattern is not None:
            lowered = text.lower()
            for m in self._alias_pattern.finditer(lowered):
                name = self._alias_for(m.group(0))
                if name:
                    found.append(DepartmentMatch(name, m.start(), m.end()))
        return _non_overlapping(found)

    def match_municipalities(self, text: str) -> list[DepartmentMatch]:
        """Municipalities named in a question ("三鷹市のD評価", "三鷹のD評価"), not where the
        name begins a longer word (三鷹市民, 国立大学)."""
        found: list[DepartmentMatch] = []
        for key, name in self._municipality_keys:
            start = text.find(key)
            while start >= 0:
                end = start + len(key)
                following = text[end : end + 1]
                if following == "民" and key == name:
                    # 三鷹市民: the city, and 市民 left for the target group.
                    found.append(DepartmentMatch(name, start, end - 1))
                elif following not in _WORD_GOES_ON and not (
                    key != name and _CJK_RUN.match(following)
                ):
                    found.append(DepartmentMatch(name, start, end))
                start = text.find(key, end)
        return _non_overlapping(found)

    def _alias_for(self, matched: str) -> str | None:
        return self._alias_owner.get(_squeeze_english(matched))

    def match_partial(self, token: str) -> list[str]:
        """Departments a Japanese fragment could be the start or the core of (高齢者支援)."""
        key = search_key(token)
        if len(key) < 4:
            # Short words (子育て, 子ども) are far more often topics than department names.
            return []
        hits = {name for k, name in self.department_keys if key in k and len(key) / len(k) >= 0.5}
        # A fragment is read as a department only if one in the reports has it: 男女平等
        # is a topic, not the alias file's 男女平等推進室, in a warehouse without that office.
        return sorted(hits & self.reported) if self.reported else sorted(hits)

    def departments_about(self, word: str) -> list[str]:
        """The reported departments whose names hold a word ("子ども関係の課": 子ども政策課,
        子ども育成課, 子ども家庭支援センター)."""
        key = search_key(word)
        if len(key) < 2:
            return []
        hits = {name for k, name in self.department_keys if key in k}
        return sorted(hits & self.reported) if self.reported else sorted(hits)

    def match_fuzzy(self, token: str, *, limit: int = 3) -> list[tuple[str, float]]:
        """Closest department names to a token that looks like one (typos, odd spellings)."""
        key = search_key(token)
        if not key or not self.department_keys:
            return []
        choices = {k: name for k, name in self.department_keys}
        results = process.extract(key, list(choices), scorer=fuzz.ratio, limit=limit * 3)
        best: dict[str, float] = {}
        for choice, score, _ in results:
            name = choices[choice]
            best[name] = max(best.get(name, 0.0), float(score))
        return sorted(best.items(), key=lambda kv: -kv[1])[:limit]

    def match_english_fuzzy(self, text: str) -> list[tuple[str, float, str]]:
        """English department names typed loosely ("child family support centre")."""
        words = re.findall(r"[a-z']+", text.lower())
        if not words:
            return []
        results: list[tuple[str, float, str]] = []
        # Windows of n-1 … n+1 words, each squeezed once for every alias of n words.
        windows: dict[int, list[tuple[str, str]]] = {}
        for n, squeezed_alias, name in self._fuzzy_aliases:
            if n not in windows:
                texts = dict.fromkeys(
                    " ".join(words[i : i + size])
                    for size in (n - 1, n, n + 1)
                    for i in range(0, max(0, len(words) - size) + 1)
                )
                windows[n] = [(w, _squeeze_english(w)) for w in texts]
            for window, squeezed in windows[n]:
                if all(w in _GENERIC_WORDS for w in window.split()):
                    continue  # "divisions" alone names no department
                score = fuzz.ratio(squeezed, squeezed_alias)
                if score >= 75:
                    results.append((name, float(score), window))
        results.sort(key=lambda r: -r[1])
        return results

    def synonyms_for(self, word: str) -> tuple[str, ...]:
        return self.synonyms.get(_synonym_key(word), ())


# Words every department name may end with: alone they tell no department apart.
_GENERIC_WORDS = frozenset(
    [
        *("division", "divisions", "section", "sections", "department", "departments"),
        *("center", "centre", "centers", "centres", "office", "offices", "bureau"),
        *("and", "the", "of", "for"),
    ]
)


def municipality_variants(name: str) -> set[str]:
    """A municipality's name, without its prefecture (東京都三鷹市 → 三鷹市) and without its
    市区町村 where two or more characters remain (三鷹市 → 三鷹; 港区 stays whole)."""
    names = {name}
    if (m := re.match(r"^.{2,3}?[都道府県](.+[市区町村])$", name)) is not None:
        names.add(m.group(1))
    for n in list(names):
        if n[-1] in "市区町村" and len(n) >= 3:
            names.add(n[:-1])
    return names


# After these, a municipality's name is the start of another word: 市民, 区役所, 町内会.
_WORD_GOES_ON = frozenset(PLACE_WORD_CONTINUES + "会")  # and 町内会


def department_variants(name: str) -> set[str]:
    """Keys under which a department is found: the name, without 課, without センター."""
    key = search_key(name)
    variants = {key}
    for suffix in _DEPT_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            variants.add(key[: -len(suffix)])
    return {v for v in variants if len(v) >= 2}


def _synonym_key(word: str) -> str:
    word = word.strip()
    if re.fullmatch(r"[\x00-\x7f]+", word):
        return re.sub(r"\s+", " ", word.lower())
    return search_key(word)


def _squeeze_english(text: str) -> str:
    text = text.lower().replace("centre", "center").replace("&", "and")
    return re.sub(r"[^a-z]", "", text)


def _english_alias_regex(alias: str) -> str:
    words = [
        re.escape(w).replace("center", "cent(?:er|re)")
        for w in re.findall(r"[a-z0-9']+", alias.lower())
    ]
    return r"[\s\-]+(?:and\s+|&\s+)?".join(words) + r"(?:'s)?"


def _non_overlapping(matches: list[DepartmentMatch]) -> list[DepartmentMatch]:
    chosen: list[DepartmentMatch] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
