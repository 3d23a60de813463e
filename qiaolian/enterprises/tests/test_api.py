"""The enterprises API: same forms, services and jurisdiction as the pages; phones masked."""

import datetime as dt

import pytest

from qiaolian.accounts.services import api_token_create
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.enterprises import cases, services
from qiaolian.enterprises.models import Enterprise, Visit
from qiaolian.enterprises.tests.factories import appeal, make_enterprise, make_lead, make_visit

pytestmark = pytest.mark.django_db


def auth(user) -> dict:
    _token, plain = api_token_create(actor=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_create_refuses_a_wrong_check_digit_naming_the_field(client, jinshan):
    headers = auth(jinshan.user("zhujing"))
    body = {
        "federation": jinshan.zhujing.pk,
        "name": "朱泾侨资纺织有限公司",
        "credit_code": "91310116MA1JA0AA76",
        "investor_type": "overseas",
        "industry": "light",
    }
    response = client.post("/api/v1/enterprises", body, content_type="application/json", **headers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["field"] == "credit_code" and "校验位错误" in detail[0]["message"]
    body["credit_code"] = "91310116MA1JA0AA75"
    body["contact_phone"] = "021-57321234"
    created = client.post("/api/v1/enterprises", body, content_type="application/json", **headers)
    assert created.status_code == 201
    data = created.json()
    assert data["credit_code"] == "91310116MA1JA0AA75"
    assert data["contact_phone_masked"] == "021****1234" and "57321234" not in created.content.decode()


def test_patch_changes_only_what_is_sent(client, jinshan):
    enterprise = make_enterprise(jinshan, user="zhujing", employees=20)
    headers = auth(jinshan.user("zhujing"))
    response = client.patch(
        f"/api/v1/enterprises/{enterprise.pk}", {"employees": 35}, content_type="application/json", **headers
    )
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.employees == 35 and enterprise.contact_phone.reveal() == "+8613812345678"


def test_reveal_through_the_api_is_audited(client, jinshan):
    enterprise = make_enterprise(jinshan)
    response = client.post(
        f"/api/v1/enterprises/{enterprise.pk}/reveal",
        {"field": "contact_phone"},
        content_type="application/json",
        **auth(jinshan.user("staff")),
    )
    assert response.json() == {"field": "contact_phone", "value": "138 1234 5678"}
    assert AuditEntry.objects.filter(action=Action.REVEAL, target_id=str(enterprise.pk)).count() == 1
    refused = client.post(
        f"/api/v1/enterprises/{enterprise.pk}/reveal",
        {"field": "contact_phone"},
        content_type="application/json",
        **auth(jinshan.user("leader")),
    )
    assert refused.status_code == 403


def test_visit_with_appeals_through_the_api(client, jinshan):
    enterprise = make_enterprise(jinshan, user="zhujing")
    zhujing = jinshan.user("zhujing")
    headers = auth(zhujing)
    body = {
        "visited_on": "2022-05-20",
        "visitors": [zhujing.pk],
        "notes": "走访了解复工复产情况",
        "appeals": [{"topic": "finance", "title": "纾困贷款", "description": "申请中小企业纾困贷款贴息"}],
    }
    bad = client.post(
        f"/api/v1/enterprises/{enterprise.pk}/visits",
        {**body, "appeals": [{"topic": "nope", "title": "x", "description": "y"}]},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and Visit.objects.count() == 0
    response = client.post(
        f"/api/v1/enterprises/{enterprise.pk}/visits", body, content_type="application/json", **headers
    )
    assert response.status_code == 201
    data = response.json()
    assert data["visitors"] == [{"id": zhujing.pk, "name": str(zhujing)}]
    assert data["appeals"][0]["title"] == "纾困贷款"
    if cases.case_open_function() is not None:
        assert data["appeals"][0]["case_number"].startswith("SQ2022-")
        assert data["appeals"][0]["case_state"]["code"] == "received"
    listing = client.get(f"/api/v1/enterprises/{enterprise.pk}/visits", **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["appeals"][0]["topic"]["code"] == "finance"


def test_lists_are_limited_to_the_jurisdiction(client, jinshan):
    own = make_enterprise(jinshan, user="zhujing")
    foreign = make_enterprise(jinshan, user="shihua")
    make_visit(jinshan, own, user="zhujing")
    make_visit(jinshan, foreign, user="shihua", appeals=[appeal()])
    services.exhibition_add(actor=jinshan.user("shihua"), enterprise=foreign, data={"year": 2019})
    make_lead(jinshan, user="shihua")
    headers = auth(jinshan.user("zhujing"))
    visits = client.get("/api/v1/enterprise-visits", **headers).json()
    assert [v["enterprise_id"] for v in visits["items"]] == [own.pk]
    assert client.get("/api/v1/enterprise-exhibitions", **headers).json()["count"] == 0
    assert client.get("/api/v1/investment-leads", **headers).json()["count"] == 0
    stats = client.get("/api/v1/enterprises/stats", **headers).json()
    assert [(r["year"], r["visits"], r["appeals"]) for r in stats] == [(2021, 1, 0)]
    assert client.get(f"/api/v1/enterprises/{foreign.pk}/visits", **headers).status_code == 404


def test_filters_and_lead_detail(client, jinshan):
    staff = jinshan.user("staff")
    a = make_enterprise(jinshan, name="甲", investor_country="US")
    make_enterprise(jinshan, name="乙", investor_country="JP")
    services.exhibition_add(actor=staff, enterprise=a, data={"year": 2022})
    headers = auth(staff)
    by_country = client.get("/api/v1/enterprises", {"country": "us"}, **headers).json()
    assert [i["name"] for i in by_country["items"]] == ["甲"]
    by_year = client.get("/api/v1/enterprises", {"ciie_year": 2022}, **headers).json()
    assert [i["name"] for i in by_year["items"]] == ["甲"]
    lead = make_lead(jinshan)
    services.lead_advance(actor=staff, lead=lead, to_stage="negotiating", on=dt.date(2019, 5, 5))
    detail = client.get(f"/api/v1/investment-leads/{lead.pk}", **headers).json()
    assert detail["stage"]["code"] == "negotiating" and [e["to_stage"] for e in detail["events"]] == [
        "contact",
        "negotiating",
    ]
    assert Enterprise.objects.count() == 2
