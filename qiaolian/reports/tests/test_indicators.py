"""Indicators: jurisdiction, period limits, the value is the number of records it lists, the
pages and the API, and no unmasked personal data in the record list or its export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from qiaolian.accounts.services import api_token_create
from qiaolian.activities import services as activity_services
from qiaolian.activities.models import Registration
from qiaolian.core.projects import Project
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.reports.indicators import BY_CODE, CATALOGUE, NotApplicable, indicator_value
from qiaolian.reports.tests.factories import activity as _activity

pytestmark = pytest.mark.django_db

Y2021 = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
Y2022 = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _value(js, role, code, period=Y2021, federation=None):
    return indicator_value(code=code, user=js.user(role), start=period[0], end=period[1], federation=federation)


@pytest.fixture
def towns(jinshan):
    """Persons and activities in 朱泾 (two persons, one in its village) and 石化 (three)."""
    js = jinshan
    zj = [
        PersonFactory(federation=js.zhujing, name="朱泾甲", phone="+8613800000001"),
        PersonFactory(federation=js.zhujing_village, name="朱泾乙"),
    ]
    sh = [PersonFactory(federation=js.shihua, name=f"石化{n}") for n in range(3)]
    zj_act = _activity(js, js.zhujing, "朱泾侨法宣传", _at(2021, 3, 15, 9))
    sh_act = _activity(js, js.shihua, "石化侨法宣传", _at(2021, 3, 16, 9))
    for person in zj:
        activity_services.registration_add(actor=js.user("admin"), activity=zj_act, person=person)
    for person in sh:
        activity_services.registration_add(actor=js.user("admin"), activity=sh_act, person=person)
    return {"zj": zj, "sh": sh, "zj_act": zj_act, "sh_act": sh_act}


def test_catalogue_defines_each_indicator_once_with_names_units_and_a_project():
    assert len({i.code for i in CATALOGUE}) == len(CATALOGUE)
    for indicator in CATALOGUE:
        assert str(indicator.name) and indicator.name_en and str(indicator.unit), indicator.code
        assert indicator.project in Project.values, indicator.code
        assert indicator.measure in ("count", "distinct", "sum", "avg"), indicator.code
        assert indicator.levels and set(indicator.levels) <= {"district", "town"}, indicator.code
        assert indicator.definition, indicator.code
    assert {i.project for i in CATALOGUE} == set(Project.values)


def test_town_user_values_never_include_another_towns_records(jinshan, towns):
    persons = _value(jinshan, "zhujing", "persons.by_category")
    assert persons.value == 2
    assert set(persons.ids) == {p.pk for p in towns["zj"]}
    activities = _value(jinshan, "zhujing", "activities.by_project")
    assert activities.ids == [towns["zj_act"].pk]
    participants = _value(jinshan, "zhujing", "activities.participants")
    assert participants.value == 2
    assert not set(participants.ids) & set(
        Registration.objects.filter(activity=towns["sh_act"]).values_list("pk", flat=True)
    )
    # the district sees both towns, and each town on its own
    assert _value(jinshan, "admin", "persons.by_category").value == 5
    assert _value(jinshan, "admin", "persons.by_category", federation=jinshan.shihua).value == 3
    assert _value(jinshan, "admin", "activities.participants", federation=jinshan.zhujing).value == 2


def test_a_federation_outside_the_users_jurisdiction_is_not_found(jinshan, towns):
    with pytest.raises(Http404):
        _value(jinshan, "zhujing", "persons.by_category", federation=jinshan.shihua)
    with pytest.raises(Http404):
        _value(jinshan, "zhujing", "persons.by_category", federation=jinshan.district)
    with pytest.raises(Http404):
        _value(jinshan, "admin", "no.such_indicator")
    with pytest.raises(NotApplicable):
        _value(jinshan, "admin", "contests.entries", federation=jinshan.zhujing)


def test_period_limits_use_the_records_own_date_in_beijing_time(jinshan):
    js = jinshan
    late = _activity(js, js.zhujing, "年末", _at(2021, 12, 31, 23, 30))
    early = _activity(js, js.zhujing, "年初", _at(2022, 1, 1, 0, 10))
    assert _value(js, "admin", "activities.by_kind", Y2021).ids == [late.pk]
    assert _value(js, "admin", "activities.by_kind", Y2022).ids == [early.pk]
    both = _value(js, "admin", "activities.by_kind", (dt.date(2021, 12, 31), dt.date(2022, 1, 1)))
    assert sorted(both.ids) == sorted([late.pk, early.pk])
    assert _value(js, "admin", "activities.by_kind", (dt.date(2020, 1, 1), dt.date(2021, 12, 30))).value == 0
    activity_services.activity_transition(actor=js.user("admin"), activity=late, to="cancelled")
    assert _value(js, "admin", "activities.by_kind", Y2021).value == 0  # cancelled ones do not count


def test_value_equals_the_number_of_records_listed(jinshan, towns):
    js = jinshan
    # the same person at a second activity: one more registration, no more participants
    again = _activity(js, js.zhujing, "朱泾座谈", _at(2021, 5, 1, 9), kind="training")
    activity_services.registration_add(actor=js.user("admin"), activity=again, person=towns["zj"][0])
    for code in ("persons.by_category", "activities.by_project", "activities.registrations"):
        result = _value(js, "admin", code)
        assert result.value == len(result.ids), code
    assert _value(js, "admin", "activities.registrations").value == 6
    participants = _value(js, "admin", "activities.participants")
    assert participants.value == len(participants.ids) == 5
    assert participants.breakdown == {"huiqiao": 5}
    trainees = _value(js, "admin", "activities.trainees")
    assert trainees.value == 1 and trainees.breakdown == {"participant": 1}
    for indicator in CATALOGUE:
        if indicator.measure in ("count", "distinct") and indicator.applies_to(js.district):
            result = _value(js, "admin", indicator.code)
            assert result.value == len(result.ids), indicator.code
            assert sum(result.breakdown.values()) >= result.value if result.breakdown else True


def test_catalogue_page_shows_each_value_with_its_link_and_the_town_picker_offers_only_its_own(client, jinshan, towns):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("reports:indicator_list"), {"preset": "this_year"})
    assert response.status_code == 200
    page = response.content.decode()
    for project in Project:
        assert str(project.label) in page
    assert reverse("reports:indicator_detail", args=[jinshan.zhujing.pk, "persons.by_category"]) in page
    choices = [value for value, _label in response.context["form"].fields["federation"].choices]
    assert choices == [jinshan.zhujing.pk]
    assert response.context["federation"] == jinshan.zhujing
    # the persons row shows 2 for 朱泾 whatever the period (a stock)
    rows = {r["indicator"].code: r["value"] for g in response.context["groups"] for r in g["rows"]}
    assert rows["persons.by_category"].value == 2
    assert rows["contests.entries"] is None  # not kept below the district
    foreign = client.get(reverse("reports:indicator_list"), {"federation": jinshan.shihua.pk})
    assert foreign.status_code == 404


def test_why_this_number_lists_the_records_with_links_and_the_breakdown(client, jinshan, towns):
    client.force_login(jinshan.user("zhujing"))
    url = reverse("reports:indicator_detail", args=[jinshan.zhujing.pk, "activities.participants"])
    response = client.get(url, {"from": "2021-01-01", "to": "2021-12-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "朱泾甲" in page and "朱泾乙" in page and "石化0" not in page
    assert response.context["result"].value == 2
    assert [row.pk for row in response.context["rows"]] == sorted(response.context["result"].ids)
    assert (
        client.get(reverse("reports:indicator_detail", args=[jinshan.shihua.pk, "persons.by_category"])).status_code
        == 404
    )
    missing = reverse("reports:indicator_detail", args=[jinshan.zhujing.pk, "no.such"])
    assert client.get(missing).status_code == 404
    client.force_login(jinshan.user("admin"))
    persons = client.get(reverse("reports:indicator_detail", args=[jinshan.district.pk, "persons.by_category"]))
    assert towns["zj"][0].get_absolute_url() in persons.content.decode()


def test_record_export_is_xlsx_with_masked_data_only(client, jinshan, towns):
    person = towns["zj"][0]
    client.force_login(jinshan.user("admin"))
    url = reverse("reports:indicator_export", args=[jinshan.zhujing.pk, "persons.by_category"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "朱泾甲" in cells and "朱泾乙" in cells and not any("石化" in c for c in cells)
    text = " ".join(cells)
    for secret in (person.phone.reveal(), person.id_number.reveal(), "13800000001"):
        assert secret not in text


def test_leader_sees_figures_and_records_without_person_names(client, jinshan, towns):
    client.force_login(jinshan.user("leader"))
    url = reverse("reports:indicator_detail", args=[jinshan.district.pk, "persons.by_category"])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["result"].value == 5
    assert "朱泾甲" not in page and f"#{towns['zj'][0].pk}" in page
    export = client.get(reverse("reports:indicator_export", args=[jinshan.district.pk, "persons.by_category"]))
    assert "朱泾甲".encode() not in export.content
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert not any(c.value and "朱泾甲" in str(c.value) for row in book.active.iter_rows() for c in row)
    # records without persons keep their titles
    activities = client.get(
        reverse("reports:indicator_detail", args=[jinshan.district.pk, "activities.by_kind"]),
        {"from": "2021-01-01", "to": "2021-12-31"},
    )
    assert "朱泾侨法宣传" in activities.content.decode()


def test_roles_without_the_permission_are_refused(client, jinshan):
    for role in ("station", "judge", "cppcc", "auditor", "public"):
        client.force_login(jinshan.user(role))
        assert client.get(reverse("reports:indicator_list")).status_code == 403, role


def test_api_catalogue_and_value_with_ids(client, jinshan, towns):
    _token, plain = api_token_create(actor=None, user=jinshan.user("zhujing"), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    catalogue = client.get("/api/v1/indicators", **auth).json()
    assert {i["code"] for i in catalogue} == set(BY_CODE)
    first = next(i for i in catalogue if i["code"] == "persons.by_category")
    assert (
        first["unit"] == "人" and first["name_en"] == "Persons by category" and first["levels"] == ["district", "town"]
    )
    body = client.get(
        "/api/v1/indicators/activities.participants", {"from": "2021-01-01", "to": "2021-12-31"}, **auth
    ).json()
    assert body["value"] == 2 and body["unit"] == "人"
    assert body["period"] == {"from": "2021-01-01", "to": "2021-12-31"}
    assert body["federation"]["id"] == jinshan.zhujing.pk
    assert sorted(body["ids"]) == sorted(
        Registration.objects.filter(activity=towns["zj_act"]).values_list("pk", flat=True)
    )
    assert body["breakdown"] == [{"key": "huiqiao", "label": "惠侨工程", "value": 2}]
    assert client.get("/api/v1/indicators/no.such", **auth).status_code == 404
    foreign = client.get("/api/v1/indicators/persons.by_category", {"federation": jinshan.shihua.pk}, **auth)
    assert foreign.status_code == 404
    empty = client.get("/api/v1/indicators/activities.participants", {"from": "2020-01-01", "to": "2020-12-31"}, **auth)
    assert empty.json()["value"] == 0 and empty.json()["ids"] == []


def test_grouped_gives_values_by_child_federation_month_and_breakdown_in_one_query(
    jinshan, towns, django_assert_num_queries
):
    js = jinshan
    result = _value(js, "admin", "activities.participants", federation=js.district)
    with django_assert_num_queries(2):  # the federation's children, then the grouped values
        by_town = result.grouped("child", "month", "activity__project")
    assert by_town == {
        (js.zhujing.pk, dt.date(2021, 3, 1), "huiqiao"): 2,
        (js.shihua.pk, dt.date(2021, 3, 1), "huiqiao"): 3,
    }
    # Below a town: the village's person is grouped under the village, the town's own under the town.
    zj = _value(js, "admin", "persons.by_category", federation=js.zhujing).grouped("child")
    assert zj == {(js.zhujing.pk,): 1, (js.zhujing_village.pk,): 1}
    assert _value(js, "admin", "activities.participants", federation=js.district).grouped("year") == {(2021,): 5}


def test_a_breakdown_group_narrows_the_value_and_the_records_and_a_bad_group_is_not_found(client, jinshan, towns):
    js = jinshan
    in_group = indicator_value(
        code="activities.by_kind", user=js.user("admin"), start=Y2021[0], end=Y2021[1], group="law"
    )
    other = indicator_value(
        code="activities.by_kind", user=js.user("admin"), start=Y2021[0], end=Y2021[1], group="training"
    )
    assert (in_group.value, other.value) == (2, 0)
    assert "group=law" in in_group.records_url
    with pytest.raises(Http404):
        indicator_value(code="liaison.camps", user=js.user("admin"), start=Y2021[0], end=Y2021[1], group="x" * 3)
    client.force_login(js.user("admin"))
    page = client.get(in_group.records_url)
    assert page.status_code == 200 and "朱泾侨法宣传" in page.content.decode()
    assert client.get(in_group.records_url.replace("group=law", "group=training")).context["page"].total == 0
    bad = reverse("reports:indicator_detail", args=[js.district.pk, "contests.entries"]) + "?group=abc"
    assert client.get(bad).status_code == 404  # contest__year is a number


def test_own_counts_only_the_records_kept_at_the_federation_itself(client, jinshan, towns):
    js = jinshan
    whole = _value(js, "admin", "persons.by_category", federation=js.zhujing)
    own = indicator_value(
        code="persons.by_category", user=js.user("admin"), start=Y2021[0], end=Y2021[1], federation=js.zhujing, own=True
    )
    assert (whole.value, own.value) == (2, 1)
    assert list(own.records.values_list("name", flat=True)) == ["朱泾甲"]
    client.force_login(js.user("admin"))
    page = client.get(own.records_url)
    assert "own=1" in own.records_url and page.context["page"].total == 1 and "本级" in page.content.decode()
