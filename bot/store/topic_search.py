"""A question's topic words looked up in the term index, as rows DuckDB joins.

For each topic (a group of synonyms, numbered from 1) and fiscal year asked: the docs
that hold one of its words, how often, which words, and the doc's BM25 score for the
topic. The rows are handed to DuckDB as a registered table (``topic_found``, see
``queries/_schema.sql``), never as SQL text: columns of numpy arrays, which DuckDB scans
as they are (pyarrow would import pandas with it: ~180 ms and ~40 MB a process).

The titles of a goal, policy or measure stand for the items under them only in a plan
none of whose items speaks of the topic itself: "ワークライフバランス" is the one item
about it, not everything under a policy of that name, while a word only a title uses
still finds the items under it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.ingest.term_index import YearIndex

#: BM25's constants.
K1, B = 1.2, 0.75
#: Between the words of a row's ``words`` (split in SQL): never in a search key.
WORD_SEPARATOR = "\x1f"
#: The columns of topic_found, and their types.
COLUMNS = {
    "topic": np.int32,
    "fiscal_year": np.int32,
    "doc": np.int32,
    "tf": np.int32,
    "score": np.float64,
    "words": object,
}
Rows = dict[str, np.ndarray]


def topic_rows(
    index_of: Callable[[int], YearIndex | None],
    keywords: Sequence[Sequence[str]],
    years: Sequence[int],
    municipality: str | None,
) -> Rows:
    """Every (topic, fiscal year, doc) the topics hold, within one municipality's docs
    when one is given."""
    parts: list[Rows] = []
    for year in years:
        index = index_of(year)
        if index is None:
            continue
        first, last = index.municipality_docs(municipality)
        if first >= last:
            continue
        n = last - first
        avgdl = float(np.mean(index.length[first:last]))
        for topic, group in enumerate(keywords, start=1):
            words = [w for w in dict.fromkeys(group) if w]
            docs, tf, word_of = _topic_docs(index, words, first, last)
            if not len(docs):
                continue
            df = len(docs)
            idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
            length = index.length[docs].astype(np.float64)
            score = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgdl))
            parts.append(
                {
                    "topic": np.full(len(docs), topic),
                    "fiscal_year": np.full(len(docs), year),
                    "doc": docs,
                    "tf": tf,
                    "score": score,
                    "words": _word_lists(words, docs, word_of),
                }
            )
    return {
        name: np.concatenate([p[name] for p in parts]).astype(kind)
        if parts
        else np.zeros(0, dtype=kind)
        for name, kind in COLUMNS.items()
    }


def _topic_docs(
    index: YearIndex, words: list[str], first: int, last: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """One topic's docs (sorted), each one's term frequency (its most frequent word's),
    and which words each holds as (doc, word number) pairs."""
    own = _held([index.content_hits(w, first, last) for w in words])
    titled = _held([index.title_hits(w, first, last) for w in words])
    if len(titled[0]):
        # Titles only where no item of the doc's plan speaks of the topic itself.
        spoken = np.unique(index.plan_of(own[0]))
        keep = ~np.isin(index.plan_of(titled[0]), spoken)
        pairs = titled[2]
        keep_pair = np.isin(pairs[0], titled[0][keep])
        titled = (titled[0][keep], titled[1][keep], (pairs[0][keep_pair], pairs[1][keep_pair]))
        if len(titled[0]):
            docs = np.concatenate((own[0], titled[0]))
            order = np.argsort(docs, kind="stable")
            pair_docs = np.concatenate((own[2][0], titled[2][0]))
            pair_words = np.concatenate((own[2][1], titled[2][1]))
            by = np.lexsort((pair_words, pair_docs))
            return (
                docs[order],
                np.concatenate((own[1], titled[1]))[order],
                (pair_docs[by], pair_words[by]),
            )
    return own


def _held(
    hits: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Per-word (docs, tf) → docs holding any word, the greatest tf among its words, and
    the (doc, word number) pairs sorted by doc, then word."""
    if not hits:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, (empty, empty)
    docs = np.concatenate([d for d, _ in hits])
    tf = np.concatenate([t for _, t in hits])
    word = np.concatenate([np.full(len(d), i, dtype=np.int64) for i, (d, _) in enumerate(hits)])
    by = np.lexsort((word, docs))
    docs, tf, word = docs[by], tf[by], word[by]
    if not len(docs):
        return docs, tf, (docs, word)
    first = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[first], np.maximum.reduceat(tf, first), (docs, word)


def _word_lists(
    words: list[str], docs: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Each doc's words joined by WORD_SEPARATOR, from (doc, word number) pairs sorted by
    doc: each distinct set of words is joined once (most docs share a few)."""
    pair_docs, pair_words = pairs
    starts = np.searchsorted(pair_docs, docs, side="left")
    if len(words) < 63:
        sets = np.bitwise_or.reduceat(np.left_shift(1, pair_words), starts)
        distinct, which = np.unique(sets, return_inverse=True)
        joined = np.array(
            [
                WORD_SEPARATOR.join(w for i, w in enumerate(words) if int(s) >> i & 1)
                for s in distinct
            ],
            dtype=object,
        )
        return joined[which]
    ends = np.append(starts[1:], len(pair_docs))
    return np.array(
        [
            WORD_SEPARATOR.join(words[i] for i in pair_words[a:b])
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ],
        dtype=object,
    )
