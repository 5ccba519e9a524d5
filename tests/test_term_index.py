"""The term index: written at ingest with every fiscal year, verified with the snapshot,
and what topic words are looked up and ranked by (real seed, real DuckDB)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bot.ask.answer import Answerer
from bot.cli import main
from bot.ingest.integrity import check_snapshot, file_checksums
from bot.ingest.rollback import plan_rollback, roll_back
from bot.ingest.term_index import TERMS, index_files, is_current
from bot.ingest.warehouse import current_snapshot, read_manifest, write_reports
from bot.models import Report
from bot.store.database import Store
from bot.text import search_key


@pytest.fixture(scope="module")
def store(seed_answerer: Answerer) -> Store:
    return seed_answerer.store


def _topic_items(store: Store, words: list[str], fiscal_year: int = 2019) -> list[int]:
    """Item numbers the ranked topic query lists for one topic of these synonyms."""
    rows = store.run(
        "evaluations_matching",
        fiscal_year=fiscal_year,
        keywords=[[search_key(w) for w in words]],
    ).rows
    return list(dict.fromkeys(r["item_no"] for r in rows))


def _sql(store: Store, query: str, params: list[object] | None = None) -> list[tuple]:
    store.refresh()
    return store._cursor().execute(query, params or []).fetchall()


def _own_text(report: Report, item_no: int) -> str:
    """An item's own words as the index reads them: name, summary, the year's texts."""
    item = next(i for i in report.items if i.number == item_no)
    texts = [
        t
        for e in report.evaluations
        if e.item_number == item_no
        for t in (e.plan_text, e.result_text, e.next_plan_text)
    ]
    return "|".join(search_key(t) for t in (item.name, item.summary, *texts))


def test_ingest_writes_each_years_index_and_the_manifest_covers_it(
    two_year_warehouse: Path,
) -> None:
    snapshot = current_snapshot(two_year_warehouse)
    assert snapshot is not None
    manifest = read_manifest(snapshot)
    for year in manifest["fiscal_years"]:
        for path in index_files(snapshot / TERMS / f"fiscal_year={year}"):
            assert path.is_file()
            assert path.relative_to(snapshot).as_posix() in manifest["files"]
    assert check_snapshot(snapshot).ok


def test_every_evaluation_is_a_document(store: Store) -> None:
    rows = _sql(store, "SELECT fiscal_year, doc, municipality, plan FROM evaluations ORDER BY ALL")
    index = store.term_index(2019)
    assert index is not None and index.docs == len(rows) == 41
    assert [r[1] for r in rows] == list(range(41))
    first, last = index.municipality_docs(rows[0][2])
    assert (first, last) == (0, 41)
    assert index.municipality_docs("どこにもない市") == (0, 0)


@pytest.mark.parametrize(
    "word",
    [
        "男女共同参画",
        "ひとり親",
        "子ども",
        "いじめ",
        "dv",
        "ワークライフバランス",
        "配偶者等からの暴力",
        "妻",
        "a",
        "事",
        "女",
    ],
)
def test_the_index_finds_what_a_search_of_the_texts_finds(store: Store, word: str) -> None:
    # Every occurrence, in every doc: a word of one character too.
    index = store.term_index(2019)
    assert index is not None
    texts = [t for (t,) in _sql(store, "SELECT search_text FROM evaluations ORDER BY doc")]
    expected = {d for d, t in enumerate(texts) if word in t}
    # 妻 and a stand in no text; 事 and 女 check the one-character path on real hits.
    assert expected or word not in ("事", "女")
    docs, _ = index.content_hits(word, 0, index.docs)
    assert set(docs.tolist()) == expected


def test_a_word_only_a_title_uses_finds_the_items_under_it(
    store: Store, seed_report: Report
) -> None:
    word = "ハラスメント"
    under = {
        i.number
        for i in seed_report.items
        if word in i.policy.title + i.measure.title + i.goal.title
    }
    assert under, "the seed has a policy or measure titled with the word"
    assert not any(word in _own_text(seed_report, n) for n in under)
    assert set(_topic_items(store, [word])) == under


def test_a_title_does_not_stand_for_items_where_items_speak_of_the_word(
    store: Store, seed_report: Report
) -> None:
    # 暴力 titles a goal; the items that say it themselves are the answer, not every
    # item under the goal.
    found = set(_topic_items(store, ["暴力"]))
    speaking = {i.number for i in seed_report.items if "暴力" in _own_text(seed_report, i.number)}
    assert found == speaking


@pytest.mark.parametrize(
    ("compound", "part"),
    [("配偶者暴力相談支援センター", "相談支援"), ("ひとり親家庭", "親家庭")],
)
def test_a_word_inside_a_compound_is_found(
    store: Store, seed_report: Report, compound: str, part: str
) -> None:
    whole = set(_topic_items(store, [compound]))
    assert whole, f"the seed writes {compound}"
    # Every item with the compound holds its parts, and the part finds exactly the items
    # whose own words contain it.
    within = set(_topic_items(store, [part]))
    assert whole <= within
    assert within == {
        i.number for i in seed_report.items if search_key(part) in _own_text(seed_report, i.number)
    }


@pytest.mark.parametrize("word", ["子育てひろば", "ひとり親", "見守り", "障害者"])
def test_a_word_is_found_only_where_it_is_written_whole(
    store: Store, seed_report: Report, word: str
) -> None:
    # Partly hiragana, or with its bigrams apart elsewhere (障害のある被害者 has 障害 and
    # 害者, not 障害者).
    found = set(_topic_items(store, [word]))
    assert found == {
        i.number for i in seed_report.items if search_key(word) in _own_text(seed_report, i.number)
    }


def test_an_item_named_for_the_topic_ranks_above_one_that_mentions_it_in_passing(
    store: Store, seed_report: Report
) -> None:
    word = "介護"
    ranked = _topic_items(store, [word])
    named = {i.number for i in seed_report.items if word in i.name}
    # Items whose own texts mention the word, each once, while their names do not.
    in_passing = {
        n
        for n in ranked
        if n not in named and _own_text(seed_report, n).count(search_key(word)) == 1
    }
    assert named and in_passing
    last_named = max(ranked.index(n) for n in named)
    assert all(ranked.index(n) > last_named for n in in_passing)


def test_rows_say_which_words_matched(store: Store) -> None:
    rows = store.run(
        "evaluations_matching", fiscal_year=2019, keywords=[["配偶者暴力", "ひとり親"]]
    ).rows
    assert rows
    for row in rows:
        assert row["matched_words"] and set(row["matched_words"]) <= {"配偶者暴力", "ひとり親"}
        assert all(w in _one_row_text(store, row) for w in row["matched_words"])


def _one_row_text(store: Store, row: dict[str, object]) -> str:
    ((text,),) = _sql(
        store,
        "SELECT search_text FROM evaluations WHERE item_no = ? AND department = ?",
        [row["item_no"], row["department"]],
    )
    return str(text)


@pytest.mark.parametrize("spelling", ["子供", "こども", "子ども"])
def test_spellings_of_one_word_find_the_same_items(seed_answerer: Answerer, spelling: str) -> None:
    expected = {i.item_no for i in seed_answerer.answer("子どもに関する事業").items}
    assert expected
    assert {i.item_no for i in seed_answerer.answer(f"{spelling}に関する事業").items} == expected


def test_a_damaged_index_fails_verification_and_the_store_falls_back(
    warehouse: Path, second_year_report: Report
) -> None:
    first = current_snapshot(warehouse)
    write_reports(warehouse, [second_year_report])
    second = current_snapshot(warehouse)
    assert first is not None and second is not None and first != second
    postings = second / TERMS / "fiscal_year=2020" / "content_low.npy"
    assert postings in index_files(postings.parent)
    # A hard link into the previous snapshot would be damaged too: write a copy.
    data = bytearray(postings.read_bytes())
    data[len(data) // 2] ^= 0xFF
    postings.unlink()
    postings.write_bytes(bytes(data))
    assert not check_snapshot(second).ok
    store = Store(warehouse)
    try:
        assert store.snapshot == first
        assert _topic_items(store, ["介護"])
    finally:
        store.close()


def test_rollback_answers_from_the_earlier_snapshots_index(
    warehouse: Path, second_year_report: Report
) -> None:
    write_reports(warehouse, [second_year_report])
    store = Store(warehouse)
    try:
        assert _topic_items(store, ["介護"], fiscal_year=2020)
        plan = plan_rollback(warehouse)
        assert plan is not None and roll_back(warehouse, plan)
        assert [r["fiscal_year"] for r in store.run("fiscal_years").rows] == [2019]
        assert _topic_items(store, ["介護"]) == _topic_items(store, ["介護"], fiscal_year=2019)
        assert not _topic_items(store, ["介護"], fiscal_year=2020)
    finally:
        store.close()


def test_an_untouched_year_keeps_its_index_files(
    warehouse: Path, second_year_report: Report
) -> None:
    first = current_snapshot(warehouse)
    write_reports(warehouse, [second_year_report])
    second = current_snapshot(warehouse)
    assert first is not None and second is not None
    for old, new in zip(
        index_files(first / TERMS / "fiscal_year=2019"),
        index_files(second / TERMS / "fiscal_year=2019"),
        strict=True,
    ):
        assert old.samefile(new)


def _current_answer(warehouse: Path) -> tuple[Path, list[int]]:
    """The current snapshot, and the items its index finds for 介護."""
    snapshot = current_snapshot(warehouse)
    assert snapshot is not None
    indexed = Store(warehouse)
    try:
        return snapshot, _topic_items(indexed, ["介護"])
    finally:
        indexed.close()


def test_a_snapshot_from_before_the_index_still_answers_topics(warehouse: Path) -> None:
    snapshot, expected = _current_answer(warehouse)
    # As an older planbot wrote it: no terms directory, and a manifest that lists none.
    shutil.rmtree(snapshot / TERMS)
    manifest = read_manifest(snapshot)
    manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith(TERMS)}
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    store = Store(warehouse)
    try:
        assert set(_topic_items(store, ["介護"])) == set(expected)
    finally:
        store.close()


def test_a_topic_answer_says_which_words_matched(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("DVに関する事業")
    line = next(x for x in answer.text.splitlines() if x.startswith("一致した語"))
    # The synonyms of DV that the listed items hold, and none they do not.
    texts = " ".join(
        i.name + i.summary + i.plan_text + i.result_text + i.next_plan_text for i in answer.items
    )
    words = line.removeprefix("一致した語: ").removesuffix("（関連の強い順）").split("、")
    assert words and all(search_key(w) in search_key(texts) for w in words)


def test_bigrams_apart_are_not_the_word(store: Store, seed_report: Report) -> None:
    # Item 56 writes 障害のある被害者: 障害 and 害者, never 障害者.
    text = _own_text(seed_report, 56)
    assert "障害" in text and "害者" in text and "障害者" not in text
    assert 56 not in _topic_items(store, ["障害者"])
    index = store.term_index(2019)
    assert index is not None
    docs, _ = index.content_hits("障害者", 0, index.docs)
    item_nos = dict(_sql(store, "SELECT doc, item_no FROM evaluations"))
    assert 56 not in {item_nos[d] for d in docs.tolist()}


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory: pytest.TempPathFactory, seed_report: Report) -> Path:
    """The seed's city and a second one with the same plan, one item renamed."""
    data_dir = tmp_path_factory.mktemp("two_cities")
    items = tuple(
        i.model_copy(update={"name": "三鷹独自の子育てひろば"}) if i.number == 16 else i
        for i in seed_report.items
    )
    other = seed_report.model_copy(
        update={
            "municipality": "三鷹市",
            "source_file": "mitaka_fy2019.txt",
            "checksum": "0" * 64,
            "items": items,
        }
    )
    write_reports(data_dir, [seed_report, other])
    return data_dir


def _scoped(store: Store, word: str, municipality: str | None) -> list[dict[str, object]]:
    return store.run(
        "evaluations_matching",
        fiscal_year=2019,
        municipality=municipality,
        keywords=[[search_key(word)]],
    ).rows


def test_a_municipality_is_searched_and_scored_alone(
    two_cities: Path, seed_warehouse: Path
) -> None:
    store, alone = Store(two_cities), Store(seed_warehouse)
    try:
        # Its docs are consecutive in the year's file, and only they are looked up.
        index = store.term_index(2019)
        assert index is not None
        assert index.municipality_docs("三鷹市") == (0, 41)
        assert index.municipality_docs("武蔵野市") == (41, 82)
        assert {r["item_no"] for r in _scoped(store, "三鷹独自", "三鷹市")} == {16}
        assert not _scoped(store, "三鷹独自", "武蔵野市")
        both = _scoped(store, "介護", None)
        assert {r["municipality"] for r in both} == {"三鷹市", "武蔵野市"}
        # Scored against the city's own documents: as if it were alone in the warehouse.
        mine = _scoped(store, "介護", "武蔵野市")
        assert {r["municipality"] for r in mine} == {"武蔵野市"}
        expected = _scoped(alone, "介護", None)
        assert [(r["item_no"], r["department"]) for r in mine] == [
            (r["item_no"], r["department"]) for r in expected
        ]
        assert [r["score"] for r in mine] == pytest.approx([r["score"] for r in expected])
    finally:
        store.close()
        alone.close()


def _previous_format(snapshot: Path) -> Path:
    """Give a snapshot's FY2019 the index files of the previous format (parquet postings
    and docs), listed in its manifest as that format wrote them."""
    year = snapshot / TERMS / "fiscal_year=2019"
    shutil.rmtree(year)
    year.mkdir()
    for name in ("postings", "docs"):
        pq.write_table(pa.table({"doc": pa.array([0], pa.int32())}), year / f"{name}.parquet")
    manifest = read_manifest(snapshot)
    manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith(TERMS)}
    manifest["files"].update(
        {k: v.model_dump() for k, v in file_checksums(snapshot).items() if k.startswith(TERMS)}
    )
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert check_snapshot(snapshot).ok and not is_current(year)
    return year


def test_an_index_of_the_previous_format_is_indexed_in_memory_then_by_the_next_ingest(
    warehouse: Path, second_year_report: Report
) -> None:
    snapshot, expected = _current_answer(warehouse)
    _previous_format(snapshot)
    store = Store(warehouse)
    try:
        assert _topic_items(store, ["介護"]) == expected
        # The next ingest writes this year's index anew (it links its rows unchanged).
        write_reports(warehouse, [second_year_report])
        latest = current_snapshot(warehouse)
        assert latest is not None and latest != snapshot
        assert is_current(latest / TERMS / "fiscal_year=2019")
        assert _topic_items(store, ["介護"]) == expected
    finally:
        store.close()


@pytest.mark.parametrize("how", ["ingest the same report", "check --repair"])
def test_an_index_of_the_previous_format_is_written_anew_with_nothing_new(
    warehouse: Path, seed_report: Report, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot, expected = _current_answer(warehouse)
    _previous_format(snapshot)
    if how == "check --repair":
        assert main(["check", "--data-dir", str(warehouse)]) == 0
        assert "term index of an earlier format: FY2019" in capsys.readouterr().out
        assert main(["check", "--data-dir", str(warehouse), "--repair"]) == 0
    else:
        result = write_reports(warehouse, [seed_report])
        assert result.changed and not result.added
    latest = current_snapshot(warehouse)
    assert latest is not None and latest != snapshot
    assert is_current(latest / TERMS / "fiscal_year=2019") and check_snapshot(latest).ok
    assert _current_answer(warehouse)[1] == expected
    # Once written, nothing is left to do.
    assert not write_reports(warehouse, [seed_report]).changed


@pytest.mark.parametrize(
    "question",
    [
        "ワークライフバランスに関する事業",
        "ワーク・ライフ・バランスに関する事業",
        "ワーク·ライフ·バランスに関する事業",
    ],
)
def test_a_word_is_found_with_or_without_middle_dots(
    seed_answerer: Answerer, question: str
) -> None:
    # The report writes ワーク・ライフ・バランス; dots of any font are dropped on both sides.
    assert 16 in {i.item_no for i in seed_answerer.answer(question).items}


def test_torikumi_is_found_however_its_okurigana_are_written(
    seed_answerer: Answerer, seed_report: Report
) -> None:
    spellings = ("取組", "取組み", "取り組み", "取り組む", "取組む")
    written = {
        i.number
        for i in seed_report.items
        if any(
            s in "|".join((i.name, i.summary)) + _raw_texts(seed_report, i.number)
            for s in spellings
        )
    }
    assert len(written) > 1, "the seed writes the word more than one way"
    # 取組 and 取り組み alone are words of a request to the reader; 取組み is a topic.
    for question in ("取組みに関する事業", "取組みの事業"):
        assert {i.item_no for i in seed_answerer.answer(question).items} == written, question
    for spelling in spellings:
        assert set(_topic_items(seed_answerer.store, [spelling])) == written, spelling


def _raw_texts(report: Report, item_no: int) -> str:
    return "|".join(
        t
        for e in report.evaluations
        if e.item_number == item_no
        for t in (e.plan_text, e.result_text, e.next_plan_text)
    )
