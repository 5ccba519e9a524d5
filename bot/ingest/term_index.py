"""The term index of one fiscal year: which evaluation rows hold which terms, and how often.

Written next to each fiscal year's evaluations partition whenever the partition is
written (and hard-linked with it when it is not), so that a topic question looks its
words up instead of scanning every text of the year::

    terms/fiscal_year=<FY>/postings.parquet   term, field, doc, tf   (sorted in that order)
    terms/fiscal_year=<FY>/docs.parquet       doc, municipality, plan, length

A *doc* is an evaluation row, numbered by its position in the partition's file (DuckDB's
``file_row_number``): the partition is only ever written whole, and its index with it.

Terms are character bigrams of the search keys (NFKC, case-folded, 子供/こども as
子ども, separators dropped): the usual way to index Japanese without a dictionary, and it
finds a word inside a compound (共同参画 in 男女共同参画社会) for free. Bigrams of
hiragana are indexed too: words such as 子育てひろば or いじめ are found by them, and a
word is found only where every one of its bigrams is. An item's own words (its
name counted three times; its summary and the year's plan, result and next-year texts
once) are one field; the titles of its goal, policy and measure another, which a question
falls back on where no item of a plan speaks of its word. The question side (``queries/
_schema.sql``'s ``word_terms``) cuts a word into the same bigrams.

Bigrams are cut with numpy over one buffer of code points, not per text in Python: at
national scale a year holds ~170,000 rows of ~250 characters.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from bot.text import search_keys

TERMS = "terms"
POSTINGS_FILE = "postings.parquet"
DOCS_FILE = "docs.parquet"
#: A common term of a national year has ~100,000 postings: one or two row groups.
POSTINGS_ROW_GROUP = 65_536
NAME_WEIGHT = 2  # on top of the name's place in the search text: three in all
#: The two fields of a posting: an item's own words, and the titles of the goal, policy
#: and measure it stands under (shared by every item there, so only a fallback).
CONTENT, TITLES = 0, 1
#: Characters a term is made of (as search keys have them: ASCII letters lower-cased).
#: queries/_schema.sql's ``is_term`` is the same class; tests hold them together.
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
_SHIFT = 21  # a code point fits in 21 bits: a term is first << 21 | second
_SEPARATOR = "\n"  # never a term character: no bigram spans two texts


def index_files(directory: Path) -> tuple[Path, Path]:
    """A fiscal year's index files (postings, docs) in its ``terms`` directory."""
    return directory / POSTINGS_FILE, directory / DOCS_FILE


def term_code(bigram: str) -> int:
    """The term a two-character string is stored as."""
    return (ord(bigram[0]) << _SHIFT) | ord(bigram[1])


def is_term(bigram: str) -> bool:
    """Whether a two-character string is indexed: both its characters are term characters."""
    return all(any(lo <= ord(c) <= hi for lo, hi in TERM_CHARS) for c in bigram)


def word_terms(key: str) -> list[int]:
    """The distinct terms of a search key, as a question looks them up."""
    return list(
        dict.fromkeys(
            term_code(key[i : i + 2]) for i in range(len(key) - 1) if is_term(key[i : i + 2])
        )
    )


def _bigrams(texts: Sequence[str], doc_bits: int) -> np.ndarray:
    """Every indexed bigram of each text as one key, term << doc_bits | the text's index."""
    joined = _SEPARATOR.join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    docs = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)[: len(codes)]
    allowed = np.zeros(len(codes), dtype=bool)
    for lo, hi in TERM_CHARS:
        allowed |= (codes >= lo) & (codes <= hi)
    keep = np.flatnonzero(allowed[:-1] & allowed[1:])
    terms = (codes[keep].astype(np.uint64) << np.uint64(_SHIFT)) | codes[keep + 1]
    return (terms << np.uint64(doc_bits)) | docs[keep]


def _postings(fields: Sequence[tuple[Sequence[str], int, int]], n_docs: int) -> pa.Table:
    """Postings sorted by (term, field, doc), from (texts, weight, field) triples: a text of
    weight w counts each of its terms w times."""
    doc_bits = max(int(n_docs).bit_length(), 1)
    parts = [
        (_bigrams(texts, doc_bits + 1) | np.uint64(field << doc_bits))
        for texts, weight, field in fields
        for _ in range(weight)
    ]
    keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    # One sort of (term, field, doc) keys (a plain sort is twice as fast as an argsort);
    # equal neighbours are one posting, their number its term frequency.
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))[: len(keys)])
    tf = np.diff(np.append(starts, len(keys)))
    unique = keys[starts]
    return pa.table(
        {
            "term": (unique >> np.uint64(doc_bits + 1)).astype(np.int64),
            "field": ((unique >> np.uint64(doc_bits)) & np.uint64(1)).astype(np.int8),
            "doc": (unique & np.uint64((1 << doc_bits) - 1)).astype(np.int32),
            "tf": np.minimum(tf, np.iinfo(np.int16).max).astype(np.int16),
        }
    )


def write_term_index(con: duckdb.DuckDBPyConnection, partition: Path, target: Path) -> None:
    """Index one evaluations partition file into ``target`` (its ``terms`` directory)."""
    path = str(partition).replace("'", "''")
    rows = con.sql(
        "SELECT municipality, plan, name_key, search_text, goal_title, policy_title,"
        f" measure_title FROM read_parquet('{path}', file_row_number = true)"
        " ORDER BY file_row_number"
    ).to_arrow_table()
    n = rows.num_rows
    titles = [
        "|".join(t)
        for t in zip(
            rows.column("goal_title").to_pylist(),
            rows.column("policy_title").to_pylist(),
            rows.column("measure_title").to_pylist(),
            strict=True,
        )
    ]
    # Titles repeat on every item under them: each distinct one is normalised once.
    distinct = list(dict.fromkeys(titles))
    keys = dict(zip(distinct, search_keys(distinct), strict=True))
    postings = _postings(
        [
            (rows.column("search_text").to_pylist(), 1, CONTENT),
            (rows.column("name_key").to_pylist(), NAME_WEIGHT, CONTENT),
            ([keys[t] for t in titles], 1, TITLES),
        ],
        n,
    )
    content = postings.filter(pa.array(postings.column("field").to_numpy() == CONTENT))
    lengths = np.bincount(
        content.column("doc").to_numpy(), weights=content.column("tf").to_numpy(), minlength=n
    )
    docs = pa.table(
        {
            "doc": pa.array(np.arange(n, dtype=np.int32)),
            "municipality": rows.column("municipality"),
            "plan": rows.column("plan"),
            "length": pa.array(lengths.astype(np.int32)),
        }
    )
    target.mkdir(parents=True, exist_ok=True)
    _copy(con, postings, target / POSTINGS_FILE, POSTINGS_ROW_GROUP)
    _copy(con, docs, target / DOCS_FILE, POSTINGS_ROW_GROUP)


def _copy(con: duckdb.DuckDBPyConnection, table: pa.Table, path: Path, row_group: int) -> None:
    name = f"term_index_{os.getpid()}_{id(table)}"
    con.register(name, table)
    try:
        # The path is ours (a temp snapshot dir), never user text; quotes are still escaped.
        quoted = str(path).replace("'", "''")
        con.execute(
            f"COPY (SELECT * FROM {name}) TO '{quoted}'"
            f" (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {row_group})"
        )
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)
