"""The dashboard on the Jinshan demo (built once for the module): figures equal the indicators,
clicked points open lists of that many records, the query count does not grow with the data, and
the demo's work plans (qiaolian/demo/plans.py) give the progress panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qiaolian.demo.plans import FIFTH_TITLE, SIXTH_TITLE
from qiaolian.reports.indicators import indicator_value
from qiaolian.reports.models import PlanTarget, WorkPlan
from qiaolian.reports.tests.conftest import DASHBOARD_QUERIES, demo_federation

pytestmark = pytest.mark.django_db

P5 = {"from": "2018-01-01", "to": "2022-12-31"}


def test_demo_dashboard_matches_the_indicators_and_drills_down(client, admin, django_assert_max_num_queries):
    client.force_login(admin)
    client.get(reverse("reports:dashboard"), P5)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("reports:dashboard"), P5)
    assert response.status_code == 200
    district = demo_federation("district")
    start, end = dt.date(2018, 1, 1), dt.date(2022, 12, 31)
    for h in response.context["data"].headlines:
        code = h.url.split("/")[-2]
        assert h.value == indicator_value(code=code, user=admin, start=start, end=end, federation=district).value
    specs = response.context["specs"]
    assert len(specs["persons"]["categories"]) >= 8  # the towns of the district
    assert [s for s in specs["activities"]["series"] if sum(s["values"])]
    checked = 0
    for key, spec in specs.items():
        points = [(v, u) for s in spec["series"] for v, u in zip(s["values"], s["urls"], strict=True) if u and v][:2]
        for value, url in points:
            result = client.get(url).context["result"]
            assert float(result.value) == float(value), (key, url)
            checked += 1
    assert checked >= 12


def test_demo_plans_and_the_progress_panel(client, admin):
    """The demo's last step (qiaolian/demo/plans.py) records the two terms' plans."""
    fifth = WorkPlan.objects.get(title=FIFTH_TITLE)
    sixth = WorkPlan.objects.get(title=SIXTH_TITLE)
    assert (fifth.start_year, fifth.end_year, sixth.start_year, sixth.end_year) == (2018, 2022, 2023, 2027)
    assert "“根”“魂”“梦”" in sixth.summary
    assert PlanTarget.objects.filter(plan=fifth).values("indicator").distinct().count() >= 8
    assert set(PlanTarget.objects.filter(plan=sixth).values_list("year", flat=True)) == set(range(2023, 2028))
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard_progress"), P5)
    progress = response.context["progress"]
    assert progress.plan == fifth and progress.year == 2022
    percents = [row.percent for row in progress.rows]
    assert len(percents) >= 8
    assert all(70 <= p <= 125 for p in percents), percents  # targets close to what was achieved
    for row in progress.rows[:3]:
        actual = indicator_value(
            code=row.code,
            user=admin,
            start=dt.date(2022, 1, 1),
            end=dt.date(2022, 12, 31),
            federation=demo_federation("district"),
        ).value
        assert row.actual == actual
    detail = client.get(fifth.get_absolute_url())
    assert detail.status_code == 200 and detail.context["rows"]
