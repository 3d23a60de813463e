import pytest

from qiaolian.accounts.services import api_token_create
from qiaolian.casework.models import Case, CaseEvent
from qiaolian.casework.tests.factories import open_case

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"


def auth(user) -> dict:
    _token, plain = api_token_create(actor=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_open_list_and_detail_with_masked_phone_and_timeline(client, jinshan):
    headers = auth(jinshan.user("zhujing"))
    payload = {
        "type": "consultation",
        "title": "归侨证办理咨询",
        "description": "询问归侨证的申办条件和材料。",
        "channel": "phone",
        "received_on": "2021-09-29",
        "requester_name": "王志强",
        "requester_phone": "13900001234",
        "consultation_topic": "identity",
    }
    response = client.post(f"{PREFIX}/cases", payload, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "ZX2021-0001" and body["due_on"] == "2021-10-12"
    assert body["requester_phone"] == "139****1234" and "13900001234" not in response.content.decode()
    assert [e["to_state"]["code"] for e in body["timeline"]] == ["received"]
    assert {t["to"] for t in body["allowed_transitions"]} == {"assigned", "rejected"}
    listing = client.get(f"{PREFIX}/cases", {"type": "consultation"}, **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["topic"]["label"] == "归侨侨眷身份认定"
    assert client.get(f"{PREFIX}/cases", **auth(jinshan.user("shihua"))).json()["count"] == 0


def test_open_refuses_fields_of_another_type_with_the_field_named(client, jinshan):
    payload = {
        "type": "rights",
        "title": "t",
        "description": "d",
        "channel": "visit",
        "requester_name": "张三",
        "category": "property",
        "appeal_topic": "finance",
    }
    response = client.post(f"{PREFIX}/cases", payload, content_type="application/json", **auth(jinshan.user("zhujing")))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "appeal_topic"
    assert not Case.objects.exists()


def test_transitions_through_the_api_and_an_illegal_one_is_refused(client, jinshan):
    user = jinshan.user("zhujing")
    headers = auth(user)
    case = open_case(jinshan)
    url = f"{PREFIX}/cases/{case.pk}/transitions"
    refused = client.post(
        url, {"to": "followed_up", "satisfaction": "satisfied"}, content_type="application/json", **headers
    )
    assert refused.status_code == 422
    assert "不能改为“已回访”" in refused.json()["detail"][0]["message"]
    assert CaseEvent.objects.filter(case=case).count() == 1
    wrong_detail = client.post(url, {"to": "rejected", "department": "x"}, content_type="application/json", **headers)
    assert wrong_detail.status_code == 422 and wrong_detail.json()["detail"][0]["field"] == "department"
    done = client.post(
        url, {"to": "assigned", "assignee": user.pk, "on": "2021-09-26"}, content_type="application/json", **headers
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"]["code"] == "assigned" and done.json()["assignee"]["id"] == user.pk
    foreign = client.post(url, {"to": "in_progress"}, content_type="application/json", **auth(jinshan.user("shihua")))
    assert foreign.status_code == 404


def test_leader_reads_counts_only(client, jinshan):
    open_case(jinshan)
    headers = auth(jinshan.user("leader"))
    stats = client.get(f"{PREFIX}/cases/stats", **headers)
    assert stats.status_code == 200 and stats.json()["totals"]["cases"] == 1
    assert client.get(f"{PREFIX}/cases", **headers).status_code == 403
