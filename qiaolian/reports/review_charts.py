"""The review's charts drawn with matplotlib (Agg backend, no display): PNG for the .docx and
SVG where vector output is wanted. The chart has no title of its own: the documents set it
as a caption. Chinese labels need a CJK font: the first of ``FONT_FAMILIES``
that is installed (Debian: fonts-noto-cjk); without one the labels fall back to the default."""

from __future__ import annotations

import io
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from qiaolian.reports.review import Chart

FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
COLOURS = ("#b7282e", "#f5c242", "#7a1c20", "#3b6ea5", "#5a9e6f", "#8c6bb1", "#d98c3f", "#6c757d")


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in FONT_FAMILIES:
        if family in installed:
            return family
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSerifCJK" in path:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _figure(chart: Chart, *, width: float, height: float) -> Figure:
    family = cjk_font()
    rc = {"font.family": [family, "sans-serif"]} if family else {}
    with matplotlib.rc_context({**rc, "axes.unicode_minus": False, "svg.fonttype": "path"}):
        figure = Figure(figsize=(width, height), dpi=150)
        axes = figure.add_subplot()
        positions = list(range(len(chart.categories)))
        bottoms = [0.0] * len(positions)
        many = len(chart.series)
        width_bar = 0.6 if chart.stacked or many == 1 else 0.8 / many
        for i, (name, values) in enumerate(chart.series):
            colour = COLOURS[i % len(COLOURS)]
            if chart.stacked or many == 1:
                axes.bar(positions, values, width_bar, bottom=bottoms, label=name, color=colour)
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
            else:
                shifted = [p - 0.4 + width_bar * (i + 0.5) for p in positions]
                axes.bar(shifted, values, width_bar, label=name, color=colour)
        if chart.stacked or many == 1:
            for x, total in zip(positions, bottoms, strict=True):
                if total:
                    axes.annotate(
                        f"{total:,.0f}", (x, total), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                        textcoords="offset points",
                    )  # fmt: skip
        axes.set_xticks(positions, chart.categories)
        axes.set_ylabel(chart.unit)
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(y=0.15)
        if many > 1:
            axes.legend(fontsize=8, frameon=False, ncols=min(many, 4), loc="upper left")
        figure.tight_layout()
        return figure


def chart_png(chart: Chart, *, width: float = 6.0, height: float = 3.2) -> bytes:
    buffer = io.BytesIO()
    _figure(chart, width=width, height=height).savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def chart_svg(chart: Chart, *, width: float = 6.0, height: float = 3.2) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        _figure(chart, width=width, height=height).savefig(buffer, format="svg")
    text = buffer.getvalue().decode()
    return text[text.find("<svg") :]
