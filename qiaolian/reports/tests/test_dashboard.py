"""The dashboard: its figures are the indicators' values, a town sees only its own records, every
clicked point opens a record list with exactly that many records, each chart exports, the plan
progress panel, and the number of queries stays bounded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from qiaolian.activities import services as activity_services
from qiaolian.casework.tests.factories import open_case
from qiaolian.registry.tests.factories import OverseasTieFactory, PersonFactory
from qiaolian.reports import dashboard as dash
from qiaolian.reports import services
from qiaolian.reports.indicators import indicator_value
from qiaolian.reports.tests.conftest import DASHBOARD_QUERIES
from qiaolian.reports.tests.factories import activity as _activity

pytestmark = pytest.mark.django_db

P2021 = {"from": "2021-01-01", "to": "2021-12-31"}
P5 = {"from": "2018-01-01", "to": "2022-12-31"}


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def towns(jinshan):
    """Records in 朱泾 (and its village) and in 石化: persons, ties, activities, cases."""
    js = jinshan
    zj = [
        PersonFactory(federation=js.zhujing, name="朱泾甲", category="returnee"),
        PersonFactory(federation=js.zhujing_village, name="朱泾乙", category="relative"),
        PersonFactory(federation=js.zhujing_village, name="朱泾丙", category="relative"),
    ]
    sh = [PersonFactory(federation=js.shihua, name=f"石化{n}", category="relative") for n in range(4)]
    OverseasTieFactory(person=zj[0], country="US")
    OverseasTieFactory(person=zj[1], country="JP")
    OverseasTieFactory(person=sh[0], country="AU")
    OverseasTieFactory(person=sh[1], country="AU")
    acts = [
        _activity(js, js.zhujing, "朱泾侨法宣传", _at(2021, 3, 15, 9), project="huiqiao"),
        _activity(js, js.zhujing_village, "待泾村联谊", _at(2021, 3, 20, 9), project="ningxin"),
        _activity(js, js.shihua, "石化侨法宣传", _at(2021, 5, 16, 9), project="huiqiao"),
        _activity(js, js.shihua, "石化座谈", _at(2020, 5, 16, 9), project="juli"),
    ]
    for person in zj[:2]:
        activity_services.registration_add(actor=js.user("admin"), activity=acts[0], person=person)
    open_case(js, user="zhujing", received_on=dt.date(2021, 4, 1))
    open_case(js, user="shihua", received_on=dt.date(2021, 6, 1), type="consultation")
    return {"zj": zj, "sh": sh, "acts": acts}


def _ctx(response):
    return response.context


def _points(spec: dict):
    """(series name, category, value, url) for every point that links somewhere."""
    for series in spec["series"]:
        for category, value, url in zip(spec["categories"], series["values"], series["urls"], strict=True):
            if url:
                yield series["name"], category, value, url


def test_dashboard_figures_are_the_indicator_values(client, jinshan, towns):
    admin = jinshan.user("admin")
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard"), P2021)
    assert response.status_code == 200
    ctx = _ctx(response)
    assert ctx["federation"] == jinshan.district
    start, end = dt.date(2021, 1, 1), dt.date(2021, 12, 31)

    def value(code, federation=None):
        return indicator_value(code=code, user=admin, start=start, end=end, federation=federation)

    headlines = {str(h.label): h for h in ctx["data"].headlines}
    assert headlines["侨情人员"].value == value("persons.by_category").value == 7
    assert headlines["海外亲属"].value == value("persons.overseas_relatives").value == 4
    assert headlines["开展活动"].value == value("activities.by_project").value == 3
    assert headlines["活动参与人数"].value == value("activities.participants").value == 2
    assert headlines["受理案件"].value == value("casework.by_state").value == 2
    assert headlines["受理案件"].url == value("casework.by_state").records_url
    # persons: one bar per town, one segment per category, equal to the town's own breakdown
    spec = ctx["specs"]["persons"]
    assert spec["categories"] == ["朱泾镇", "石化街道"]
    by_series = {s["name"]: s["values"] for s in spec["series"]}
    assert by_series == {"归侨": [1, 0], "侨眷": [2, 4]}
    zj = value("persons.by_category", jinshan.zhujing).breakdown
    assert zj == {"returnee": 1, "relative": 2}
    # activities by month and project, the total equals the indicator
    spec = ctx["specs"]["activities"]
    assert len(spec["categories"]) == 12 and spec["categories"][2] == "2021-03"
    assert sum(sum(s["values"]) for s in spec["series"]) == value("activities.by_project").value
    march = {s["name"]: s["values"][2] for s in spec["series"]}
    assert march == {"惠侨工程": 1, "凝心工程": 1} | {k: 0 for k in march if k not in ("惠侨工程", "凝心工程")}
    # the world map: countries and their counts
    spec = ctx["specs"]["relatives"]
    assert dict(zip(spec["codes"], spec["series"][0]["values"], strict=True)) == {"AU": 2, "US": 1, "JP": 1}
    # cases by state and the contest chart at the district
    assert sum(ctx["specs"]["cases"]["series"][0]["values"]) == 2
    assert "contests" in ctx["specs"]


def test_town_dashboard_never_includes_another_towns_records(client, jinshan, towns):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("reports:dashboard"), P2021)
    assert response.status_code == 200
    ctx = _ctx(response)
    assert ctx["federation"] == jinshan.zhujing  # a town user lands on its own
    specs = ctx["specs"]
    assert "contests" not in specs  # the contest is the district's
    assert specs["persons"]["categories"] == ["待泾村", "本级"]
    assert sum(sum(s["values"]) for s in specs["persons"]["series"]) == 3
    assert set(specs["relatives"]["codes"]) == {"US", "JP"}  # not 石化's Australia
    assert sum(sum(s["values"]) for s in specs["activities"]["series"]) == 2
    assert sum(specs["cases"]["series"][0]["values"]) == 1
    body = response.content.decode()
    assert "石化" not in body
    # another town, by picker or by export path, does not exist for this user
    assert client.get(reverse("reports:dashboard"), {**P2021, "federation": jinshan.shihua.pk}).status_code == 404
    assert client.get(reverse("reports:dashboard"), {**P2021, "federation": jinshan.district.pk}).status_code == 404
    export = reverse("reports:dashboard_export", args=[jinshan.shihua.pk, "persons"])
    assert client.get(export, P2021).status_code == 404
    own_contests = reverse("reports:dashboard_export", args=[jinshan.zhujing.pk, "contests"])
    assert client.get(own_contests, P2021).status_code == 404
    # the district may open the town's dashboard; it then shows that town only
    client.force_login(jinshan.user("admin"))
    response = client.get(reverse("reports:dashboard"), {**P2021, "federation": jinshan.shihua.pk})
    assert response.status_code == 200
    assert set(response.context["specs"]["relatives"]["codes"]) == {"AU"}
    assert "contests" not in response.context["specs"]


@pytest.mark.parametrize("period", [P2021, P5])
def test_every_clicked_point_opens_a_list_with_exactly_that_many_records(client, jinshan, towns, period):
    client.force_login(jinshan.user("admin"))
    response = client.get(reverse("reports:dashboard"), period)
    followed = 0
    for key, spec in response.context["specs"].items():
        for name, category, value, url in _points(spec):
            page = client.get(url)
            assert page.status_code == 200, (key, url)
            result = page.context["result"]
            assert float(result.value) == float(value), (key, name, category, url)
            if result.indicator.measure in ("count", "distinct"):
                assert len(page.context["rows"]) == value, (key, url)
            followed += 1
    assert followed >= 8
    # a town's bar opens that town's page, narrowed to the category
    persons = response.context["specs"]["persons"]
    relatives = next(s for s in persons["series"] if s["name"] == "侨眷")
    url = next(u for u in relatives["urls"] if u and f"/{jinshan.shihua.pk}/" in u)
    rows = client.get(url).context["rows"]
    assert len(rows) == 4


def test_each_chart_exports_its_figures_as_xlsx(client, jinshan, towns):
    client.force_login(jinshan.user("admin"))
    response = client.get(reverse("reports:dashboard"), P2021)
    exports = response.context["exports"]
    assert set(exports) == set(response.context["specs"])
    for key, url in exports.items():
        got = client.get(url)
        assert got.status_code == 200, key
        assert got["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert cells, key
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(exports["persons"]).content)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0] in ("朱泾镇", "石化街道")}
    assert rows["石化街道"][:2] == (0, 4) and rows["朱泾镇"][:2] == (1, 2)
    assert client.get(reverse("reports:dashboard_export", args=[jinshan.district.pk, "nope"]), P2021).status_code == 404


def test_the_dashboard_runs_a_bounded_number_of_queries(client, jinshan, towns, django_assert_max_num_queries):
    client.force_login(jinshan.user("admin"))
    client.get(reverse("reports:dashboard"), P5)  # warm up (sessions, content types)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("reports:dashboard"), P5)
    assert response.status_code == 200
    # more towns and records do not add queries: no loop over towns or months
    for n in range(6):
        PersonFactory(federation=jinshan.shihua, category="returnee")
        _activity(jinshan, jinshan.shihua, f"活动{n}", _at(2019, n + 1, 3, 9))
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("reports:dashboard"), P5)


def test_plan_progress_panel_sets_targets_against_actual_values(client, jinshan, towns):
    admin = jinshan.user("admin")
    plan = services.plan_create(
        actor=admin,
        data={"federation": jinshan.district, "title": "金山区侨联五年规划", "start_year": 2018, "end_year": 2022},
    )
    services.plan_targets_save(
        actor=admin,
        plan=plan,
        targets={("activities.by_project", 2021): Decimal(4), ("persons.by_category", 2021): Decimal(5)},
    )
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard_progress"), P2021)
    assert response.status_code == 200
    progress = response.context["progress"]
    assert progress.plan == plan and progress.year == 2021
    rows = {r.code: r for r in progress.rows}
    assert rows["activities.by_project"].actual == 3 and rows["activities.by_project"].percent == 75
    assert rows["persons.by_category"].actual == 7 and rows["persons.by_category"].bar == 100
    body = response.content.decode()
    assert "75%" in body and "140%" in body and plan.get_absolute_url() in body
    # the page links to the panel with the same period; a year without a plan says so
    page = client.get(reverse("reports:dashboard"), P2021).content.decode()
    assert reverse("reports:dashboard_progress") in page
    none = client.get(reverse("reports:dashboard_progress"), {"from": "2024-01-01", "to": "2024-12-31"})
    assert none.context["progress"] is None and "没有覆盖2024年的工作规划" in none.content.decode()
    # a town user does not see the district's plan
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("reports:dashboard_progress"), P2021).context["progress"] is None


def test_plan_table_actuals_come_from_the_indicators(jinshan, towns):
    admin = jinshan.user("admin")
    plan = services.plan_create(
        actor=admin, data={"federation": jinshan.zhujing, "title": "朱泾规划", "start_year": 2020, "end_year": 2022}
    )
    services.plan_targets_save(
        actor=admin, plan=plan, targets={("activities.by_project", y): Decimal(2) for y in (2020, 2021, 2022)}
    )
    rows = dash.plan_table(user=admin, plan=plan, today=dt.date(2022, 6, 1))
    cells = {c["year"]: c for c in rows[0].cells}
    for year in (2020, 2021, 2022):
        expected = indicator_value(
            code="activities.by_project",
            user=admin,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            federation=jinshan.zhujing,
        ).value
        assert cells[year]["actual"] == expected
    assert cells[2021]["actual"] == 2 and cells[2021]["percent"] == 100
