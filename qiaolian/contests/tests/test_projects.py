"""The entrepreneurship competition's projects: form rules, duplicates, jurisdiction, the list's
summary and export, the API."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.accounts.services import api_token_create
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.contests import selectors_projects, services_projects
from qiaolian.contests.forms_projects import ProjectForm
from qiaolian.contests.models import CompetitionProject, SourceRegion
from qiaolian.orgs.selectors import federation_choices

pytestmark = pytest.mark.django_db


def _data(federation, **extra) -> dict:
    return {
        "federation": federation,
        "year": 2021,
        "name": "跨境医疗影像云",
        "source_region": "overseas",
        "country": "US",
        "field": "bio",
        "stage": "startup",
        "referral_channel": "association",
        "outcome": "registered",
        "leader_name": "陈思远",
        "leader_phone": "+8613812345678",
        **extra,
    }


def _project(js, federation, **extra) -> CompetitionProject:
    return services_projects.project_create(actor=js.user("admin"), data=_data(federation, **extra))


def _form(js, user_key="admin", instance=None, **values) -> ProjectForm:
    user = js.user(user_key)
    data = {**_data(js.zhujing), "federation": js.zhujing.pk, "leader_phone": "13812345678", **values}
    return ProjectForm(data=data, instance=instance, federations=federation_choices(user=user))


# Form rules --------------------------------------------------------------------------------------


def test_overseas_project_without_country_is_refused(jinshan):
    form = _form(jinshan, country="")
    assert not form.is_valid()
    assert "海外项目请填写来源国家" in form.errors["country"][0]


@pytest.mark.parametrize("code", ["CN", "HK", "MO", "TW"])
def test_overseas_project_cannot_name_china_or_its_regions_as_country(jinshan, code):
    form = _form(jinshan, country=code)
    assert not form.is_valid()
    assert "不能是中国内地、香港、澳门或台湾" in form.errors["country"][0]


@pytest.mark.parametrize("region", ["hong_kong", "macao", "taiwan", "mainland"])
def test_hk_macao_taiwan_and_mainland_projects_carry_no_foreign_country(jinshan, region):
    form = _form(jinshan, source_region=region, country="US")
    assert not form.is_valid()
    assert "不应填写外国国家" in form.errors["country"][0]
    assert _form(jinshan, source_region=region, country="").is_valid()


def test_year_must_lie_between_2000_and_next_year(jinshan):
    assert "year" in _form(jinshan, year=1999).errors
    assert "year" in _form(jinshan, year=dt.date.today().year + 2).errors
    assert _form(jinshan, year=dt.date.today().year + 1).is_valid()


def test_form_stores_the_phone_in_international_form(jinshan):
    form = _form(jinshan)
    assert form.is_valid(), form.errors
    assert form.project_data()["leader_phone"] == "+8613812345678"


def test_service_applies_the_same_rules_as_the_form(jinshan):
    with pytest.raises(ValidationError) as info:
        _project(jinshan, jinshan.zhujing, country="")
    assert "country" in info.value.message_dict
    assert not CompetitionProject.objects.exists()


# Duplicates --------------------------------------------------------------------------------------


def test_same_year_name_and_leader_is_refused_with_a_clear_message(jinshan):
    _project(jinshan, jinshan.zhujing)
    form = _form(jinshan, name=" 跨境医疗影像云 ")
    assert not form.is_valid()
    assert form.errors["name"] == ["2021 年已有项目“跨境医疗影像云”（负责人 陈思远），请勿重复录入。"]
    with pytest.raises(ValidationError) as info:
        _project(jinshan, jinshan.shihua)
    assert "请勿重复录入" in info.value.message_dict["name"][0]
    assert CompetitionProject.objects.count() == 1


def test_same_project_in_another_year_or_with_another_leader_is_accepted(jinshan):
    first = _project(jinshan, jinshan.zhujing)
    assert _form(jinshan, year=2022).is_valid()
    assert _form(jinshan, leader_name="林晓").is_valid()
    assert _form(jinshan, instance=first).is_valid()  # editing the project itself


# Pages and jurisdiction -------------------------------------------------------------------------


def test_town_user_sees_only_its_own_projects(client, jinshan):
    own = _project(jinshan, jinshan.zhujing, name="朱泾项目")
    other = _project(jinshan, jinshan.shihua, name="石化项目")
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("contests:project_list")).content.decode()
    assert "朱泾项目" in body and "石化项目" not in body
    assert client.get(reverse("contests:project_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("contests:project_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("contests:project_edit", args=[other.pk])).status_code == 404
    response = client.post(reverse("contests:project_edit", args=[other.pk]), {"name": "x"})
    assert response.status_code == 404
    assert [p.pk for p in selectors_projects.project_list(user=jinshan.user("zhujing"))] == [own.pk]


def test_leader_reads_but_cannot_record(client, jinshan):
    project = _project(jinshan, jinshan.zhujing)
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("contests:project_detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("contests:project_create")).status_code == 403
    assert client.get(reverse("registry:import_list") + "?kind=projects").status_code == 403


def _post_data(**values) -> dict:
    data = {
        "federation": "",
        "year": "2022",
        "name": "海洋塑料回收材料",
        "source_region": "overseas",
        "country": "AU",
        "field": "energy",
        "stage": "prototype",
        "referral_channel": "students",
        "outcome": "registered",
        "leader_name": "周子墨",
        "leader_phone": "+61 412 345 678",
        "summary": "",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
        "members-0-name": "周子墨",
        "members-0-role": "创始人",
        "members-0-nationality": "AU",
        "members-0-is_leader": "on",
        "members-1-name": "Emily Clark",
        "members-1-role": "技术",
        "members-1-nationality": "GB",
        "members-2-name": "",
    }
    data.update(values)
    return data


def test_staff_record_a_project_with_its_team_and_the_change_of_outcome_is_audited(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("contests:project_create"),
        _post_data(federation=str(jinshan.zhujing.pk), leader_phone="+61 412 345 678"),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    project = CompetitionProject.objects.get()
    assert project.federation == jinshan.zhujing and project.created_by == jinshan.user("zhujing")
    members = list(project.members.order_by("-is_leader", "id"))
    assert [(m.name, m.nationality.code, m.is_leader) for m in members] == [
        ("周子墨", "AU", True),
        ("Emily Clark", "GB", False),
    ]
    assert project.leader_phone.reveal() == "+61412345678"
    assert AuditEntry.objects.filter(action=Action.CREATE, target_id=str(project.pk)).exists()

    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Emily Clark" in detail and "+61412345678" not in detail

    edit = client.get(reverse("contests:project_edit", args=[project.pk])).content.decode()
    assert "+61412345678" not in edit and "412345678" not in edit

    data = _post_data(federation=str(jinshan.zhujing.pk), outcome="awarded", leader_phone="")
    data.update({"members-INITIAL_FORMS": "2", "members-1-DELETE": "on"})
    response = client.post(reverse("contests:project_edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.outcome == "awarded"
    assert project.leader_phone.reveal() == "+61412345678"  # blank phone leaves it unchanged
    assert list(project.members.values_list("name", flat=True)) == ["周子墨"]
    change = AuditEntry.objects.get(action=Action.CHANGE, target_id=str(project.pk))
    assert change.data["changes"]["outcome"] == {"before": "registered", "after": "awarded"}
    assert "members" in change.data["changes"]


def test_form_page_refuses_two_leaders_and_a_duplicate(client, jinshan):
    _project(jinshan, jinshan.zhujing)
    client.force_login(jinshan.user("admin"))
    response = client.post(
        reverse("contests:project_create"),
        _post_data(federation=str(jinshan.zhujing.pk), **{"members-1-is_leader": "on"}),
    )
    assert response.status_code == 200
    assert "团队中只能有一位负责人" in response.content.decode()
    response = client.post(
        reverse("contests:project_create"),
        _post_data(
            federation=str(jinshan.zhujing.pk),
            name="跨境医疗影像云",
            leader_name="陈思远",
            year="2021",
            **{"members-1-name": ""},
        ),
    )
    assert "请勿重复录入" in response.content.decode()
    assert CompetitionProject.objects.count() == 1


def test_list_filters_and_summary_table_show_hk_and_macao_together(client, jinshan):
    _project(jinshan, jinshan.zhujing, name="A")
    _project(jinshan, jinshan.zhujing, name="B", source_region="hong_kong", country="")
    _project(jinshan, jinshan.zhujing, name="C", source_region="macao", country="", year=2020)
    _project(jinshan, jinshan.zhujing, name="D", source_region="taiwan", country="")
    headers, rows = selectors_projects.project_summary(user=jinshan.user("admin"))
    assert headers == ["海外", "香港", "澳门", "台湾", "内地"]
    assert [(r.year, r.cells) for r in rows] == [
        (2021, [1, 1, 0, 1, 0, 1, 3]),
        (2020, [0, 0, 1, 0, 0, 1, 1]),
        (None, [1, 1, 1, 1, 0, 2, 4]),
    ]
    client.force_login(jinshan.user("staff"))
    body = client.get(reverse("contests:project_list"), {"source_region": "hk_macao"}).content.decode()
    assert ">B<" in body and ">C<" in body and ">A<" not in body and ">D<" not in body
    body = client.get(reverse("contests:project_list"), {"country": "US", "year": "2021"}).content.decode()
    assert ">A<" in body and ">B<" not in body
    body = client.get(reverse("contests:project_list"), {"q": "陈思"}).content.decode()
    assert ">A<" in body
    assert "港澳（香港+澳门）" in body


def test_export_is_xlsx_with_chinese_headers_and_the_phone_masked(client, jinshan):
    _project(jinshan, jinshan.zhujing)
    _project(jinshan, jinshan.shihua, name="石化项目")
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("contests:project_export"))
    assert response.status_code == 200
    assert b"13812345678" not in response.content
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("年度", "项目名称", "来源地区", "来源国家")
    assert "负责人电话" in rows[0]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["项目名称"] == "跨境医疗影像云" and row["来源国家"] == "美国" and row["来源地区"] == "海外"
    assert row["负责人电话"] == "138****5678"
    assert AuditEntry.objects.filter(action=Action.EXPORT, data__kind="competition_projects").exists()


# Selectors for reports ---------------------------------------------------------------------------


def test_project_counts_by_year_region_and_country(jinshan):
    _project(jinshan, jinshan.zhujing, name="A")
    _project(jinshan, jinshan.zhujing, name="B", country="GB")
    _project(jinshan, jinshan.shihua, name="C", country="GB", year=2019)
    _project(jinshan, jinshan.shihua, name="D", source_region="hong_kong", country="", year=2019)
    admin, zhujing = jinshan.user("admin"), jinshan.user("zhujing")
    assert selectors_projects.project_counts(user=admin) == {
        2019: {"overseas": 1, "hong_kong": 1},
        2021: {"overseas": 2},
    }
    assert selectors_projects.project_counts(user=admin, year_from=2020) == {2021: {"overseas": 2}}
    assert selectors_projects.project_counts(user=zhujing) == {2021: {"overseas": 2}}
    assert selectors_projects.project_counts_by_country(user=admin) == {2019: {"GB": 1}, 2021: {"GB": 1, "US": 1}}


# API ---------------------------------------------------------------------------------------------


def _auth(js, key: str) -> dict:
    _token, plain = api_token_create(actor=None, user=js.user(key), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_api_lists_projects_in_jurisdiction_with_the_phone_masked(client, jinshan):
    own = _project(jinshan, jinshan.zhujing)
    other = _project(jinshan, jinshan.shihua, name="石化项目")
    auth = _auth(jinshan, "zhujing")
    body = client.get("/api/v1/competition-projects", {"source_region": "overseas", "country": "us"}, **auth).json()
    assert [p["id"] for p in body["items"]] == [own.pk]
    assert body["items"][0]["leader_phone"] == "138****5678"
    assert body["items"][0]["country"] == {"code": "US", "name": "美国"}
    assert "13812345678" not in str(body)
    detail = client.get(f"/api/v1/competition-projects/{own.pk}", **auth)
    assert detail.status_code == 200 and detail.json()["members"] == []
    assert client.get(f"/api/v1/competition-projects/{other.pk}", **auth).status_code == 404


def test_api_stats_equal_the_counts_in_the_database(client, jinshan):
    for i in range(3):
        _project(jinshan, jinshan.zhujing, name=f"海外{i}", year=2018 + i)
    _project(jinshan, jinshan.zhujing, name="港1", source_region="hong_kong", country="", year=2018)
    _project(jinshan, jinshan.shihua, name="澳1", source_region="macao", country="", year=2018)
    body = client.get("/api/v1/competition-projects/stats", **_auth(jinshan, "admin")).json()
    by_year = {row["year"]: row["counts"] for row in body["years"]}
    for year, counts in by_year.items():
        for region in SourceRegion.values:
            assert counts[region] == CompetitionProject.objects.filter(year=year, source_region=region).count()
    assert by_year[2018]["hk_macao"] == 2 and by_year[2018]["total"] == 3
    assert body["total"]["total"] == CompetitionProject.objects.count()
    assert body["total"]["overseas"] == 3
    town = client.get("/api/v1/competition-projects/stats", **_auth(jinshan, "zhujing")).json()
    assert town["total"]["total"] == 4 and town["total"]["macao"] == 0


def test_api_creates_a_project_or_names_the_bad_fields(client, jinshan):
    auth = _auth(jinshan, "zhujing")
    payload = {k: v for k, v in _data(jinshan.zhujing).items() if k != "federation"}
    bad = client.post(
        "/api/v1/competition-projects", {**payload, "country": ""}, content_type="application/json", **auth
    )
    assert bad.status_code == 422
    assert {"field": "country", "message": "海外项目请填写来源国家。"} in bad.json()["detail"]
    payload["members"] = [
        {"name": "陈思远", "nationality": "US", "is_leader": True},
        {"name": "Tom", "nationality": "XX"},
    ]
    bad = client.post("/api/v1/competition-projects", payload, content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "members"
    payload["members"][1]["nationality"] = "CA"
    created = client.post("/api/v1/competition-projects", payload, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["leader_phone"] == "138****5678"
    assert [m["nationality"]["code"] for m in body["members"]] == ["US", "CA"]
    project = CompetitionProject.objects.get(pk=body["id"])
    assert project.federation == jinshan.zhujing
    again = client.post("/api/v1/competition-projects", payload, content_type="application/json", **auth)
    assert again.status_code == 422 and "请勿重复录入" in again.json()["detail"][0]["message"]
    leader = client.post(
        "/api/v1/competition-projects", payload, content_type="application/json", **_auth(jinshan, "leader")
    )
    assert leader.status_code == 403
