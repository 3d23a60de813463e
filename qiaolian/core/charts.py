"""Chart specifications built from Python data, drawn in the browser by static/js/charts.js.

A spec is a plain dict that Django's ``json_script`` can embed: the labels in it are already
translated on the server, and each data point may carry the URL of the records it counts, so a
click on a bar, a slice or a country opens that list. The same spec feeds the table under the
chart (components/chart.html), for screen readers, printing and readers without JavaScript.

    spec = charts.stacked_bar(
        title=_("各年活动项数"), unit=_("项"), categories=["2021", "2022"],
        series=[charts.Series(name="侨法宣传", values=[3, 4], urls=["/activities/?…", None])],
    )
    {% chart spec id="activities-by-year" %}
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

# The staff site's colours (static/css/qiaolian.css): federation red, gold, deep red, then calm
# companions that stay distinguishable next to them; enough for the towns of a district.
BRAND_RED = "#b7282e"
BRAND_GOLD = "#f5c242"
BRAND_DEEP = "#7f1d1d"
PALETTE = (
    BRAND_RED,
    BRAND_GOLD,
    "#3b6ea8",
    "#5b8c5a",
    BRAND_DEEP,
    "#e07b39",
    "#8e6bb8",
    "#2aa6a0",
    "#a07c2c",
    "#d9534f",
    "#6c757d",
    "#c98fa3",
    "#4c9bd6",
    "#9bc27a",
    "#f08a5d",
    "#b28dd6",
    "#66c2bd",
    "#d4b25c",
    "#8c564b",
    "#17becf",
)
MAP_RANGE = ("#fde9c4", BRAND_RED)

Number = int | float | None


@dataclass
class Series:
    """One series: a value per category and, optionally, the URL of the records behind each value."""

    name: str
    values: Sequence[Number]
    urls: Sequence[str | None] | None = None
    color: str | None = None
    kind: Literal["bar", "line"] = "bar"
    axis: Literal[0, 1] = 0  # 1: drawn against a second value axis on the right
    unit: str = ""
    extra: dict = field(default_factory=dict)


def _point_urls(urls: Sequence[str | None] | None, n: int) -> list[str | None]:
    urls = list(urls or [])
    if len(urls) > n:
        raise ValueError("more urls than values")
    return [u or None for u in urls] + [None] * (n - len(urls))


def _series(items: Sequence[Series], n: int, *, stack: bool = False) -> list[dict]:
    out = []
    for i, s in enumerate(items):
        values = list(s.values)
        if len(values) != n:
            raise ValueError(f"series {s.name!r} has {len(values)} values for {n} categories")
        out.append(
            {
                "name": force_str(s.name),
                "values": values,
                "urls": _point_urls(s.urls, n),
                "color": s.color or PALETTE[i % len(PALETTE)],
                "type": s.kind,
                "axis": s.axis,
                "unit": force_str(s.unit),
                "stack": stack and s.kind == "bar",
                **s.extra,
            }
        )
    return out


def _base(kind: str, *, title, unit, categories: Sequence, category_label="") -> dict:
    return {
        "version": 1,
        "kind": kind,
        "title": force_str(title or ""),
        "unit": force_str(unit or ""),
        "category_label": force_str(category_label or ""),
        "categories": [force_str(c) for c in categories],
    }


def bar(
    *,
    categories: Sequence,
    series: Sequence[Series],
    title: str = "",
    unit: str = "",
    horizontal: bool = False,
    axis_names: Sequence[str] = (),
    category_label: str = "",
) -> dict:
    """Bars side by side (a series may be a line, or use a second axis for a larger scale)."""
    spec = _base("bar", title=title, unit=unit, categories=categories, category_label=category_label)
    spec.update(
        series=_series(series, len(categories)),
        horizontal=horizontal,
        axis_names=[force_str(a) for a in axis_names],
    )
    return spec


def stacked_bar(
    *,
    categories: Sequence,
    series: Sequence[Series],
    title: str = "",
    unit: str = "",
    horizontal: bool = False,
    totals: bool = True,
    category_label: str = "",
) -> dict:
    """Bars stacked by series (one segment per group); the table gains a total column when asked."""
    spec = _base("stacked_bar", title=title, unit=unit, categories=categories, category_label=category_label)
    spec.update(series=_series(series, len(categories), stack=True), horizontal=horizontal, totals=totals)
    return spec


def pie(
    *,
    labels: Sequence,
    values: Sequence[Number],
    urls: Sequence[str | None] | None = None,
    title: str = "",
    unit: str = "",
    name: str = "",
    donut: bool = True,
    category_label: str = "",
) -> dict:
    """Slices, one per label."""
    spec = _base("pie", title=title, unit=unit, categories=labels, category_label=category_label)
    spec.update(series=_series([Series(name=name or title, values=values, urls=urls)], len(labels)), donut=donut)
    spec["colors"] = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    return spec


def world_map(
    *,
    codes: Sequence[str],
    values: Sequence[Number],
    urls: Sequence[str | None] | None = None,
    names: Sequence[str] | None = None,
    title: str = "",
    unit: str = "",
    name: str = "",
) -> dict:
    """Countries shaded by value. ``codes`` are ISO 3166 alpha-2 codes (as in CountryField);
    ``names`` are their display names (by default django-countries' name in the active language)."""
    codes = [str(c).upper() for c in codes]
    if names is None:
        from django_countries import countries

        names = [countries.name(c) or c for c in codes]
    spec = _base("map", title=title, unit=unit, categories=names, category_label=_("国家/地区"))
    spec.update(
        map="world",
        codes=codes,
        series=_series([Series(name=name or title, values=values, urls=urls)], len(codes)),
        range=list(MAP_RANGE),
    )
    return spec


def table(spec: dict) -> dict:
    """The spec as a table: one row per category, one column per series (plus a total for stacks)."""
    series = spec.get("series", [])
    with_total = spec.get("kind") == "stacked_bar" and spec.get("totals", True) and len(series) > 1
    rows = []
    for i, label in enumerate(spec.get("categories", [])):
        cells = [{"value": s["values"][i], "url": s["urls"][i]} for s in series]
        row = {"label": label, "cells": cells}
        if with_total:
            row["total"] = sum(c["value"] or 0 for c in cells)
        rows.append(row)
    headers = [s["name"] for s in series]
    return {"headers": headers, "rows": rows, "with_total": with_total}


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def to_xlsx(spec: dict) -> bytes:
    """The chart's figures as a workbook: title, unit, a header row and one row per category.

    Charts show counts and sums, never personal data, so their export is not audited; a chart
    whose categories are people would have to go through a service instead."""
    from qiaolian.core.tabular import export_workbook

    data = table(spec)
    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    name = _SHEET_FORBIDDEN.sub(" ", spec.get("title") or _("数据")).strip()[:31] or _("数据")
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "align": "center"})
    integer = book.add_format({"num_format": "#,##0", "border": 1})
    decimal = book.add_format({"num_format": "#,##0.00", "border": 1})
    text = book.add_format({"border": 1})
    total_fmt = book.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    row = 0
    if spec.get("title"):
        sheet.write_string(row, 0, spec["title"], bold)
        row += 1
    if spec.get("unit"):
        sheet.write_string(row, 0, _("单位：%(unit)s") % {"unit": spec["unit"]})
        row += 1
    if row:
        row += 1
    headers = [spec.get("category_label", ""), *data["headers"]]
    if data["with_total"]:
        headers.append(_("合计"))
    for col, title in enumerate(headers):
        sheet.write_string(row, col, title, head)
    first = row + 1
    for offset, line in enumerate(data["rows"]):
        r = first + offset
        sheet.write_string(r, 0, line["label"], text)
        for col, cell in enumerate(line["cells"], start=1):
            value = cell["value"]
            if value is None:
                sheet.write_blank(r, col, None, text)
            else:
                sheet.write_number(r, col, value, integer if float(value).is_integer() else decimal)
        if data["with_total"]:
            sheet.write_number(r, len(headers) - 1, line["total"], total_fmt)
    widths = [max(len(str(h)) for h in [headers[0], *(r["label"] for r in data["rows"])])]
    sheet.set_column(0, 0, min(max(widths[0] * 2 + 2, 10), 40))
    sheet.set_column(1, len(headers) - 1, 14)
    sheet.freeze_panes(first, 1)
    book.close()
    return buffer.getvalue()


def xlsx_response(spec: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        to_xlsx(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
