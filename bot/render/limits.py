"""Slack's Block Kit limits, and a validator that checks a payload against all of them.

Slack rejects an over-limit payload as a whole (``invalid_blocks``,
``msg_blocks_too_long``) and the user sees nothing, so every payload planbot builds is
checked here before it is sent, and the renderers split messages to stay inside.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- documented limits ------------------------------------------------------------------
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # App Home tabs and modals
SECTION_TEXT_MAX = 3_000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2_000
HEADER_TEXT_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
MESSAGE_TEXT_MAX = 40_000  # Slack truncates the whole message text past this
TABLE_ROWS_MAX = 100
TABLE_COLUMNS_MAX = 20
#: Slack's table block documentation allows one table per message.
TABLES_PER_MESSAGE_MAX = 1
BUTTON_TEXT_MAX = 75
BUTTON_URL_MAX = 3_000
ACTION_VALUE_MAX = 2_000
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255

# --- our safety margin -----------------------------------------------------------------
#: Slack fails with ``msg_blocks_too_long`` well below the sum of the per-block limits
#: (50 × 3,000 would be 150,000) and does not document the real ceiling. Keeping the
#: compact JSON of a message's blocks under this many characters has proven safe, and
#: still leaves room for ~20 listed items or four full 3,000-character sections.
MESSAGE_BLOCKS_JSON_MAX = 12_000

SURFACE_BLOCKS_MAX: dict[str, int] = {
    "message": MESSAGE_BLOCKS_MAX,
    "home": VIEW_BLOCKS_MAX,
    "modal": VIEW_BLOCKS_MAX,
}
ELLIPSIS = "…"


class PayloadTooLarge(ValueError):
    """A payload breaks at least one of Slack's limits; ``violations`` says which."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations


def slack_len(text: str) -> int:
    """Length in UTF-16 code units: never less than what Slack counts, whatever it counts."""
    # surrogatepass: a lone surrogate (from raw JSON) counts as the one unit it is.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-16 units, ending in an ellipsis if it was cut."""
    if slack_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget = limit - slack_len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for ch in text:
        used += slack_len(ch)
        if used > budget:
            break
        out.append(ch)
    # A lone high surrogate (text decoded with surrogateescape or from raw JSON) must not
    # end up as the last character: Slack would reject the string as invalid UTF-8.
    while out and "\ud800" <= out[-1] <= "\udbff":
        out.pop()
    return "".join(out).rstrip() + ELLIPSIS


def blocks_json_len(blocks: list[dict[str, Any]]) -> int:
    """Size of the blocks as sent: compact JSON, non-ASCII kept as characters."""
    return len(json.dumps(blocks, ensure_ascii=False, separators=(",", ":")))


def validate_message(
    blocks: list[dict[str, Any]], text: str, *, surface: str = "message"
) -> list[str]:
    """Every limit the payload breaks, as readable strings; an empty list means it is fine."""
    problems: list[str] = []
    max_blocks = SURFACE_BLOCKS_MAX.get(surface)
    if max_blocks is None:
        return [f"unknown surface {surface!r}"]
    if not blocks and not text.strip():
        problems.append("empty payload: neither text nor blocks")
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks (max {max_blocks} for a {surface})")
    if slack_len(text) > MESSAGE_TEXT_MAX:
        problems.append(f"text is {slack_len(text)} chars (max {MESSAGE_TEXT_MAX})")
    problems.extend(_check_block_ids(blocks))
    tables = sum(1 for b in blocks if isinstance(b, Mapping) and b.get("type") == "table")
    if surface == "message" and tables > TABLES_PER_MESSAGE_MAX:
        problems.append(f"{tables} table blocks (max {TABLES_PER_MESSAGE_MAX} per message)")
    for i, block in enumerate(blocks):
        problems.extend(_check_block(block, f"blocks[{i}]"))
    problems.extend(_check_sizes(blocks, surface))
    return problems


@dataclass(frozen=True)
class UnitCost:
    """What a unit of blocks takes of a message's limits, measured once."""

    blocks: int
    tables: int
    json_len: int
    text_len: int
    block_ids: tuple[str, ...]
    #: Every block valid on its own and no block id repeated within the unit.
    valid: bool


def unit_cost(unit: list[dict[str, Any]]) -> UnitCost:
    ids = tuple(str(b["block_id"]) for b in unit if isinstance(b, Mapping) and "block_id" in b)
    return UnitCost(
        blocks=len(unit),
        tables=sum(1 for b in unit if b.get("type") == "table"),
        json_len=sum(blocks_json_len([b]) - 2 for b in unit) + len(unit),
        text_len=sum(slack_len(t) for t in _all_texts(unit)),
        block_ids=ids,
        valid=not any(_check_block(block, "") for block in unit) and len(set(ids)) == len(ids),
    )


@dataclass
class PageBudget:
    """What a message being filled block by block has used of Slack's limits.

    Packing asks "does this unit still fit?" once per unit; re-validating the whole page
    each time made packing quadratic. The page is still validated whole once it is done.
    """

    surface: str = "message"
    blocks: int = 0
    json_len: int = 2  # the enclosing "[]"
    text_len: int = 0
    tables: int = 0
    block_ids: set[str] = field(default_factory=set)

    def fits(self, cost: UnitCost) -> bool:
        if not cost.valid or self.block_ids.intersection(cost.block_ids):
            return False
        json_len = self.json_len + cost.json_len
        return (
            self.blocks + cost.blocks <= SURFACE_BLOCKS_MAX[self.surface]
            and self.text_len + cost.text_len <= MESSAGE_TEXT_MAX
            and (
                self.surface != "message"
                or (
                    self.tables + cost.tables <= TABLES_PER_MESSAGE_MAX
                    and json_len - 1 <= MESSAGE_BLOCKS_JSON_MAX
                )
            )
        )

    def add(self, cost: UnitCost) -> None:
        self.blocks += cost.blocks
        self.tables += cost.tables
        self.json_len += cost.json_len
        self.text_len += cost.text_len
        self.block_ids.update(cost.block_ids)


def ensure_valid(blocks: list[dict[str, Any]], text: str, *, surface: str = "message") -> None:
    """Raise :class:`PayloadTooLarge` unless the payload passes :func:`validate_message`."""
    problems = validate_message(blocks, text, surface=surface)
    if problems:
        raise PayloadTooLarge(problems)


# --- checks ---------------------------------------------------------------------------
def _check_sizes(blocks: list[dict[str, Any]], surface: str) -> list[str]:
    problems = []
    total = sum(slack_len(t) for t in _all_texts(blocks))
    if total > MESSAGE_TEXT_MAX:
        problems.append(f"blocks hold {total} chars of text (max {MESSAGE_TEXT_MAX})")
    # The JSON margin targets msg_blocks_too_long, an error of chat.postMessage/update.
    if surface == "message":
        size = blocks_json_len(blocks)
        if size > MESSAGE_BLOCKS_JSON_MAX:
            problems.append(f"blocks JSON is {size} chars (safety max {MESSAGE_BLOCKS_JSON_MAX})")
    return problems


def _check_block_ids(blocks: list[dict[str, Any]]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, Mapping) else None
        if block_id is None:
            continue
        problems.extend(_check_len(str(block_id), BLOCK_ID_MAX, f"blocks[{i}].block_id"))
        if block_id in seen:
            problems.append(f"blocks[{i}].block_id {block_id!r} is not unique")
        seen.add(block_id)
    return problems


def _check_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        return [f"{where}: not a block (a dict with a type)"]
    checker = _BLOCK_CHECKS.get(block["type"])
    return checker(block, where) if checker else []


def _check_header(block: Mapping[str, Any], where: str) -> list[str]:
    text = block.get("text")
    if not isinstance(text, Mapping) or text.get("type") != "plain_text":
        return [f"{where}.text: a header needs a plain_text object"]
    return _check_text_object(text, f"{where}.text", HEADER_TEXT_MAX)


def _check_section(block: Mapping[str, Any], where: str) -> list[str]:
    text, fields = block.get("text"), block.get("fields") or []
    problems = []
    if text is None and not fields:
        problems.append(f"{where}: a section needs text or fields")
    if text is not None:
        problems.extend(_check_text_object(text, f"{where}.text", SECTION_TEXT_MAX))
    if len(fields) > SECTION_FIELDS_MAX:
        problems.append(f"{where}.fields: {len(fields)} fields (max {SECTION_FIELDS_MAX})")
    for j, text_field in enumerate(fields):
        problems.extend(
            _check_text_object(text_field, f"{where}.fields[{j}]", SECTION_FIELD_TEXT_MAX)
        )
    if block.get("accessory") is not None:
        problems.extend(_check_element(block["accessory"], f"{where}.accessory"))
    return problems


def _check_context(block: Mapping[str, Any], where: str) -> list[str]:
    elements = block.get("elements") or []
    problems = []
    if not elements:
        problems.append(f"{where}.elements: a context needs at least one element")
    if len(elements) > CONTEXT_ELEMENTS_MAX:
        problems.append(f"{where}.elements: {len(elements)} (max {CONTEXT_ELEMENTS_MAX})")
    for j, element in enumerate(elements):
        if isinstance(element, Mapping) and element.get("type") in ("plain_text", "mrkdwn"):
            problems.extend(_check_text_object(element, f"{where}.elements[{j}]", SECTION_TEXT_MAX))
    return problems


def _check_actions(block: Mapping[str, Any], where: str) -> list[str]:
    elements = block.get("elements") or []
    problems = []
    if not elements:
        problems.append(f"{where}.elements: an actions block needs at least one element")
    if len(elements) > ACTIONS_ELEMENTS_MAX:
        problems.append(f"{where}.elements: {len(elements)} (max {ACTIONS_ELEMENTS_MAX})")
    action_ids = [e.get("action_id") for e in elements if isinstance(e, Mapping)]
    duplicates = sorted({a for a in action_ids if a is not None and action_ids.count(a) > 1})
    if duplicates:
        problems.append(f"{where}: action_id not unique in the block: {', '.join(duplicates)}")
    for j, element in enumerate(elements):
        problems.extend(_check_element(element, f"{where}.elements[{j}]"))
    return problems


def _check_table(block: Mapping[str, Any], where: str) -> list[str]:
    rows = block.get("rows") or []
    problems = []
    if not rows:
        problems.append(f"{where}.rows: a table needs at least one row")
    if len(rows) > TABLE_ROWS_MAX:
        problems.append(f"{where}.rows: {len(rows)} rows (max {TABLE_ROWS_MAX})")
    for r, row in enumerate(rows):
        if len(row) > TABLE_COLUMNS_MAX:
            problems.append(f"{where}.rows[{r}]: {len(row)} cells (max {TABLE_COLUMNS_MAX})")
        for c, cell in enumerate(row):
            if (
                isinstance(cell, Mapping)
                and cell.get("type") == "raw_text"
                and not cell.get("text")
            ):
                problems.append(f"{where}.rows[{r}][{c}]: empty raw_text cell")
    settings = block.get("column_settings") or []
    if len(settings) > TABLE_COLUMNS_MAX:
        problems.append(f"{where}.column_settings: {len(settings)} (max {TABLE_COLUMNS_MAX})")
    return problems


def _check_element(element: Any, where: str) -> list[str]:
    if not isinstance(element, Mapping):
        return [f"{where}: not an element"]
    problems = []
    if element.get("action_id") is not None:
        problems.extend(_check_len(str(element["action_id"]), ACTION_ID_MAX, f"{where}.action_id"))
    if element.get("type") == "button":
        text = element.get("text")
        if not isinstance(text, Mapping) or text.get("type") != "plain_text":
            problems.append(f"{where}.text: a button needs a plain_text object")
        else:
            problems.extend(_check_text_object(text, f"{where}.text", BUTTON_TEXT_MAX))
        if element.get("value") is not None:
            problems.extend(_check_len(str(element["value"]), ACTION_VALUE_MAX, f"{where}.value"))
        if element.get("url") is not None:
            problems.extend(_check_len(str(element["url"]), BUTTON_URL_MAX, f"{where}.url"))
    return problems


def _check_text_object(obj: Any, where: str, limit: int) -> list[str]:
    if not isinstance(obj, Mapping) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where}: not a text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: empty text"]
    return _check_len(text, limit, where)


def _check_len(value: str, limit: int, where: str) -> list[str]:
    n = slack_len(value)
    return [f"{where}: {n} chars (max {limit})"] if n > limit else []


def _all_texts(node: Any) -> Iterator[str]:
    """Every text Slack would display, found recursively, for the whole-message total."""
    if isinstance(node, Mapping):
        if node.get("type") in ("plain_text", "mrkdwn", "raw_text") and isinstance(
            node.get("text"), str
        ):
            yield node["text"]
        for value in node.values():
            if isinstance(value, Mapping | list):
                yield from _all_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_texts(value)


_BLOCK_CHECKS = {
    "header": _check_header,
    "section": _check_section,
    "context": _check_context,
    "actions": _check_actions,
    "table": _check_table,
}
