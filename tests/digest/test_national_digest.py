"""A digest over many municipalities fits Slack's limits and says what it left out.

The warehouse is generated (bench.generate) and written through the real ingest: two
fiscal years of a few dozen municipalities change hundreds of grades and name dozens of
report files, more than a message can carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bench.generate import build_nation, write_via_ingest
from bot.ask.answer import Answerer
from bot.digest import render
from bot.digest.compose import Digest, compose_digest
from bot.digest.ledger import Subscription
from bot.digest.render import digest_messages
from bot.digest.schedule import Schedule
from bot.render.limits import validate_message
from bot.store.database import Store

MUNICIPALITIES = 40
FIRE = datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
#: The question each language's digest names for the full list of changed grades.
CHANGES_QUESTION = {"ja": "評価が変わった事業", "en": "grade changes since last year"}


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data_dir = tmp_path_factory.mktemp("nation")
    write_via_ingest(build_nation(MUNICIPALITIES, 2), data_dir)
    store = Store(data_dir)
    yield store
    store.close()


def _digest(store: Store, lang: str) -> Digest:
    sub = Subscription(id="nation", channel="C1", schedule=Schedule(), language=lang)  # type: ignore[arg-type]
    return compose_digest(store, sub, FIRE, None)


def _texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    for block in blocks:
        if block.get("text"):
            yield block["text"]["text"]
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                yield element["text"]


def _tables(messages: list[Any]) -> list[list[list[str]]]:
    return [
        [[cell["text"] for cell in row] for row in block["rows"]]
        for m in messages
        for block in m.blocks
        if block["type"] == "table"
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_many_municipality_digest_fits_and_counts_what_it_cut(nation: Store, lang: str) -> None:
    digest = _digest(nation, lang)
    # The data is as long as a national digest's, in the parts that overflowed.
    assert len(digest.year_changes) > 150 and len(digest.sources) == 2 * MUNICIPALITIES
    messages = digest_messages(digest)
    for m in messages:
        assert validate_message(m.blocks, m.text) == []
    texts = [t for m in messages for t in _texts(m.blocks)]

    # Grade changes: those named, plus the count left out, are all of them; the question
    # the digest names for the rest answers with every one.
    question = CHANGES_QUESTION[lang]
    (line,) = [t for t in texts if question in t]
    named = re.findall(r"(?:事業|item )\d+ [A-D]→[A-D]", line)
    more = re.search(r"(?:ほか|and )(\d+)(?:件| more)", line)
    assert named and more is not None
    assert len(named) + int(more.group(1)) == len(digest.year_changes)
    # Item numbers repeat across municipalities: each change named says whose it is.
    whose = re.findall(r"(\S+) (?:事業|item )(\d+) ([A-D])→([A-D])", line)
    assert len(whose) == len(named)
    changed = {
        (c.municipality, str(c.item_no), c.from_grade.value, c.to_grade.value)
        for c in digest.year_changes
    }
    assert set(whose) <= changed
    assert len({m for m, *_ in whose}) > 1
    assert len(Answerer(nation).answer(question).items) == len(digest.year_changes)

    # Sources: the files named, plus those counted, are every file read.
    (sources,) = [t for t in texts if t.startswith(("出典: ", "Sources: "))]
    files = re.findall(r"m\d{4}_fy\d{4}\.txt", sources)
    counted = re.search(r"(?:ほか|and )(\d+)(?:件| more)", sources)
    assert counted is not None and len(files) + int(counted.group(1)) == len(digest.sources)

    # Departments: all of them, in one table or more, each row once.
    rows = [row[0] for table in _tables(messages) for row in table[1:]]
    assert sorted(rows[:-1]) == sorted(digest.by_department)


def test_departments_beyond_the_cap_are_the_fewest_c_and_d_and_counted(
    nation: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = _digest(nation, "ja")
    cap = len(digest.by_department) // 3
    monkeypatch.setattr(render, "DEPARTMENT_ROWS_MAX", cap)
    messages = digest_messages(digest)
    (table,) = _tables(messages)
    _, *shown, total = table
    assert len(shown) == cap and total[0] == "計"

    def c_and_d(counts: dict[str, int]) -> int:
        return counts.get("C", 0) + counts.get("D", 0)

    left_out = [c for name, c in digest.by_department.items() if name not in {r[0] for r in shown}]
    assert min(c_and_d(digest.by_department[r[0]]) for r in shown) >= max(map(c_and_d, left_out))
    # The total row still counts every department.
    assert int(total[-1]) == sum(sum(c.values()) for c in digest.by_department.values())
    texts = [t for m in messages for t in _texts(m.blocks)]
    assert f"ほか{len(left_out)}課（/plan summary で" in "\n".join(texts)


def test_a_table_too_big_for_one_message_is_split_across_messages(
    nation: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = _digest(nation, "en")
    monkeypatch.setattr(render, "TABLE_JSON_MAX", 2_500)
    messages = digest_messages(digest)
    tables = _tables(messages)
    assert len(tables) > 2
    for m in messages:
        assert validate_message(m.blocks, m.text) == []
    rows = [row[0] for table in tables for row in table[1:]]
    assert rows == [*digest.by_department, "Total"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_one_municipalitys_digest_names_changes_by_number_alone(nation: Store, lang: str) -> None:
    city = Answerer(nation).answer(CHANGES_QUESTION[lang]).items[0].municipality
    sub = Subscription(id="city", channel="C1", schedule=Schedule(), language=lang)  # type: ignore[arg-type]
    digest = compose_digest(nation, sub, FIRE, None, municipality=city)
    assert digest.year_changes and {c.municipality for c in digest.year_changes} == {city}
    head = ("評価が変わった事業: ", "Grades changed: ")
    (line,) = [ln for ln in render.digest_text(digest).splitlines() if ln.startswith(head)]
    entries = line.split(": ", 1)[1].split(", ")
    assert entries and all(re.fullmatch(r"(?:事業|item )\d+ [A-D]→[A-D]", e) for e in entries)
    assert city not in line
