"""Grade distribution charts as PNG bytes, with Japanese text that actually renders.

The figure is drawn with matplotlib's object API on an explicit Agg canvas: no pyplot,
so no global backend switch and no figure registry to leak into; the figure is freed
with its last reference.
"""

from __future__ import annotations

import io
import threading

import matplotlib
import matplotlib_fontja  # noqa: F401  (import registers the bundled IPAex Gothic font)
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib_fontja.matplotlib_fontja import FONT_NAME

from bot.models import Grade, Language
from bot.render.text import pick

#: Okabe–Ito colours: told apart by colour-blind readers and in greyscale printouts.
GRADE_COLORS: dict[str, str] = {
    "A": "#009E73",
    "B": "#56B4E9",
    "C": "#E69F00",
    "D": "#D55E00",
}
#: Drawn at the size a phone shows it (Slack fits an image to ~6 in of screen) and at
#: 200 dpi there, so text stays sharp when the picture is opened full screen.
WIDTH_IN = 6.0
ROW_HEIGHT_IN = 0.4
#: Title, axis and legend need this much height whatever the number of departments.
BASE_HEIGHT_IN = 2.0
LEGEND_HEIGHT_IN = 0.4
DPI = 200
#: The font every chart uses; named here so tests can check it is the fontja one.
FONT_FAMILY = FONT_NAME
#: rc_context swaps matplotlib's process-wide rcParams while a chart is drawn; charts
#: are rare, so drawing one at a time is cheaper than reasoning about thread safety.
_RENDER_LOCK = threading.Lock()


def grade_chart_png(
    by_department: dict[str, dict[str, int]], *, title: str, lang: Language = "ja"
) -> bytes:
    """A horizontal stacked bar per department (grades A–D), as PNG bytes, every word in
    the answer's language (title, axis, legend)."""
    # rc_context keeps the font choice local to this chart instead of changing rcParams.
    with _RENDER_LOCK, matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = _figure(len(by_department))
        try:
            _draw(fig, by_department, title, lang)
            return _png(fig)
        finally:
            fig.clear()  # drop the artists now, not whenever the collector runs


def _draw(
    fig: Figure, by_department: dict[str, dict[str, int]], title: str, lang: Language
) -> None:
    ax = fig.add_subplot()
    _draw_bars(ax, by_department)
    _decorate(ax, title, lang, has_data=bool(by_department))
    legend_room = 0.0
    if by_department:
        _legend(fig, ax, lang)
        legend_room = LEGEND_HEIGHT_IN / fig.get_figheight()
    fig.tight_layout(rect=(0.0, legend_room, 1.0, 1.0))


def _figure(rows: int) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, BASE_HEIGHT_IN + ROW_HEIGHT_IN * max(rows, 1)), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _draw_bars(ax: Axes, by_department: dict[str, dict[str, int]]) -> None:
    names = list(by_department)
    positions = list(range(len(names)))
    left = [0] * len(names)
    for grade in Grade:
        widths = [by_department[n].get(grade.value, 0) for n in names]
        bars = ax.barh(
            positions, widths, left=left, color=GRADE_COLORS[grade.value], label=grade.value
        )
        # Count labels only inside segments that have any, so zeros do not clutter.
        ax.bar_label(bars, labels=[str(w) if w else "" for w in widths], label_type="center")
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(positions, labels=names)
    ax.invert_yaxis()  # the first department reads first, at the top


def _decorate(ax: Axes, title: str, lang: Language, *, has_data: bool) -> None:
    ax.set_title(title)
    ax.set_xlabel(pick(lang, "件数", "Items"))
    if not has_data:
        ax.set_xticks([])
        ax.set_yticks([])
        no_data = pick(lang, "データなし", "No data")
        ax.text(0.5, 0.5, no_data, ha="center", va="center", transform=ax.transAxes)
        return
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole items


def _legend(fig: Figure, ax: Axes, lang: Language) -> None:
    # On the figure's bottom edge, in room kept free by tight_layout: it can then never
    # cover a bar or the axis label, however many departments there are.
    handles, _ = ax.get_legend_handles_labels()
    labels = [f"{g.value} {g.label_ja if lang == 'ja' else g.label_en}" for g in Grade]
    fig.legend(handles, labels, loc="lower center", ncols=4, fontsize="small", frameon=False)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    # No "Software" metadata: the bytes then depend on the data, not on the versions.
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
