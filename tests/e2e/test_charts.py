"""Charts in the browser: the statistics page draws its charts (an <svg> of real size), and a click
on a bar segment or on a country opens the records it counts."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from django.template import Context, Template
from django.test import RequestFactory
from playwright.sync_api import expect

from qiaolian.activities import services
from qiaolian.core import charts

# The centre of one data point's shape, in page coordinates, found through the chart's own model
# (ECharts draws a bar segment as one element; its rectangle is in the chart's coordinates).
POINT_CENTRE = """([id, seriesIndex, dataIndex]) => {
  const el = document.getElementById(id);
  const chart = window.echarts.getInstanceByDom(el);
  const shape = chart.getModel().getSeriesByIndex(seriesIndex).getData().getItemGraphicEl(dataIndex);
  const rect = shape.getBoundingRect().clone();
  rect.applyTransform(shape.getComputedTransform());
  const box = el.getBoundingClientRect();
  return [box.left + rect.x + rect.width / 2, box.top + rect.y + rect.height / 2, rect.width, rect.height];
}"""


def activity(js, user, *, day, kind="law", project="huiqiao", audience=None):
    start = dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)
    return services.activity_create(
        actor=js.user(user),
        data={
            "federation": js.user(user).federation,
            "title": "侨法宣传进社区",
            "kind": kind,
            "project": project,
            "mode": "offline",
            "place": "朱泾镇社区文化活动中心",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "audience": audience,
        },
    )


def test_stats_chart_renders_and_a_segment_opens_the_filtered_list(jinshan, login, live_server, page, results_dir):
    for day in ("2021-03-12", "2021-05-01", "2022-03-15"):
        activity(jinshan, "staff", day=day, audience=30)
    for day in ("2021-06-01", "2022-06-01", "2022-09-01"):
        activity(jinshan, "zhujing", day=day, kind="training", project="qiangji")
    login("staff")
    page.goto(f"{live_server.url}/activities/stats/?by=project")
    chart = page.locator("#activities-by-year")
    expect(chart).to_have_attribute("data-chart-state", "ready")
    expect(page.locator("#people-by-year")).to_have_attribute("data-chart-state", "ready")
    svg = chart.locator("svg").first
    box = svg.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    assert chart.locator("svg path").count() > 4  # bars, axes
    page.screenshot(path=str(results_dir / "charts-activity-stats.png"), full_page=True)

    spec = json.loads(page.locator("#activities-by-year-spec").text_content())
    series = next(i for i, s in enumerate(spec["series"]) if s["name"] == "强基工程")
    x, y, width, height = page.evaluate(POINT_CENTRE, ["activities-by-year", series, 1])  # 2022: two trainings
    assert width > 5 and height > 5
    page.mouse.click(x, y)
    page.wait_for_url("**/activities/?*")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"project": ["qiangji"], "date_from": ["2022-01-01"], "date_to": ["2022-12-31"]}
    expect(page.get_by_text("共 2 项活动")).to_be_visible()


def test_chart_resizes_with_its_container(jinshan, login, live_server, page):
    activity(jinshan, "staff", day="2021-03-12")
    login("staff")
    page.goto(f"{live_server.url}/activities/stats/")
    chart = page.locator("#activities-by-year")
    expect(chart).to_have_attribute("data-chart-state", "ready")
    before = chart.locator("svg").first.bounding_box()["width"]
    page.set_viewport_size({"width": 900, "height": 800})
    page.wait_for_function(
        """w => {
          const el = document.querySelector('#activities-by-year');
          const now = el.querySelector('svg').getBoundingClientRect().width;
          return Math.abs(now - w) > 20 && Math.abs(now - el.clientWidth) < 2;
        }""",
        arg=before,
    )


def test_world_map_draws_countries_and_a_click_opens_the_country(jinshan, login, live_server, page, results_dir):
    """No page shows a map yet: the component is rendered here and placed in a page of the site."""
    spec = charts.world_map(
        codes=["US", "CA", "AU", "SG", "MY"],
        values=[120, 40, 35, 20, 18],
        urls=[f"/registry/?residence_country={c}" for c in ("US", "CA", "AU", "SG", "MY")],
        title="海外亲属所在国家",
        unit="人",
    )
    html = Template('{% load charts %}{% chart spec id="world" height="420px" %}').render(
        Context({"spec": spec, "request": RequestFactory().get("/")})
    )
    login("staff")
    page.evaluate(
        """html => {
          const holder = document.createElement('div');
          holder.className = 'card card-body mb-3';
          holder.innerHTML = html;
          (document.querySelector('.page-body .container-xl') || document.body).prepend(holder);
          for (const old of holder.querySelectorAll('script[src]')) {
            const s = document.createElement('script');
            s.src = old.src; s.async = false;
            document.head.appendChild(s);
          }
        }""",
        html,
    )
    chart = page.locator("#world")
    expect(chart).to_have_attribute("data-chart-state", "ready")
    assert chart.locator("svg path").count() > 150  # the countries
    page.wait_for_timeout(300)
    page.screenshot(path=str(results_dir / "charts-world-map.png"))
    x, y = page.evaluate(
        """() => {
          const el = document.getElementById('world');
          const [px, py] = window.echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [-100, 40]);
          const box = el.getBoundingClientRect();
          return [box.left + px, box.top + py];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/registry/?residence_country=US")
