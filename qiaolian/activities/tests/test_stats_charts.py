"""The charts on the activities statistics page: the same figures as the table, and each segment
opens the activity list filtered to exactly the activities it counts."""

import io
import json
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from qiaolian.activities import services
from qiaolian.activities.models import Status
from qiaolian.activities.tests.test_activities import at, make_activity
from qiaolian.core import charts

pytestmark = pytest.mark.django_db


def spec_of(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}-spec" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no spec for {chart_id}"
    return json.loads(found.group(1))


@pytest.fixture
def season(jinshan):
    """Activities in 2021 and 2022 across projects, kinds and federations, on year boundaries, one cancelled."""
    staff = jinshan.user("staff")
    district = [
        make_activity(jinshan, starts_at=at("2021-03-12"), ends_at=at("2021-03-12", 11), audience=40),
        make_activity(
            jinshan,
            kind="training",
            project="qiangji",
            starts_at=at("2021-12-31", 20),
            ends_at=at("2021-12-31", 22),
            online_views=300,
        ),
        make_activity(jinshan, starts_at=at("2022-01-01", 0), ends_at=at("2022-01-01", 2), audience=5),
    ]
    cancelled = make_activity(jinshan, starts_at=at("2022-05-01"), ends_at=at("2022-05-01", 11))
    services.activity_transition(actor=staff, activity=cancelled, to=Status.CANCELLED)
    zhujing = [
        make_activity(jinshan, user="zhujing", starts_at=at("2021-06-01"), ends_at=at("2021-06-01", 11), audience=20),
        make_activity(
            jinshan,
            user="zhujing",
            kind="training",
            project="qiangji",
            starts_at=at("2022-06-01"),
            ends_at=at("2022-06-01", 11),
        ),
    ]
    shihua = [make_activity(jinshan, user="shihua", starts_at=at("2022-07-01"), ends_at=at("2022-07-01", 11))]
    for activity, names in ((district[0], ["王一", "王二"]), (zhujing[0], ["王一", "李三"]), (zhujing[1], ["赵四"])):
        for name in names:
            services.registration_add(actor=staff, activity=activity, name=name)
    return {"district": district, "zhujing": zhujing, "shihua": shihua, "cancelled": cancelled}


def stats(client, by):
    response = client.get(reverse("activities:stats"), {"by": by})
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.parametrize("by", ["project", "kind", "federation"])
def test_stacked_chart_has_the_tables_numbers(jinshan, season, client, by):
    client.force_login(jinshan.user("staff"))
    response, html = stats(client, by)
    spec = spec_of(html, "activities-by-year")
    assert spec["kind"] == "stacked_bar"
    assert spec["categories"] == [str(y) for y in response.context["years"]] == ["2021", "2022"]
    rows = response.context["rows"]
    assert [s["name"] for s in spec["series"]] == [str(r["label"]) for r in rows]
    for series, row in zip(spec["series"], rows, strict=True):
        assert series["values"] == [cell.activities if cell else 0 for cell in row["cells"]]
    yearly = [sum(s["values"][i] for s in spec["series"]) for i in range(2)]
    assert yearly == [t.activities for t in response.context["year_totals"]] == [3, 3]  # the cancelled one not counted
    # the accessible table under the chart carries the same numbers
    assert '<details class="ql-chart-data' in html and "查看数据表" in html


def test_by_project_numbers_are_the_expected_ones(jinshan, season, client):
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "project")
    series = {s["name"]: s["values"] for s in spec_of(html, "activities-by-year")["series"]}
    assert series == {"惠侨工程": [2, 2], "强基工程": [1, 1]}


@pytest.mark.parametrize("by", ["project", "kind", "federation"])
def test_every_segment_opens_a_list_with_exactly_its_count(jinshan, season, client, by):
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, by)
    spec = spec_of(html, "activities-by-year")
    followed = 0
    for series in spec["series"]:
        for value, url in zip(series["values"], series["urls"], strict=True):
            if not url:
                continue
            listing = client.get(url)
            assert listing.status_code == 200
            assert listing.context["form"].is_valid(), url
            assert listing.context["totals"].activities == value, (series["name"], url)
            followed += 1
    assert followed >= 3


def test_federation_segments_list_that_federations_own_activities(jinshan, season, client):
    """The statistics count a federation's own activities; its segment's list leaves out those
    held below it (the district's segment does not list the towns' activities)."""
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "federation")
    urls = {s["name"]: s["urls"] for s in spec_of(html, "activities-by-year")["series"]}
    district = jinshan.district.short_name or jinshan.district.name
    zhujing = jinshan.zhujing.short_name or jinshan.zhujing.name
    assert all(urls[district]) and all(urls[zhujing])
    assert f"federation={jinshan.zhujing.pk}" in urls[zhujing][0] and "own=on" in urls[zhujing][0]
    listing = client.get(urls[district][0])
    assert {a.federation_id for a in listing.context["page"].rows} == {jinshan.district.pk}


def test_a_segment_url_lists_those_activities_and_no_other(jinshan, season, client):
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "kind")
    spec = spec_of(html, "activities-by-year")
    training = next(s for s in spec["series"] if s["name"] == "培训")
    listing = client.get(training["urls"][0])  # 2021: the district's training on New Year's Eve
    shown = {a.pk for a in listing.context["page"].rows}
    assert shown == {season["district"][1].pk}


def test_people_chart_matches_year_totals(jinshan, season, client):
    client.force_login(jinshan.user("staff"))
    response, html = stats(client, "project")
    spec = spec_of(html, "people-by-year")
    participants, reach = spec["series"]
    totals = response.context["year_totals"]
    assert participants["values"] == [t.participants for t in totals] == [3, 1]  # 王一 counted once in 2021
    assert reach["values"] == [t.reach for t in totals] == [360, 5]
    assert reach["type"] == "line" and reach["axis"] == 1


def test_town_user_sees_only_its_own_federation(jinshan, season, client):
    client.force_login(jinshan.user("zhujing"))
    _response, html = stats(client, "federation")
    spec = spec_of(html, "activities-by-year")
    assert [s["name"] for s in spec["series"]] == [jinshan.zhujing.short_name or jinshan.zhujing.name]
    assert spec["series"][0]["values"] == [1, 1]
    assert all(spec["series"][0]["urls"])


def test_no_activities_no_chart(jinshan, client):
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "project")
    assert "data-chart=" not in html


# core/charts and the template tag -----------------------------------------------------------


def test_helpers_validate_lengths_and_build_tables():
    with pytest.raises(ValueError):
        charts.bar(categories=["a", "b"], series=[charts.Series(name="x", values=[1])])
    with pytest.raises(ValueError):
        charts.bar(categories=["a"], series=[charts.Series(name="x", values=[1], urls=["/a", "/b"])])
    spec = charts.stacked_bar(
        categories=["2021", "2022"],
        series=[charts.Series(name="甲", values=[1, 2], urls=["/a"]), charts.Series(name="乙", values=[3, None])],
    )
    assert spec["series"][0]["urls"] == ["/a", None]
    assert spec["series"][0]["color"] == charts.BRAND_RED and spec["series"][1]["color"] == charts.BRAND_GOLD
    table = charts.table(spec)
    assert table["headers"] == ["甲", "乙"] and table["with_total"]
    assert [r["total"] for r in table["rows"]] == [4, 2]
    pie = charts.pie(labels=["甲", "乙"], values=[1, 2], urls=["/a", "/b"], title="比例")
    assert pie["kind"] == "pie" and pie["series"][0]["urls"] == ["/a", "/b"] and len(pie["colors"]) == 2
    world = charts.world_map(codes=["us", "SG"], values=[5, 2], title="海外亲属")
    assert world["codes"] == ["US", "SG"] and world["map"] == "world" and all(world["categories"])
    json.dumps([spec, pie, world])  # plain data


def test_template_tag_renders_table_export_link_and_assets_once():
    request = RequestFactory().get("/")
    spec = charts.bar(categories=["2021"], series=[charts.Series(name="项数", values=[7], urls=["/x/?a=1&b=2"])])
    world = charts.world_map(codes=["US"], values=[3])
    html = Template(
        '{% load charts %}{% chart a id="one" export_url="/export.xlsx" %}{% chart b id="two" height="200px" %}'
    ).render(Context({"a": spec, "b": world, "request": request}))
    assert html.count("echarts.min.js") == 1 and html.count("js/charts.js") == 1
    assert 'data-chart="one-spec"' in html and 'id="one-spec" type="application/json"' in html
    assert 'data-chart-height="200px"' in html
    assert '<a href="/x/?a=1&amp;b=2">7</a>' in html
    assert 'href="/export.xlsx"' in html and "导出 Excel" in html and html.count("导出 Excel") == 1
    assert html.count("data-chart-map=") == 1 and "vendor/echarts/world.json" in html
    assert "<script>" not in html  # nothing inline


def test_a_town_segment_leaves_out_its_villages_activities(jinshan, season, client):
    """In 2022 the village under 朱泾镇 held an activity: the town's segment still lists exactly
    the town's own activities, and the village's segment the village's."""
    make_activity(jinshan, federation=jinshan.zhujing_village, starts_at=at("2022-08-01"), ends_at=at("2022-08-01", 11))
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "federation")
    spec = spec_of(html, "activities-by-year")
    urls = {s["name"]: s["urls"] for s in spec["series"]}
    zhujing = jinshan.zhujing.short_name or jinshan.zhujing.name
    village = jinshan.zhujing_village.short_name or jinshan.zhujing_village.name
    assert urls[zhujing][1] and urls[village][1]
    for series in spec["series"]:
        for value, url in zip(series["values"], series["urls"], strict=True):
            if url:  # a year without activities of that federation has no segment to open
                assert client.get(url).context["totals"].activities == value, (series["name"], url)


def read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_each_chart_exports_its_figures_to_xlsx(jinshan, season, client):
    client.force_login(jinshan.user("staff"))
    _response, html = stats(client, "project")
    assert html.count("导出 Excel") == 2 and 'href="?by=project&amp;export=activities-by-year"' in html
    response = client.get(reverse("activities:stats"), {"by": "project", "export": "activities-by-year"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="activities-by-year-project.xlsx"' in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert rows[0][0] == "各年活动项数（按所属工程）" and rows[1][0] == "单位：项"
    header = rows[3]
    assert header[0] == "年份" and header[-1] == "合计" and set(header[1:-1]) == {"惠侨工程", "强基工程"}
    body = {r[0]: dict(zip(header[1:], r[1:], strict=True)) for r in rows[4:]}
    assert body["2021"] == {"惠侨工程": 2, "强基工程": 1, "合计": 3}
    assert body["2022"]["合计"] == 3
    people = read_xlsx(client.get(reverse("activities:stats"), {"export": "people-by-year"}).content)
    assert people[2] == ["年份", "登记参与人数", "现场及线上覆盖人次"]
    assert people[3:] == [["2021", 3, 360], ["2022", 1, 5]]
