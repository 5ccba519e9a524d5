"""Slack rendering of real answers: limits, languages, pagination, splitting."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from bot.ask.answer import Answerer
from bot.models import AnswerItem, Grade
from bot.render import limits
from bot.render.blocks import (
    ACTION_EXAMPLE,
    ACTION_ITEM_DETAIL,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    Message,
    action_value,
    answer_messages,
    answer_ref,
    home_view,
    item_detail_message,
    listing_messages,
    parse_action_value,
    query_message,
)

QUESTIONS = [
    "show 子ども家庭支援センター items",
    "D評価の事業は？",
    "事業42の詳細",
    "事業39の詳細",
    "details of item 16",
    "基本目標Ⅲの事業は何件？",
    "高齢者支援課のまとめ",
    "summary for 子ども家庭支援センター",
    "まとめ",
    "評価が下がった事業",
    "事業16の評価の推移",
    "help",
    "ヘルプ",
    "ふがふが",
    "令和5年度の事業",
    "存在しない課のまとめ",
    "宇宙開発に関する事業",
]


# --- helpers --------------------------------------------------------------------------
def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def buttons(message: Message, action_id: str | None = None) -> list[dict[str, Any]]:
    found = [n for n in walk(message.blocks) if n.get("type") == "button"]
    return [b for b in found if action_id is None or b["action_id"] == action_id]


def texts(messages: list[Message]) -> list[str]:
    return [
        n["text"]
        for m in messages
        for n in walk(m.blocks)
        if n.get("type") in ("mrkdwn", "plain_text", "raw_text")
    ]


def detail_keys(messages: list[Message]) -> list[tuple[int, int, str]]:
    values = [parse_action_value(b["value"]) for m in messages for b in buttons(m)]
    return [(v["item_no"], v["fy"], v["dept"]) for v in values if "item_no" in v]


def assert_valid(messages: list[Message]) -> None:
    assert messages
    for message in messages:
        assert message.text
        assert limits.validate_message(message.blocks, message.text) == []


def long_item(item: AnswerItem, n: int = 9_000) -> AnswerItem:
    body = ("長い実績の説明。😀 <主管課> & 詳細\n" * (n // 20))[:n]
    return item.model_copy(update={"result_text": body, "plan_text": body, "summary": body})


# --- every real answer renders within Slack's limits -------------------------------------
@pytest.mark.parametrize("question", QUESTIONS)
def test_real_answers_render_valid_messages(two_year_answerer: Answerer, question: str) -> None:
    answer = two_year_answerer.answer(question)
    messages = answer_messages(answer)
    assert_valid(messages)
    assert_valid([query_message(answer)])
    for item in answer.items[:3]:
        assert_valid([item_detail_message(item, answer.language)])
    assert json.loads(json.dumps([m.payload() for m in messages]))  # plain JSON data


def test_every_question_of_the_evaluation_set_renders_valid_messages(
    answerers: dict[str, Answerer],
) -> None:
    from tests.ask.test_evaluation_set import CASES

    for case in CASES:
        answer = answerers[case["wh"]].answer(case["q"])
        for page in (0, 1):
            assert_valid(answer_messages(answer, page=page))


def test_first_block_states_reading_and_count(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("子ども政策課のD評価の事業")
    assert answer.count == 1
    first = answer_messages(answer)[0].blocks[0]
    assert first["type"] == "header"
    assert first["text"]["text"] == f"{answer.reading}: 1件"
    assert first["text"]["text"].startswith("評価D・子ども政策課・令和元年度")


def test_a_note_before_the_headline_does_not_replace_it(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("D評価の事業は？")
    noted = answer.model_copy(update={"text": "比較できる年度がありません。\n" + answer.text})
    blocks = answer_messages(noted)[0].blocks
    assert blocks[0]["text"]["text"] == answer.text.splitlines()[0]
    assert blocks[1]["elements"][0]["text"] == "比較できる年度がありません。"


def display_width(mrkdwn: str) -> int:
    """Columns a phone gives the text: East Asian wide and full-width characters take two."""
    plain = mrkdwn.replace("*", "").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in plain)


def row_texts(messages: list[Message]) -> dict[tuple[int, str], str]:
    """Each item's row, keyed by (item number, department) from its Details button."""
    rows = {}
    for message in messages:
        for block in message.blocks:
            accessory = block.get("accessory") or {}
            if accessory.get("action_id") == ACTION_ITEM_DETAIL:
                value = parse_action_value(accessory["value"])
                rows[(value["item_no"], value["dept"])] = block["text"]["text"]
    return rows


@pytest.mark.parametrize(
    ("question", "spans_departments"),
    [
        ("子ども家庭支援センターの事業", False),
        ("show 子ども家庭支援センター items", False),
        ("B評価の事業", True),
        ("which items are graded A?", True),
    ],
)
def test_a_list_row_is_number_name_grade_and_only_a_needed_department(
    seed_answerer: Answerer, question: str, spans_departments: bool
) -> None:
    answer = seed_answerer.answer(question)
    assert (len({i.department for i in answer.items}) > 1) is spans_departments
    messages = answer_messages(answer)
    rows = row_texts(messages)
    shown = {(i.item_no, i.department): i for i in answer.items}
    assert len({no for no, _ in rows}) == min(10, answer.count)
    for key, row in rows.items():
        item = shown[key]
        number = f"事業{item.item_no}" if answer.language == "ja" else f"Item {item.item_no}"
        assert row.startswith(f"*{number}* {item.name} — {item.grade.value}")
        # The source is in the details; the department only where the list spans several.
        assert item.source.file not in row
        assert (item.department in row.removeprefix(f"*{number}* {item.name}")) is spans_departments
        # On a phone: no wider than the number, name, grade and (if needed) department,
        # with a separator each.
        budget = display_width(f"{number} {item.name} — {item.grade.value}")
        if spans_departments:
            budget += display_width(f"（{item.department}）")
        assert display_width(row) <= budget
    (detail,) = [b for b in buttons(messages[0], ACTION_ITEM_DETAIL)][:1]
    value = parse_action_value(detail["value"])
    assert set(value) == {"item_no", "fy", "dept", "m", "lang"}


def test_a_ten_item_page_fits_about_one_phone_screen(seed_answerer: Answerer) -> None:
    """A 390-px phone shows ~22 columns of Japanese per line beside a button, ~25 lines."""
    messages = answer_messages(seed_answerer.answer("子ども家庭支援センターの事業"))
    lines = 0
    for message in messages:
        for block in message.blocks:
            for node in walk(block):
                if node.get("type") in ("mrkdwn", "plain_text") and node is not block.get(
                    "accessory", {}
                ).get("text"):
                    lines += -(-display_width(node["text"]) // 44)
    assert lines <= 30


def test_the_list_heads_with_a_grade_count_and_pages_in_items(seed_answerer: Answerer) -> None:
    ja = answer_messages(seed_answerer.answer("子ども家庭支援センターの事業"))
    status = ja[0].blocks[1]["elements"][0]["text"]
    assert status.startswith("A 22 / B 1 / C 0 / D 0")
    assert "1–10件目 / 全23件（ページ 1/3）" in status
    assert "行" not in status
    en = answer_messages(seed_answerer.answer("show 子ども家庭支援センター items"))
    assert "items 1–10 of 23 (page 1/3)" in en[0].blocks[1]["elements"][0]["text"]


def test_counts_agree_when_an_item_has_two_departments(seed_answerer: Answerer) -> None:
    # Item 39 is graded by two departments: 41 grades for 40 items.
    answer = seed_answerer.answer("すべての事業")
    assert answer.count == len({i.item_no for i in answer.items}) < len(answer.items)
    messages = answer_messages(answer)
    status = messages[0].blocks[1]["elements"][0]["text"]
    assert f"評価{len(answer.items)}行: " in status
    assert f"全{answer.count}件" in status
    pages = -(-answer.count // 10)
    keys = {k for p in range(pages) for k in detail_keys(answer_messages(answer, page=p))}
    assert {no for no, _, _ in keys} == {i.item_no for i in answer.items}
    assert len(keys) == len(answer.items)


def menu_labels(message: Message) -> set[str]:
    return {
        o["text"]["text"]
        for n in walk(message.blocks)
        if n.get("type") == "overflow"
        for o in n["options"]
    }


def test_labels_follow_the_answer_language(seed_answerer: Answerer) -> None:
    ja = answer_messages(seed_answerer.answer("子ども家庭支援センターの事業"))
    en = answer_messages(seed_answerer.answer("show 子ども家庭支援センター items"))
    ja_labels = {b["text"]["text"] for b in buttons(ja[0])} | menu_labels(ja[0])
    en_labels = {b["text"]["text"] for b in buttons(en[0])} | menu_labels(en[0])
    assert {"詳細", "読み取った条件", "次へ ▶", "CSV", "XLSX"} <= ja_labels
    assert {"Details", "How it was read", "Next ▶"} <= en_labels
    assert not ja_labels & {"Details", "How it was read"}
    assert not en_labels & {"詳細", "読み取った条件"}
    assert "ページ 1/3" in " ".join(texts(ja))
    assert "page 1/3" in " ".join(texts(en))


def test_one_menu_holds_the_files_and_the_sql_only_for_admins(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("D評価の事業は？")
    staff, admin = answer_messages(answer)[-1], answer_messages(answer, admin=True)[-1]
    assert menu_labels(staff) == {"CSV", "XLSX", "読み取った条件"}
    assert menu_labels(admin) == {"CSV", "XLSX", "条件とSQL"}
    for message in (staff, admin):
        assert not buttons(message, "export_csv") and not buttons(message, "show_query")
        (menu,) = [n for n in walk(message.blocks) if n.get("type") == "overflow"]
        values = [parse_action_value(o["value"]) for o in menu["options"]]
        assert {v["r"] for v in values} == {answer_ref(answer)}
        assert all(limits.slack_len(o["value"]) <= 150 for o in menu["options"])


def test_details_are_one_clean_block(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("事業42の詳細")
    (message,) = answer_messages(answer)
    kinds = [b["type"] for b in message.blocks]
    assert kinds.count("header") == 1  # the item's title; the reading is a line above it
    assert kinds[-2] != "divider" and "divider" not in kinds
    assert "出典" in " ".join(texts([message]))
    two = answer_messages(seed_answerer.answer("事業16と18の詳細"))[0]
    kinds = [b["type"] for b in two.blocks]
    assert kinds.count("header") == 2 and kinds.count("divider") == 1
    single = item_detail_message(answer.items[0], "ja")
    assert single.blocks[-1]["type"] == "context"


def test_pagination_pages_hold_different_items_and_the_right_buttons(
    seed_answerer: Answerer,
) -> None:
    answer = seed_answerer.answer("show 子ども家庭支援センター items")
    assert len(answer.items) == 23
    pages = [answer_messages(answer, page=p) for p in range(3)]
    for messages in pages:
        assert len(messages) == 1
        assert_valid(messages)
    keys = [detail_keys(m) for m in pages]
    assert [len(k) for k in keys] == [10, 10, 3]
    assert not set(keys[0]) & set(keys[1])
    assert len(set(keys[0]) | set(keys[1]) | set(keys[2])) == 23

    def nav(messages: list[Message]) -> dict[str, dict[str, Any]]:
        found = buttons(messages[-1], ACTION_PAGE_PREV) + buttons(messages[-1], ACTION_PAGE_NEXT)
        return {b["action_id"]: parse_action_value(b["value"]) for b in found}

    assert nav(pages[0]).keys() == {ACTION_PAGE_NEXT}
    assert nav(pages[1]).keys() == {ACTION_PAGE_PREV, ACTION_PAGE_NEXT}
    assert nav(pages[2]).keys() == {ACTION_PAGE_PREV}
    assert nav(pages[0])[ACTION_PAGE_NEXT]["page"] == 1
    assert nav(pages[1])[ACTION_PAGE_PREV]["page"] == 0
    assert nav(pages[1])[ACTION_PAGE_NEXT]["page"] == 2
    assert nav(pages[0])[ACTION_PAGE_NEXT]["question"] == answer.question
    # A page past the end shows the last page rather than nothing.
    assert detail_keys(answer_messages(answer, page=99)) == keys[2]


def test_short_answers_have_no_page_buttons(seed_answerer: Answerer) -> None:
    messages = answer_messages(seed_answerer.answer("D評価の事業は？"))
    assert not buttons(messages[0], ACTION_PAGE_NEXT)
    assert not buttons(messages[0], ACTION_PAGE_PREV)
    assert menu_labels(messages[-1]) == {"CSV", "XLSX", "読み取った条件"}


def test_120_items_split_into_several_valid_messages(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("まとめ").model_copy(update={"intent": "list"})
    base = answer.items
    items = tuple(base[i % len(base)].model_copy(update={"item_no": 1000 + i}) for i in range(120))
    big = answer.model_copy(update={"items": items, "count": 120})
    messages = answer_messages(big, page_size=120)
    assert len(messages) > 1
    assert_valid(messages)
    numbers = [k[0] for k in detail_keys(messages)]
    assert sorted(numbers) == list(range(1000, 1120))
    assert "（続き 2/" in messages[1].blocks[0]["elements"][0]["text"]
    # The default page size pages it instead: 12 pages, 10 items each.
    assert len(detail_keys(answer_messages(big, page=11))) == 10


def test_long_texts_are_split_for_detail_and_cut_for_one_message(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("事業42の詳細")
    item = long_item(answer.items[0])
    detail = answer.model_copy(update={"items": (item,)})
    messages = answer_messages(detail)
    assert len(messages) > 1
    assert_valid(messages)
    joined = "".join(texts(messages))
    # Split, not cut: every character of the three long texts is there.
    assert joined.count("😀") == sum(
        text.count("😀") for text in (item.summary, item.plan_text, item.result_text)
    )
    assert "&lt;主管課&gt; &amp; 詳細" in joined
    single = item_detail_message(item, "ja")
    assert_valid([single])
    assert "…" in "".join(texts([single]))


def test_text_is_escaped_so_nothing_pings_or_links(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("D評価の事業は？")
    noisy = answer.model_copy(update={"question": "<!channel> D評価 & more", "text": "<!here>"})
    messages = [*answer_messages(noisy), query_message(noisy)]
    # mrkdwn (and the notification text) parse <…>; plain_text shows it as typed.
    mrkdwn = [n["text"] for m in messages for n in walk(m.blocks) if n.get("type") == "mrkdwn"]
    for text in [*mrkdwn, *(m.text for m in messages)]:
        assert "<!" not in text
    assert any("&lt;!channel&gt; D評価 &amp; more" in t for t in mrkdwn)


def test_summary_has_a_grade_table_and_items_needing_attention(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("まとめ")
    messages = answer_messages(answer)
    assert_valid(messages)
    tables = [b for m in messages for b in m.blocks if b["type"] == "table"]
    assert len(tables) == 1
    rows = [[c["text"] for c in row] for row in tables[0]["rows"]]
    assert rows[0] == ["課", "A", "B", "C", "D", "計"]
    assert answer.summary is not None
    assert [r[0] for r in rows[1:-1]] == list(answer.summary.by_department)
    assert rows[-1][0] == "計"
    assert int(rows[-1][-1]) == answer.summary.total
    shown = {k[0] for k in detail_keys(messages)}
    attention = {i.item_no for i in answer.items if i.grade.value in "CD"}
    assert attention and shown == attention
    assert "次年度予定" in " ".join(texts(messages))


def test_count_table_is_built_from_the_items(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("基本目標Ⅲの事業は何件？")
    tables = [b for m in answer_messages(answer) for b in m.blocks if b["type"] == "table"]
    rows = [[c["text"] for c in row] for row in tables[0]["rows"]]
    assert sum(int(r[-1]) for r in rows[1:-1]) == len(answer.items)


def test_help_offers_examples_as_buttons(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("help")
    messages = answer_messages(answer)
    examples = buttons(messages[0], ACTION_EXAMPLE)
    assert [b["value"] for b in examples] == list(answer.suggestions)
    # One example per block: an action_id must be unique within its block.
    for block in messages[0].blocks:
        ids = [b["action_id"] for b in walk(block) if b.get("type") == "button"]
        assert len(ids) == len(set(ids))


def test_unanswerable_question_uses_given_examples(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("令和5年度の事業")
    assert not answer.ok and not answer.suggestions
    messages = answer_messages(answer, examples=["新規事業は？"])
    assert [b["value"] for b in buttons(messages[0], ACTION_EXAMPLE)] == ["新規事業は？"]
    assert answer.text.splitlines()[0] in texts(messages)[0]


def test_query_message_shows_named_queries_and_parameters(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("高齢者支援課のまとめ")
    message = query_message(answer)
    body = "\n".join(texts([message]))
    for run in answer.queries:
        assert run.name in body
    assert "```" in body
    assert 'departments = ["高齢者支援課"]' in body
    assert "fiscal_year = 2019" in body


def test_button_values_stay_within_2000_chars() -> None:
    question = "とても長い質問" * 1_000
    value = action_value({"page": 3}, question)
    assert limits.slack_len(value) <= limits.ACTION_VALUE_MAX
    data = parse_action_value(value)
    assert data["page"] == 3
    assert data["question"].endswith("…")
    assert question.startswith(data["question"][:-1])
    assert parse_action_value("not json") == {}


def test_home_view_within_view_limits(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("まとめ")
    assert answer.summary is not None
    attention = [i for i in answer.items if i.grade.value in "CD"]
    examples = two_year_answerer.examples("ja")
    view = home_view(answer.summary.by_department, attention, examples, 2020)
    assert view["type"] == "home"
    assert len(view["blocks"]) <= limits.VIEW_BLOCKS_MAX
    assert limits.validate_message(view["blocks"], "", surface="home") == []
    assert sum(b["type"] == "table" for b in view["blocks"]) == 1
    values = [n["value"] for n in walk(view["blocks"]) if n.get("action_id") == ACTION_EXAMPLE]
    assert values == examples
    many = attention * 40
    big = home_view(answer.summary.by_department, many, examples * 3, 2020, language="en")
    assert limits.validate_message(big["blocks"], "", surface="home") == []
    assert "Grades by department" in json.dumps(big, ensure_ascii=False)


# --- the validator -----------------------------------------------------------------------
def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def table(rows: int) -> dict[str, Any]:
    return {"type": "table", "rows": [[{"type": "raw_text", "text": "x"}]] * rows}


def test_validate_accepts_a_plain_payload() -> None:
    assert limits.validate_message([section("ok")], "ok") == []


@pytest.mark.parametrize(
    ("blocks", "needle"),
    [
        ([{"type": "divider"}] * 51, "51 blocks"),
        ([section("x" * 3_001)], "3001 chars (max 3000)"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "max 150"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "plain_text"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "11 fields"),
        ([section("")], "empty text"),
        ([table(101)], "101 rows"),
        ([table(1), table(1)], "2 table blocks"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b" * 76},
                            "value": "v" * 2_001,
                        }
                    ]
                    * 2,
                }
            ],
            "not unique",
        ),
        ([section("x" * 2_900)] * 5, "safety max"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "11"),
    ],
)
def test_validate_catches_violations(blocks: list[dict[str, Any]], needle: str) -> None:
    problems = limits.validate_message(blocks, "fallback")
    assert any(needle in p for p in problems), problems
    with pytest.raises(limits.PayloadTooLarge) as err:
        limits.ensure_valid(blocks, "fallback")
    assert err.value.violations == problems


def test_validate_reports_every_violation_and_checks_nested_buttons() -> None:
    button = {
        "type": "button",
        "action_id": "a",
        "text": {"type": "plain_text", "text": "b" * 76},
        "value": "v" * 2_001,
    }
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
        {**section("ok"), "accessory": button},
    ]
    problems = limits.validate_message(blocks, "t" * 40_001)
    assert len(problems) == 4, problems
    assert limits.validate_message([{"type": "divider"}] * 100, "x", surface="home") == []
    assert limits.validate_message([{"type": "divider"}] * 101, "x", surface="home")


def test_truncate_never_splits_a_surrogate_pair() -> None:
    emoji = "😀" * 10  # 20 UTF-16 units
    cut = limits.truncate(emoji, 8)
    assert cut.endswith("…") and limits.slack_len(cut) <= 8
    cut.encode("utf-8")  # would raise on a lone surrogate
    raw_pairs = "a" + "\ud83d\ude00" * 5  # a pair kept as two code points (raw JSON)
    for limit in range(2, 12):
        out = limits.truncate(raw_pairs, limit)
        assert limits.slack_len(out) <= limit
        kept = out.removesuffix("…")
        assert kept.count("\ud83d") == kept.count("\ude00")  # pairs stay whole
    assert limits.truncate("short", 10) == "short"


def test_grade_changes_show_both_grades_in_text_and_blocks(two_year_answerer: Answerer) -> None:
    answer = two_year_answerer.answer("評価が下がった事業")
    # FY2019 → FY2020 in the fixture: 42 B→C, 72 B→D, 33 A→B fell.
    assert {(i.item_no, i.from_grade, i.grade) for i in answer.items} >= {
        (42, Grade.B, Grade.C),
        (72, Grade.B, Grade.D),
        (33, Grade.A, Grade.B),
    }
    shown = " ".join(texts(answer_messages(answer)))
    for no, change in ((42, "(B→C)"), (72, "(B→D)"), (33, "(A→B)")):
        line = next(s for s in answer.text.splitlines() if f"事業{no} " in s)
        assert line.endswith(change)
        assert f"— {change.strip('()')}" in shown


@pytest.mark.parametrize("question", ["ヘルプ", "help", "ふがふが", "それの詳細"])
def test_a_lead_in_ending_with_a_colon_is_followed_by_the_examples(
    seed_answerer: Answerer, question: str
) -> None:
    (message,) = answer_messages(seed_answerer.answer(question))
    for block, after in zip(message.blocks, message.blocks[1:], strict=False):
        said = (block.get("text") or {}).get("text", "")
        if said.rstrip().endswith((":", "：")):
            assert (after.get("accessory") or {}).get("action_id") == ACTION_EXAMPLE
    assert any(b.get("accessory", {}).get("action_id") == ACTION_EXAMPLE for b in message.blocks)


def test_a_two_year_summary_leads_with_what_changed(two_year_answerer: Answerer) -> None:
    ja = answer_messages(two_year_answerer.answer("高齢者支援課のまとめ"))[0]
    lead = ja.blocks[1]["text"]["text"].splitlines()
    # FY2019 → FY2020 in the fixture: 高齢者支援課 has 19 B→A and 42 B→C.
    assert lead[0] == "前年度（令和元年度）比: A 6 (+1) / B 3 (−2) / C 1 (+1) / D 0 (±0)"
    assert lead[1] == "評価が変わった事業: 事業19 B→A, 事業42 B→C"
    assert lead[2].startswith("評価の内訳")
    # Then the C/D items with what was done and what comes next; the table last.
    (c_item,) = [b for b in ja.blocks if "*事業42*" in (b.get("text") or {}).get("text", "")]
    assert "_実績_:" in c_item["text"]["text"] and "_次年度予定_:" in c_item["text"]["text"]
    kinds = [b["type"] for b in ja.blocks]
    assert kinds.index("table") > kinds.index("section", 2)
    en = answer_messages(two_year_answerer.answer("summary for 高齢者支援課"))[0]
    lead = en.blocks[1]["text"]["text"].splitlines()
    assert lead[0] == "Since FY2019: A 6 (+1) · B 3 (−2) · C 1 (+1) · D 0 (±0)"
    assert lead[1] == "Grades changed: item 19 B→A, item 42 B→C"


def test_a_one_year_summary_has_no_change_line(seed_answerer: Answerer) -> None:
    (message,) = answer_messages(seed_answerer.answer("高齢者支援課のまとめ"))
    assert message.blocks[1]["text"]["text"].startswith("評価の内訳")


def test_the_home_tab_leads_with_the_change_since_last_year(two_year_answerer: Answerer) -> None:
    for question, lead in (
        ("まとめ", "前年度（令和元年度）比: A 28 (±0)"),
        ("summary", "Since FY2019"),
    ):
        answer = two_year_answerer.answer(question)
        assert answer.summary is not None and answer.fiscal_year is not None
        view = home_view({}, [], [], answer.fiscal_year, answer.language, summary=answer.summary)
        text = view["blocks"][1]["text"]["text"]
        assert text.startswith(lead)
        assert "事業42 B→C" in text or "item 42 B→C" in text


@pytest.mark.parametrize(
    ("question", "label"),
    [("高齢者支援課のまとめ", "事業一覧（10件）"), ("summary for 高齢者支援課", "Every item (10)")],
)
def test_a_summary_thread_lists_every_item_once_without_its_headline(
    seed_answerer: Answerer, question: str, label: str
) -> None:
    answer = seed_answerer.answer(question)
    listing = listing_messages(answer.model_copy(update={"intent": "list"}))

    assert_valid(listing)
    said = texts(listing)
    assert said[0] == f"*{label}*"
    assert len(detail_keys(listing)) == answer.count == 10
    # The headline and grade counts stay in the summary message above the thread.
    headline = answer.text.splitlines()[0]
    assert not any(headline in s for s in said)
    assert not any(n.get("type") == "overflow" for m in listing for n in walk(m.blocks))
