"""``{% chart spec id="…" height="320px" export_url=… %}``: a chart drawn by static/js/charts.js.

The spec (core/charts.py) is embedded with ``json_script``; no inline script runs, so a strict
Content-Security-Policy holds. ECharts and charts.js are linked once per page, the world map's
GeoJSON only on pages whose charts need it (charts.js fetches it).
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.text import slugify

from qiaolian.core import charts

register = template.Library()

_ASSETS_KEY = "_qiaolian_chart_assets"


def _first_on_page(context) -> bool:
    """True the first time a chart is rendered for this request (or this template render)."""
    request = context.get("request")
    holder = request if request is not None else context.render_context
    if isinstance(holder, template.context.RenderContext):
        if holder.get(_ASSETS_KEY):
            return False
        holder[_ASSETS_KEY] = True
        return True
    if getattr(holder, _ASSETS_KEY, False):
        return False
    setattr(holder, _ASSETS_KEY, True)
    return True


@register.inclusion_tag("components/chart.html", takes_context=True)
def chart(context, spec: dict, id: str = "", height: str = "320px", export_url: str = "", caption: str = ""):
    chart_id = slugify(id or spec.get("title") or "chart") or "chart"
    return {
        "spec": spec,
        "chart_id": chart_id,
        "spec_id": f"{chart_id}-spec",
        "height": height,
        "export_url": export_url,
        "caption": caption or spec.get("title", ""),
        "table": charts.table(spec),
        "load_assets": _first_on_page(context),
        "map_url": static("vendor/echarts/world.json") if spec.get("kind") == "map" else "",
    }
