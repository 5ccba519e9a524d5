"""The term index of one fiscal year: where each character bigram of its texts stands.

Written next to each fiscal year's evaluations partition whenever the partition is
written (and hard-linked with it when it is not), so that a topic question looks its
words up instead of scanning every text of the year::

    terms/fiscal_year=<FY>/index.json           format, document count, plans
    terms/fiscal_year=<FY>/<array>.npy          numpy arrays, opened memory-mapped

A *doc* is an evaluation row, numbered by its position in the partition's file (DuckDB's
``file_row_number``): the partition is only ever written whole, and its index with it.

Each field is one stream of search keys (NFKC, case-folded, spelling variants unified,
separators dropped; ``bot.text.search_keys``), every unit's key followed by a newline:
an item's own words (its ``search_text``: name, summary and the year's plan, result
and next-year texts) are the CONTENT field, one unit per doc; the distinct
"goal|policy|measure" titles of the year are the TITLES field, one unit per title group,
which a question falls back on where no item of a plan speaks of its word. The index
holds, for every bigram starting at a character of a unit (its last character pairs
with the newline), the bigram's positions in the stream. A word of two characters or
more is found where its bigrams stand one after another, so 障害者 is not found in
障害のある被害者, and a word of one character where any bigram starts with it: the
index answers exactly what a substring search of the texts would, without reading them.

Positions are stored as 16-bit offsets in 64 K windows: per term, its windows (the high
bits and where the window's offsets start), so a position costs two bytes on disk and a
lookup within one municipality (whose docs are consecutive) reads only its windows.
"""

from __future__ import annotations

import json
import logging
import mmap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from bot.text import search_keys

log = logging.getLogger(__name__)

TERMS = "terms"
META_FILE = "index.json"
#: Bumped when the files change, or the search keys' normalisation (bot.text): an index
#: of another format is rebuilt when read, and by the next ingest.
FORMAT = 2
NAME_WEIGHT = 2  # on top of the name's place in the search text: three in all
CONTENT, TITLES = "content", "titles"
#: Characters whose bigrams count towards a document's length (BM25), as they always
#: have: letters, digits, kana and kanji, not punctuation or separators.
TERM_CHARS: tuple[tuple[int, int], ...] = (
    (0x30, 0x39),  # 0-9
    (0x61, 0x7A),  # a-z
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3041, 0x309F),  # hiragana
    (0x30A1, 0x30FF),  # katakana and ー
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
)
SHIFT = 21  # a code point fits in 21 bits: a term is first << 21 | second
END = "\n"  # ends every unit of a stream; never in a search key
_WINDOW_BITS = 16
#: Every array of a field, and the doc arrays.
FIELD_ARRAYS = ("terms", "term_windows", "window_high", "window_start", "low", "starts")
DOC_ARRAYS = ("name_length", "length", "title_group", "plan_start")


def index_files(directory: Path) -> list[Path]:
    """Every file of a fiscal year's index in its ``terms`` directory."""
    names = [f"{field}_{a}.npy" for field in (CONTENT, TITLES) for a in FIELD_ARRAYS]
    names += [f"{a}.npy" for a in DOC_ARRAYS]
    return [directory / META_FILE, *(directory / n for n in names)]


def is_current(directory: Path) -> bool:
    """Whether a year's index is there, in this format."""
    try:
        meta = json.loads((directory / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(meta, dict)
        and meta.get("format") == FORMAT
        and all(p.is_file() for p in index_files(directory))
    )


def term_code(bigram: str) -> int:
    """The term a two-character string is stored as."""
    return (ord(bigram[0]) << SHIFT) | ord(bigram[1])


@dataclass(frozen=True)
class FieldIndex:
    """One field's stream: each term's positions in it, and where each unit starts."""

    terms: np.ndarray  # int64, sorted: first << 21 | second
    term_windows: np.ndarray  # int64 [terms + 1]: each term's first window
    window_high: np.ndarray  # uint16: a window's position >> 16
    window_start: np.ndarray  # int64 [windows + 1]: a window's first offset in ``low``
    low: np.ndarray  # uint16: position & 0xFFFF
    starts: np.ndarray  # int64 [units + 1]: where each unit starts in the stream

    def positions(self, term: int, lo: int, hi: int) -> np.ndarray:
        """A term's positions in [lo, hi), sorted."""
        t = int(np.searchsorted(self.terms, term))
        if t == len(self.terms) or int(self.terms[t]) != term:
            return np.zeros(0, dtype=np.int64)
        return self._positions(t, lo, hi)

    def _positions(self, t: int, lo: int, hi: int) -> np.ndarray:
        w0, w1 = int(self.term_windows[t]), int(self.term_windows[t + 1])
        high = self.window_high[w0:w1]
        a = int(np.searchsorted(high, lo >> _WINDOW_BITS, side="left"))
        b = int(np.searchsorted(high, (hi - 1) >> _WINDOW_BITS, side="right"))
        if a >= b:
            return np.zeros(0, dtype=np.int64)
        bounds = self.window_start[w0 + a : w0 + b + 1]
        found = np.repeat(high[a:b].astype(np.int64) << _WINDOW_BITS, np.diff(bounds)) + self.low[
            int(bounds[0]) : int(bounds[-1])
        ].astype(np.int64)
        return found[np.searchsorted(found, lo) : np.searchsorted(found, hi)]

    def _size(self, t: int) -> int:
        return int(
            self.window_start[int(self.term_windows[t + 1])]
            - self.window_start[int(self.term_windows[t])]
        )

    def find(self, word: str, first: int, last: int) -> np.ndarray:
        """Where ``word`` starts within units [first, last), as stream positions."""
        lo, hi = int(self.starts[first]), int(self.starts[last])
        if not word or lo >= hi:
            return np.zeros(0, dtype=np.int64)
        if len(word) == 1:
            # Every character of a unit starts a bigram (the last one with the newline).
            c = ord(word)
            a, b = np.searchsorted(self.terms, [c << SHIFT, (c + 1) << SHIFT])
            parts = [self._positions(t, lo, hi) for t in range(int(a), int(b))]
            return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        codes = [term_code(word[k : k + 2]) for k in range(len(word) - 1)]
        where = np.searchsorted(self.terms, codes)
        if any(
            w == len(self.terms) or int(self.terms[w]) != c
            for w, c in zip(where, codes, strict=True)
        ):
            return np.zeros(0, dtype=np.int64)
        # The rarest bigram first: every other one is then checked at its offset from it.
        order = sorted(range(len(codes)), key=lambda k: self._size(int(where[k])))
        k0 = order[0]
        found = self._positions(int(where[k0]), lo + k0, hi) - k0
        for k in order[1:]:
            if not len(found):
                break
            at = self._positions(int(where[k]), lo + k, hi)
            i = np.minimum(np.searchsorted(at, found + k), max(len(at) - 1, 0))
            found = found[at[i] == found + k] if len(at) else found[:0]
        return found


@dataclass(frozen=True)
class YearIndex:
    """A fiscal year's index: both fields, and what a lookup needs of each doc."""

    content: FieldIndex
    titles: FieldIndex
    name_length: np.ndarray  # int32 [docs]: the name's length at the start of its text
    length: np.ndarray  # int32 [docs]: BM25's document length
    title_group: np.ndarray  # int32 [docs]: the doc's unit in the titles field
    plan_start: np.ndarray  # int64 [plans + 1]: each plan's first doc
    plans: tuple[tuple[str, str], ...]  # (municipality, plan), in doc order

    @property
    def docs(self) -> int:
        return len(self.length)

    def municipality_docs(self, municipality: str | None) -> tuple[int, int]:
        """The docs of one municipality (consecutive: files are sorted by it), or all."""
        if municipality is None:
            return 0, self.docs
        mine = [i for i, (m, _) in enumerate(self.plans) if m == municipality]
        if not mine:
            return 0, 0
        return int(self.plan_start[mine[0]]), int(self.plan_start[mine[-1] + 1])

    def plan_of(self, docs: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.plan_start, docs, side="right") - 1

    def content_hits(self, word: str, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """The docs in [first, last) whose own words hold ``word``, and how often (a
        name's occurrence counts three times)."""
        at = self.content.find(word, first, last)
        docs = np.searchsorted(self.content.starts, at, side="right") - 1
        in_name = at - self.content.starts[docs] + len(word) <= self.name_length[docs]
        return _runs(docs, 1 + NAME_WEIGHT * in_name.astype(np.int64))

    def title_hits(self, word: str, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """The docs in [first, last) whose goal, policy or measure title holds ``word``."""
        at = self.titles.find(word, 0, len(self.titles.starts) - 1)
        if not len(at):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        groups = np.searchsorted(self.titles.starts, at, side="right") - 1
        tf = np.bincount(groups, minlength=len(self.titles.starts) - 1)
        scoped = tf[self.title_group[first:last]]
        docs = np.flatnonzero(scoped)
        return docs + first, scoped[docs]

    def release(self) -> None:
        """Drop the pages a lookup read from this process's memory. They stay in the
        page cache (the next lookup maps them again without reading the disk), but a
        mapped page counts in the process's RSS: a national year's lookups touched
        ~100 MB of postings, held until the kernel needed them."""
        arrays = [getattr(f, a) for f in (self.content, self.titles) for a in FIELD_ARRAYS]
        for array in arrays + [getattr(self, a) for a in DOC_ARRAYS]:
            mapped = getattr(array, "_mmap", None)
            if isinstance(mapped, mmap.mmap):
                mapped.madvise(mmap.MADV_DONTNEED)

    @classmethod
    def open(cls, directory: Path, *, mmap: bool = True) -> YearIndex:
        meta = json.loads((directory / META_FILE).read_text("utf-8"))
        mode = "r" if mmap else None

        def load(name: str) -> np.ndarray:
            return np.load(directory / f"{name}.npy", mmap_mode=mode, allow_pickle=False)

        fields = [
            FieldIndex(*(load(f"{field}_{a}") for a in FIELD_ARRAYS)) for field in (CONTENT, TITLES)
        ]
        return cls(
            *fields,
            *(load(a) for a in DOC_ARRAYS),
            plans=tuple((str(m), str(p)) for m, p in meta["plans"]),
        )


def _runs(docs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted docs (with repeats) → each doc once, with the sum of its weights."""
    if not len(docs):
        return docs, weights
    first = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[first], np.add.reduceat(weights, first)


# --- writing --------------------------------------------------------------------------
def _stream(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """One field's code points, every text followed by END, and where each text starts."""
    joined = END.join(texts) + END if texts else ""
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    return codes, np.concatenate(([0], np.cumsum(lengths)))


def _field(texts: Sequence[str]) -> tuple[FieldIndex, np.ndarray]:
    """A field's index, and its code points (for document lengths)."""
    codes, starts = _stream(texts)
    if len(codes) >= 1 << 32:
        raise ValueError("a fiscal year's texts exceed 4 G characters")
    at = np.flatnonzero(codes[:-1] != ord(END)).astype(np.uint64)
    # Code points made dense (in their order) so a bigram and its position share one
    # 64-bit key and one plain sort orders every posting by term, then position.
    present = np.zeros(int(codes.max(initial=0)) + 1, dtype=bool)
    present[codes] = True
    alphabet = np.flatnonzero(present).astype(np.int64)
    dense = (np.cumsum(present) - 1).astype(np.uint64)
    size = np.uint64(max(len(alphabet), 1))
    keys = (dense[codes[at]] * size + dense[codes[at + np.uint64(1)]]) << np.uint64(32) | at
    keys.sort()
    bigram = keys >> np.uint64(32)
    first = np.flatnonzero(np.concatenate(([True], bigram[1:] != bigram[:-1])))[: len(keys)]
    window = keys >> np.uint64(_WINDOW_BITS)
    wins = np.flatnonzero(np.concatenate(([True], window[1:] != window[:-1])))[: len(keys)]
    pairs = bigram[first]
    index = FieldIndex(
        terms=(alphabet[(pairs // size).astype(np.int64)] << SHIFT)
        | alphabet[(pairs % size).astype(np.int64)],
        term_windows=np.append(np.searchsorted(wins, first), len(wins)).astype(np.int64),
        window_high=((keys[wins] >> np.uint64(_WINDOW_BITS)) & np.uint64(0xFFFF)).astype(np.uint16),
        window_start=np.append(wins, len(keys)).astype(np.int64),
        low=(keys & np.uint64(0xFFFF)).astype(np.uint16),
        starts=starts,
    )
    return index, codes


def _lengths(codes: np.ndarray, starts: np.ndarray, name_length: np.ndarray) -> np.ndarray:
    """BM25's document length: a doc's bigrams of term characters, its name's thrice."""
    allowed = np.zeros(len(codes), dtype=bool)
    for lo, hi in TERM_CHARS:
        allowed |= (codes >= lo) & (codes <= hi)
    pair = allowed[:-1] & allowed[1:]
    n = len(starts) - 1
    # Each character's offset in its doc, without a search per position.
    doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(starts))[:-1]
    offset = np.arange(len(pair), dtype=np.int64) - starts[doc]
    in_name = pair & (offset + 2 <= name_length[doc])
    counts = np.bincount(doc, weights=pair, minlength=n)
    return (counts + NAME_WEIGHT * np.bincount(doc, weights=in_name, minlength=n)).astype(np.int32)


def build_year_index(
    con: duckdb.DuckDBPyConnection, partition: Path, *, fresh: bool = False
) -> YearIndex:
    """Index one evaluations partition file, in memory. ``fresh``: the partition was
    just written, its search keys by today's normalisation."""
    path = str(partition).replace("'", "''")
    rows = con.sql(
        "SELECT municipality, plan, name_key, search_text, goal_title, policy_title,"
        f" measure_title FROM read_parquet('{path}', file_row_number = true)"
        " ORDER BY file_row_number"
    ).fetchnumpy()
    n = len(rows["municipality"])
    texts, names = rows["search_text"].tolist(), rows["name_key"].tolist()
    if not fresh:
        # Keys again through today's normalisation: a partition written by an earlier
        # one (a year linked from an old snapshot) is indexed as questions now spell.
        texts, names = search_keys(texts), search_keys(names)
    name_length = np.fromiter((len(k) for k in names), dtype=np.int32, count=n)
    titles = [
        f"{g}|{p}|{m}"
        for g, p, m in zip(
            rows["goal_title"].tolist(),
            rows["policy_title"].tolist(),
            rows["measure_title"].tolist(),
            strict=True,
        )
    ]
    # Titles repeat on every item under them: each distinct one is one unit.
    distinct = list(dict.fromkeys(titles))
    group_of = {t: i for i, t in enumerate(distinct)}
    content, codes = _field(texts)
    title_index, _ = _field(search_keys(distinct))
    plans = list(zip(rows["municipality"].tolist(), rows["plan"].tolist(), strict=True))
    plan_first = [i for i in range(n) if i == 0 or plans[i] != plans[i - 1]]
    return YearIndex(
        content=content,
        titles=title_index,
        name_length=name_length,
        length=_lengths(codes, content.starts, name_length),
        title_group=np.fromiter((group_of[t] for t in titles), dtype=np.int32, count=n),
        plan_start=np.array([*plan_first, n], dtype=np.int64),
        plans=tuple(plans[i] for i in plan_first),
    )


def write_term_index(
    con: duckdb.DuckDBPyConnection, partition: Path, target: Path, *, fresh: bool = False
) -> None:
    """Index one evaluations partition file into ``target`` (its ``terms`` directory)."""
    index = build_year_index(con, partition, fresh=fresh)
    target.mkdir(parents=True, exist_ok=True)
    for field, name in ((index.content, CONTENT), (index.titles, TITLES)):
        for a in FIELD_ARRAYS:
            np.save(target / f"{name}_{a}.npy", getattr(field, a), allow_pickle=False)
    for a in DOC_ARRAYS:
        np.save(target / f"{a}.npy", getattr(index, a), allow_pickle=False)
    meta = {"format": FORMAT, "docs": index.docs, "plans": [list(p) for p in index.plans]}
    (target / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
