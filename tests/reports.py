"""Report texts for tests: the bundled seed and variants made from it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "reports" / "musashino_gender_equality_plan4_fy2019.txt"

#: Grade changes in the second-year fixture: item → (department, FY2019 grade, FY2020 grade).
FY2020_CHANGES: dict[int, tuple[str, str, str]] = {
    16: ("子ども政策課", "D", "B"),
    19: ("高齢者支援課", "B", "A"),
    42: ("高齢者支援課", "B", "C"),
    72: ("子ども家庭支援センター", "B", "D"),
    33: ("子ども家庭支援センター", "A", "B"),
}


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def second_year_text() -> str:
    """The seed as next year's report: FY2020 headers and the grade changes above."""
    text = seed_text()
    # Next-year plan first, so the results header can then take its place.
    text = text.replace("令和2年度事業予定", "令和3年度事業予定")
    text = text.replace("令和元年度事業予定", "令和2年度事業予定")
    text = text.replace("令和元年度事業実績", "令和2年度事業実績")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if cells and cells[0].isdigit() and int(cells[0]) in FY2020_CHANGES:
            _, before, after = FY2020_CHANGES[int(cells[0])]
            assert cells[8] == before, (cells[0], cells[8])
            cells[8] = after
            lines[i] = "\t".join(cells)
    return "\n".join(lines)


def third_year_text() -> str:
    """The FY2020 report moved on a year (FY2021), grades as in FY2020."""
    text = second_year_text().replace("令和3年度事業予定", "令和4年度事業予定")
    text = text.replace("令和2年度事業予定", "令和3年度事業予定")
    return text.replace("令和2年度事業実績", "令和3年度事業実績")


#: The FY2021 reorganisation: 子ども政策課 renamed (all four of its items move), 子ども育成課
#: split (items 30 and 34 to 保育課, 35 to 児童青少年課).
RENAMED = ("子ども政策課", "子ども子育て支援課")
SPLIT = ("子ども育成課", {"保育課": (30, 34), "児童青少年課": (35,)})
#: Item 86 is not in the FY2021 report; item 87 is new in it (高齢者支援課's sheet).
DROPPED_FY2021 = 86
ADDED_FY2021 = 87
ADDED_NAME = "高齢者の見守りネットワークの強化"
#: Grades in FY2021 that differ from FY2020: item → (FY2020 grade, FY2021 grade).
FY2021_CHANGES: dict[int, tuple[str, str]] = {
    16: ("B", "A"),
    33: ("B", "C"),
    35: ("A", "B"),
    42: ("C", "D"),
}


def reorganised_year_text() -> str:
    """FY2021 after a reorganisation: a department renamed, one split, one item dropped
    and one added, grades changed (FY2021_CHANGES); every other grade as in FY2020."""
    old, new = RENAMED
    text = third_year_text().replace(old, new)
    split_from, split_to = SPLIT
    first, *others = split_to
    text = text.replace(split_from, first)
    for dept in others:
        for item in split_to[dept]:
            text = replace_cell(text, item, 5, dept)
    for item, (before, after) in FY2021_CHANGES.items():
        assert _cell(text, item, 8) == before, (item, _cell(text, item, 8))
        text = replace_cell(text, item, 8, after)
    lines = text.split("\n")
    dropped = next(i for i, line in enumerate(lines) if line.startswith(f"{DROPPED_FY2021}\t"))
    cells = lines[dropped].split("\t")
    cells[:4] = [
        str(ADDED_FY2021),
        ADDED_NAME,
        "地域の事業者と連携し、高齢者の見守りを強化する。",
        "新規",
    ]
    cells[6:10] = ["見守り協定の締結を進める。", "協定事業者を3者増やした。", "B", "協定の拡大"]
    lines[dropped] = "\t".join(cells)
    return "\n".join(lines)


def _cell(text: str, item_no: int, column: int) -> str:
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells[0] == str(item_no):
            return cells[column]
    raise AssertionError(item_no)


def write(tmp: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


def replace_cell(text: str, item_no: int, column: int, value: str) -> str:
    """Set one cell of an item row (column 0 is the number)."""
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells[0] == str(item_no):
            cells[column] = value
            line = "\t".join(cells)
        out.append(line)
    return "\n".join(out)


def line_of(text: str, pattern: str) -> int:
    for i, line in enumerate(text.split("\n"), start=1):
        if re.search(pattern, line):
            return i
    raise AssertionError(pattern)


#: Item 16's name in the second city's report: a name no Musashino item has.
OTHER_CITY_ITEM_16 = "三鷹市独自の相談事業"


def other_city_text(text: str | None = None) -> str:
    """A report of the same plan shape from another city (三鷹市), item 16 renamed."""
    text = (seed_text() if text is None else text).replace("武蔵野市", "三鷹市")
    return replace_cell(text, 16, 1, OTHER_CITY_ITEM_16)
