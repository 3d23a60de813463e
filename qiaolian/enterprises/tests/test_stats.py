"""The statistics page: the yearly figures of 聚力工程 computed from the records."""

import datetime as dt

import pytest
from django.urls import reverse

from qiaolian.enterprises import selectors, services
from qiaolian.enterprises.tests.factories import appeal, make_enterprise, make_lead, make_visit

pytestmark = pytest.mark.django_db


def test_yearly_overview_counts_visits_appeals_exhibitors_and_leads(jinshan):
    staff = jinshan.user("staff")
    a = make_enterprise(jinshan, federation=jinshan.zhujing)
    b = make_enterprise(jinshan, federation=jinshan.shihua)
    make_visit(jinshan, a, visited_on=dt.date(2020, 4, 1), appeals=[appeal(), appeal("land", "用地", "扩建")])
    make_visit(jinshan, a, visited_on=dt.date(2020, 9, 1))
    make_visit(jinshan, b, visited_on=dt.date(2021, 9, 1))
    services.exhibition_add(actor=staff, enterprise=b, data={"year": 2020})
    make_lead(jinshan, introduced_on=dt.date(2020, 1, 5))
    rows = {r["year"]: r for r in selectors.yearly_overview(user=staff)}
    assert (rows[2020]["visits"], rows[2020]["visited_enterprises"], rows[2020]["appeals"]) == (2, 1, 2)
    assert rows[2020]["ciie_exhibitors"] == 1 and rows[2020]["leads"] == 1
    assert rows[2021]["visits"] == 1
    town = {r["year"]: r for r in selectors.yearly_overview(user=staff, federation_id=jinshan.shihua.pk)}
    assert town[2020]["visits"] == 0 and town[2020]["ciie_exhibitors"] == 1 and town[2021]["visits"] == 1


def test_stats_page_for_leaders_and_towns(client, jinshan):
    a = make_enterprise(jinshan, federation=jinshan.zhujing, investor_type="family")
    make_visit(jinshan, a, visited_on=dt.date(2019, 4, 1), appeals=[appeal()])
    services.exhibition_add(actor=jinshan.user("staff"), enterprise=a, data={"year": 2019})
    client.force_login(jinshan.user("leader"))
    page = client.get(reverse("enterprises:stats")).content.decode()
    assert "2019" in page and "侨属企业" in page and "中国国际进口博览会" in page
    client.force_login(jinshan.user("shihua"))
    page = client.get(reverse("enterprises:stats")).content.decode()
    assert "侨属企业" not in page
    client.force_login(jinshan.user("station"))
    assert client.get(reverse("enterprises:stats")).status_code == 403
