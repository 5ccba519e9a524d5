"""Grade charts: real PNGs, Japanese text drawn with the bundled font, no leaks."""

from __future__ import annotations

import re
import struct
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib._pylab_helpers import Gcf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.render import chart
from bot.render.chart import grade_chart_png
from bot.store.database import Store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.fixture(scope="module")
def by_department(seed_warehouse: Path) -> dict[str, dict[str, int]]:
    store = Store(seed_warehouse)
    try:
        rows = store.run("grade_counts_by_department", fiscal_year=2019).rows
    finally:
        store.close()
    return {r["department"]: {g: int(r[g.lower()]) for g in "ABCD"} for r in rows}


def glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_png_header_and_size(by_department: dict[str, dict[str, int]]) -> None:
    assert len(by_department) >= 4
    png = grade_chart_png(by_department, title="課別の評価分布 令和元年度")
    width, height = png_size(png)
    # Sized for a phone's screen and drawn at 200 dpi there: sharp when opened.
    assert chart.DPI >= 200
    assert (width, height) == (
        round(chart.WIDTH_IN * chart.DPI),
        round((chart.BASE_HEIGHT_IN + chart.ROW_HEIGHT_IN * len(by_department)) * chart.DPI),
    )
    one = grade_chart_png(dict(list(by_department.items())[:1]), title="一課")
    assert png_size(one)[1] < height  # grows with the number of departments


def test_rendering_is_repeatable_and_leaks_no_figures(
    by_department: dict[str, dict[str, int]],
) -> None:
    before = Gcf.get_num_fig_managers()
    first = grade_chart_png(by_department, title="評価")
    second = grade_chart_png(by_department, title="評価")
    assert first == second
    assert Gcf.get_num_fig_managers() == before


def test_japanese_renders_with_the_fontja_font(by_department: dict[str, dict[str, int]]) -> None:
    assert chart.FONT_FAMILY == "IPAexGothic"
    path = font_manager.findfont(
        font_manager.FontProperties(family=chart.FONT_FAMILY), fallback_to_default=False
    )
    assert Path(path).name == "ipaexg.ttf"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grade_chart_png(
            by_department, title="子ども家庭支援センター・高齢者支援課の評価（令和元年度）"
        )
    assert glyph_warnings(caught) == []


def test_the_glyph_check_would_catch_a_font_without_japanese() -> None:
    # Control for the test above: DejaVu Sans has no kana, and matplotlib says so.
    fig = Figure()
    FigureCanvasAgg(fig)
    fig.suptitle("子ども政策課", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert glyph_warnings(caught)


def test_empty_data_still_renders() -> None:
    width, height = png_size(grade_chart_png({}, title="データなし"))
    assert width > 0 and height > 0


def chart_words(data: dict[str, dict[str, int]], lang: str) -> list[str]:
    fig = chart._figure(len(data))
    chart._draw(fig, data, "Grades" if lang == "en" else "評価", lang)  # type: ignore[arg-type]
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("with_data", [True, False])
def test_an_english_chart_says_everything_in_english(
    by_department: dict[str, dict[str, int]], with_data: bool
) -> None:
    data = {"Elderly Support": next(iter(by_department.values()))} if with_data else {}
    words = chart_words(data, "en")
    assert not [w for w in words if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", w)]
    assert "Items" in words and ("A on track / achieved" in words) is with_data
    assert "件数" in chart_words(data, "ja")
