"""Telling a text export that was cut off from a whole one, where the layout allows.

A partial copy or an interrupted export ends somewhere inside the table: after an item's
number, part-way along its row, or inside its last cell. A whole export ends each row
with a line break (Excel writes CRLF after every row, the last one too) and gives each
item row as many cells as the others. So the last item row of a file gives it away when
it has fewer cells than the item rows before it, or when the file stops on it without a
line break. A cut exactly between rows leaves a whole-looking file: that case is caught
when the ingest would remove evaluations the warehouse holds (see ``removals``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.ingest.problems import Problem

_ITEM_NO = re.compile(r"^\d{1,5}$")

Row = tuple[int, str, list[str]]


def _is_item_row(originals: Sequence[str]) -> bool:
    return bool(_ITEM_NO.match(unicodedata.normalize("NFKC", originals[0]).strip()))


def _filled(originals: Sequence[str]) -> int:
    """Cells up to the last one that holds anything (trailing empty cells do not count)."""
    count = len(originals)
    while count and not originals[count - 1].strip():
        count -= 1
    return count


def cut_off_problem(rows: Sequence[Row], text: str, file: str) -> Problem | None:
    """A problem at the last item row when the file looks cut off there, else None."""
    items = [(lineno, originals) for lineno, _, originals in rows if _is_item_row(originals)]
    if not items:
        return None
    lineno, last = items[-1]
    if _filled(last) <= 1:
        return Problem(
            file, lineno, "the file ends after an item number: cut off (a partial copy?)"
        )
    # Shorter than every other item row: an exporter that drops trailing empty cells
    # makes short rows that are whole, but then not only the last one is short.
    width = min((len(o) for _, o in items[:-1]), default=0)
    if len(last) < width:
        return Problem(
            file,
            lineno,
            f"the last item row has {len(last)} cells where the others have {width} or more:"
            " the file is cut off (a partial copy or an interrupted export?)",
        )
    ends_on_item_row = rows[-1][0] == lineno
    if ends_on_item_row and not text.endswith(("\n", "\r")):
        return Problem(
            file,
            lineno,
            "the file ends inside an item row, without a line break: cut off"
            " (a partial copy or an interrupted export?)",
        )
    return None
