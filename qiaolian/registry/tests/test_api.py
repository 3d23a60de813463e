"""The REST API of the registry: auth, jurisdiction, masking, validation and the audited reveal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from qiaolian.accounts.services import api_token_create, api_token_revoke
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.text import has_han
from qiaolian.core.validators import display_phone
from qiaolian.registry import choices as c
from qiaolian.registry.models import Household, Person
from qiaolian.registry.tests.factories import HouseholdFactory, OverseasTieFactory, PersonFactory, resident_id

API = "/api/v1"
MODEL_BACKEND = "qiaolian.accounts.backends.PasswordBackend"
NO_REGISTRY_ROLES = ["leader", "judge", "cppcc", "auditor", "public"]


def session_client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def token_client(user) -> Client:
    _token, plain = api_token_create(actor=None, user=user, name="test")
    return Client(headers={"authorization": f"Bearer {plain}"})


def post(client: Client, url: str, data: dict, **kwargs):
    return client.post(url, data=json.dumps(data), content_type="application/json", **kwargs)


def patch(client: Client, url: str, data: dict, **kwargs):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **kwargs)


def errors_by_field(response) -> dict[str | None, str]:
    return {e["field"]: e["message"] for e in response.json()["detail"]}


@pytest.fixture
def people(jinshan):
    """One person in 朱泾, one in its village, one in 石化, with known plain ID numbers and phones."""
    zhujing = PersonFactory(
        federation=jinshan.zhujing,
        name="张建国",
        birth_date=dt.date(1950, 3, 2),
        id_number=resident_id(dt.date(1950, 3, 2), serial=101),
        phone="+8613812345678",
        category=c.Category.RETURNEE,
        returned_from="ID",
        is_in_hardship=True,
        hardship_types=[c.Hardship.ELDERLY],
    )
    village = PersonFactory(
        federation=jinshan.zhujing_village,
        name="李秀英",
        sex=c.Sex.FEMALE,
        birth_date=dt.date(1990, 7, 8),
        id_number=resident_id(dt.date(1990, 7, 8), male=False, serial=102),
        phone="+8613912345679",
    )
    shihua = PersonFactory(
        federation=jinshan.shihua,
        name="王志强",
        birth_date=dt.date(1975, 1, 5),
        id_number=resident_id(dt.date(1975, 1, 5), serial=103),
        phone="+8613712345670",
    )
    return {"zhujing": zhujing, "village": village, "shihua": shihua}


def plain_values(person: Person) -> list[bytes]:
    """The plain ID number and phone (national digits) of a person, as they must never appear."""
    values = [person.id_number.reveal(), person.phone.reveal()[3:]]
    return [v.encode() for v in values if v]


def new_person_payload(federation_id: int, **extra) -> dict:
    return {
        "federation": federation_id,
        "name": "陈美玲",
        "id_number": resident_id(dt.date(1985, 4, 9), male=False, serial=201),
        "category": c.Category.RELATIVE,
        "phone": "13600001111",
        "address": "上海市金山区朱泾镇人民路8号",
        **extra,
    }


# Authentication ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_document_is_public_and_lists_the_paths():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/reveal",
        "/api/v1/households",
        "/api/v1/households/{household_id}",
        "/api/v1/federations",
        "/api/v1/federations/{federation_id}",
        "/api/v1/stations",
        "/api/v1/stations/{station_id}",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/persons"])
    assert "patch" in paths["/api/v1/persons/{person_id}"]


def test_unauthenticated_request_is_401(people):
    response = Client().get(f"{API}/persons")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.json()["detail"]
    assert Client().post(f"{API}/persons", data="{}", content_type="application/json").status_code == 401


def test_bearer_token_authenticates(jinshan, people):
    client = token_client(jinshan.user("zhujing"))
    response = client.get(f"{API}/persons")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    created = post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk))
    assert created.status_code == 201, created.content
    entry = AuditEntry.objects.get(
        action=Action.CREATE, target_type="registry.person", target_id=str(created.json()["id"])
    )
    assert entry.actor == jinshan.user("zhujing")


def test_revoked_or_bogus_token_is_401(jinshan, people):
    user = jinshan.user("zhujing")
    token, plain = api_token_create(actor=None, user=user)
    api_token_revoke(actor=None, token=token)
    for header in (f"Bearer {plain}", "Bearer ql_bogus_token", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = Client(headers={"authorization": header}).get(f"{API}/persons")
        assert response.status_code == 401, header


def test_token_of_an_inactive_user_is_401(jinshan, people):
    user = jinshan.user("zhujing")
    _token, plain = api_token_create(actor=None, user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client(headers={"authorization": f"Bearer {plain}"}).get(f"{API}/persons").status_code == 401


def test_bad_token_is_401_even_with_a_signed_in_session(jinshan, people):
    client = session_client(jinshan.user("zhujing"), headers={"authorization": "Bearer ql_bogus"})
    assert client.get(f"{API}/persons").status_code == 401


def test_session_auth_works_and_unsafe_methods_need_the_csrf_token(jinshan, people):
    client = session_client(jinshan.user("zhujing"), enforce_csrf_checks=True)
    assert client.get(f"{API}/persons").status_code == 200

    payload = new_person_payload(jinshan.zhujing.pk)
    refused = post(client, f"{API}/persons", payload)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Person.objects.filter(name="陈美玲").exists()

    csrf = "a" * 32
    client.cookies["csrftoken"] = csrf
    accepted = post(client, f"{API}/persons", payload, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201, accepted.content


# Jurisdiction and roles -------------------------------------------------------------------------


def test_town_user_lists_only_persons_of_own_subtree(jinshan, people):
    response = session_client(jinshan.user("zhujing")).get(f"{API}/persons")
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["items"]}
    assert names == {"张建国", "李秀英"}
    district = session_client(jinshan.user("staff")).get(f"{API}/persons").json()
    assert {p["name"] for p in district["items"]} == {"张建国", "李秀英", "王志强"}


def test_town_user_cannot_open_update_or_reveal_person_of_another_town(jinshan, people):
    client = session_client(jinshan.user("zhujing"))
    other = people["shihua"]
    url = f"{API}/persons/{other.pk}"
    assert client.get(url).status_code == 404
    response = patch(client, url, {"name": "改名"})
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该记录。"
    assert post(client, f"{url}/reveal", {"field": "id_number"}).status_code == 404
    other.refresh_from_db()
    assert other.name == "王志强"
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()
    assert client.get(f"{API}/persons/999999").status_code == 404


def test_town_user_cannot_create_person_in_another_towns_federation(jinshan, people):
    client = session_client(jinshan.user("zhujing"))
    response = post(client, f"{API}/persons", new_person_payload(jinshan.shihua.pk))
    assert response.status_code == 422
    assert "federation" in errors_by_field(response)
    assert not Person.objects.filter(name="陈美玲").exists()


def test_town_user_cannot_move_own_person_to_another_town(jinshan, people):
    client = session_client(jinshan.user("zhujing"))
    person = people["zhujing"]
    response = patch(client, f"{API}/persons/{person.pk}", {"federation": jinshan.shihua.pk})
    assert response.status_code == 422
    assert "federation" in errors_by_field(response)
    person.refresh_from_db()
    assert person.federation_id == jinshan.zhujing.pk


@pytest.mark.parametrize("role", NO_REGISTRY_ROLES)
def test_roles_without_registry_access_get_403_on_person_endpoints(jinshan, people, role):
    client = token_client(jinshan.user(role))
    person = people["zhujing"]
    assert client.get(f"{API}/persons").status_code == 403
    assert client.get(f"{API}/persons/{person.pk}").status_code == 403
    assert post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk)).status_code == 403
    assert patch(client, f"{API}/persons/{person.pk}", {"name": "改名"}).status_code == 403
    assert post(client, f"{API}/persons/{person.pk}/reveal", {"field": "phone"}).status_code == 403
    assert client.get(f"{API}/households").status_code == 403
    assert not Person.objects.filter(name__in=["陈美玲", "改名"]).exists()


def test_station_manager_reads_persons_but_cannot_change_or_reveal(jinshan, people):
    client = session_client(jinshan.user("station"))
    person = people["zhujing"]
    assert client.get(f"{API}/persons").json()["count"] == 2
    assert client.get(f"{API}/persons/{person.pk}").status_code == 200
    assert post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk)).status_code == 403
    assert patch(client, f"{API}/persons/{person.pk}", {"name": "改名"}).status_code == 403
    response = post(client, f"{API}/persons/{person.pk}/reveal", {"field": "id_number"})
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


# Lists ------------------------------------------------------------------------------------------


def test_person_list_filters_like_the_list_page(jinshan, people):
    OverseasTieFactory(person=people["village"], country="CA")
    client = session_client(jinshan.user("staff"))

    def names(**params) -> set[str]:
        response = client.get(f"{API}/persons", params)
        assert response.status_code == 200, response.content
        return {p["name"] for p in response.json()["items"]}

    assert names(q="张") == {"张建国"}
    assert names(q="zjg") == {"张建国"}
    assert names(q=people["shihua"].id_number.reveal()) == {"王志强"}
    assert names(category="returnee") == {"张建国"}
    assert names(federation=jinshan.zhujing.pk) == {"张建国", "李秀英"}
    assert names(federation=jinshan.zhujing_village.pk) == {"李秀英"}
    assert names(country="ID") == {"张建国"}
    assert names(country="ca") == {"李秀英"}
    assert names(hardship="true") == {"张建国"}
    assert names(hardship="false") == {"李秀英", "王志强"}
    assert names(age_max=40) == {"李秀英"}
    assert names(age_min=45, age_max=60) == {"王志强"}
    assert names(living_status="deceased") == set()


def test_person_list_hides_archived_unless_asked(jinshan, people):
    Person.objects.filter(pk=people["village"].pk).update(is_archived=True, archived_at=timezone.now())
    client = session_client(jinshan.user("zhujing"))
    assert client.get(f"{API}/persons").json()["count"] == 1
    assert client.get(f"{API}/persons", {"archived": "true"}).json()["count"] == 2


def test_town_user_filtering_by_another_towns_federation_gets_nothing(jinshan, people):
    response = session_client(jinshan.user("zhujing")).get(f"{API}/persons", {"federation": jinshan.shihua.pk})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_person_list_pages_by_cursor_and_caps_the_page_size(jinshan):
    for n in range(5):
        PersonFactory(federation=jinshan.zhujing, name=f"测试{n}")
    client = session_client(jinshan.user("zhujing"))
    first = client.get(f"{API}/persons", {"limit": 2}).json()
    assert first["count"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    seen = [p["id"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"{API}/persons", {"limit": 2, "cursor": cursor}).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5

    too_big = client.get(f"{API}/persons", {"limit": 101})
    assert too_big.status_code == 422
    assert errors_by_field(too_big) == {"limit": "不能大于 100。"}


def test_person_list_rejects_bad_filters_naming_the_field(jinshan, people):
    client = session_client(jinshan.user("staff"))
    response = client.get(f"{API}/persons", {"category": "nobody", "age_min": "x", "country": "ZZ"})
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["category"].startswith("应为以下值之一")
    assert errors["age_min"] == "应为整数。"
    assert "国家/地区" in errors["country"]
    reversed_range = client.get(f"{API}/persons", {"age_min": 60, "age_max": 20})
    assert reversed_range.status_code == 422
    assert "最小年龄" in reversed_range.json()["detail"][0]["message"]


# Masking ----------------------------------------------------------------------------------------


def test_person_json_carries_federation_and_masked_personal_data(jinshan, people):
    person = people["zhujing"]
    client = session_client(jinshan.user("zhujing"))
    response = client.get(f"{API}/persons/{person.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["federation"] == {"id": jinshan.zhujing.pk, "name": "朱泾镇侨联"}
    assert body["category"] == {"code": "returnee", "label": "归侨"}
    assert body["id_number_masked"] == person.id_number.masked
    assert "*" in body["id_number_masked"]
    assert body["phone_masked"] == "138****5678"
    assert body["address_masked"].endswith("****")
    assert body["returned_from"] == "ID"
    assert body["nationality"] == "CN"
    for plain in plain_values(person):
        assert plain not in response.content
    listed = client.get(f"{API}/persons")
    for p in people.values():
        for plain in plain_values(p):
            assert plain not in listed.content


def test_no_response_contains_plain_id_number_or_phone_except_the_reveal(jinshan):
    client = token_client(jinshan.user("zhujing"))
    id_number = resident_id(dt.date(1985, 4, 9), male=False, serial=301)
    phone_digits = "13600002222"
    payload = new_person_payload(jinshan.zhujing.pk, id_number=id_number, phone=phone_digits)
    household = post(client, f"{API}/households", {"federation": jinshan.zhujing.pk, "label": "陈美玲户"})
    responses = [post(client, f"{API}/persons", payload), household]
    person_id = responses[0].json()["id"]
    Person.objects.filter(pk=person_id).update(household_id=household.json()["id"], household_relation="head")
    url = f"{API}/persons/{person_id}"
    responses += [
        client.get(url),
        client.get(f"{API}/persons"),
        client.get(f"{API}/persons", {"q": id_number}),
        client.get(f"{API}/persons", {"q": phone_digits}),
        patch(client, url, {"notes": "已走访"}),
        patch(client, url, {"id_number": id_number[:-1] + ("0" if id_number[-1] != "0" else "1")}),
        post(client, f"{API}/persons", payload),  # duplicate: refused without echoing the number
        client.get(f"{API}/households"),
        client.get(f"{API}/households/{household.json()['id']}"),
    ]
    assert [r.status_code for r in responses] == [201, 201, 200, 200, 200, 200, 200, 422, 422, 200, 200]
    assert responses[4].json()["count"] == 1  # found by exact ID number
    assert responses[5].json()["count"] == 1  # found by phone
    for response in responses:
        assert id_number.encode() not in response.content
        assert phone_digits.encode() not in response.content

    revealed = post(client, f"{url}/reveal", {"field": "id_number"})
    assert revealed.status_code == 200
    assert revealed.json() == {"field": "id_number", "value": id_number}


# Reveal -----------------------------------------------------------------------------------------


def test_reveal_returns_the_plain_value_and_writes_an_audit_entry(jinshan, people):
    person = people["zhujing"]
    user = jinshan.user("zhujing")
    client = session_client(user)
    response = post(client, f"{API}/persons/{person.pk}/reveal", {"field": "phone"})
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": display_phone("+8613812345678")}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=Action.REVEAL)
    assert entry.actor == user
    assert entry.target_id == str(person.pk)
    assert entry.data == {"field": "phone"}
    assert b"13812345678" not in json.dumps(entry.data).encode()


def test_reveal_of_an_unknown_field_is_422(jinshan, people):
    client = session_client(jinshan.user("zhujing"))
    response = post(client, f"{API}/persons/{people['zhujing'].pk}/reveal", {"field": "name"})
    assert response.status_code == 422
    assert errors_by_field(response)["field"].startswith("应为以下值之一")
    assert not AuditEntry.objects.filter(action=Action.REVEAL).exists()


# Create and update ------------------------------------------------------------------------------


def test_person_create_derives_birth_and_sex_and_is_audited(jinshan):
    client = session_client(jinshan.user("zhujing"))
    response = post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk, tags=["走访", "重点"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["birth_date"] == "1985-04-09"
    assert body["sex"] == "F"
    assert body["tags"] == ["走访", "重点"]
    assert body["federation"]["id"] == jinshan.zhujing.pk
    assert body["phone_masked"] == "136****1111"
    person = Person.objects.get(pk=body["id"])
    assert person.created_by == jinshan.user("zhujing")
    assert person.name_pinyin
    assert (
        AuditEntry.objects.filter(action=Action.CREATE, target_type="registry.person", target_id=str(person.pk)).count()
        == 1
    )


def test_person_create_with_bad_id_check_digit_names_the_field_and_writes_nothing(jinshan):
    client = session_client(jinshan.user("zhujing"))
    good = resident_id(dt.date(1985, 4, 9), male=False, serial=401)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk, id_number=bad))
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors == {"id_number": "身份证号码校验位错误，请核对最后一位。"}
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.CREATE, target_type="registry.person").exists()


def test_person_create_reports_every_missing_or_malformed_field_in_chinese(jinshan):
    client = session_client(jinshan.user("zhujing"))
    response = post(client, f"{API}/persons", {"name": " ", "birth_date": "09/04/1985", "nickname": "x"})
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["birth_date"] == "日期格式应为 YYYY-MM-DD。"
    assert errors["nickname"] == "不支持该字段。"

    response = post(client, f"{API}/persons", {"name": " "})
    errors = errors_by_field(response)
    assert set(errors) >= {"name", "federation", "category"}
    assert all(has_han(errors[name]) for name in ("name", "federation", "category"))

    returnee = post(client, f"{API}/persons", new_person_payload(jinshan.zhujing.pk, category="returnee"))
    assert errors_by_field(returnee) == {"returned_from": "归侨请填写归来国家/地区。"}
    assert not Person.objects.exists()


def test_malformed_json_body_is_a_clear_400(jinshan):
    client = session_client(jinshan.user("zhujing"))
    response = client.post(f"{API}/persons", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的 JSON。"


def test_person_patch_changes_only_the_given_fields_and_keeps_protected_values(jinshan, people):
    person = people["zhujing"]
    id_number = person.id_number.reveal()
    client = session_client(jinshan.user("zhujing"))
    response = patch(
        client, f"{API}/persons/{person.pk}", {"notes": "2024年走访", "hardship_types": ["elderly", "ill"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["hardship_types"] == ["elderly", "ill"]
    person.refresh_from_db()
    assert person.notes == "2024年走访"
    assert person.name == "张建国"
    assert person.id_number.reveal() == id_number
    assert person.phone.reveal() == "+8613812345678"
    assert person.returned_from.code == "ID"
    change = AuditEntry.objects.get(action=Action.CHANGE, target_type="registry.person", target_id=str(person.pk))
    assert set(change.data["changes"]) == {"notes", "hardship_types"}


def test_person_patch_with_bad_input_writes_nothing(jinshan, people):
    person = people["zhujing"]
    client = session_client(jinshan.user("zhujing"))
    response = patch(client, f"{API}/persons/{person.pk}", {"notes": "改了", "living_status": "deceased"})
    assert response.status_code == 422
    assert errors_by_field(response) == {"deceased_on": "已故人员请填写去世日期。"}
    response = patch(client, f"{API}/persons/{person.pk}", {"phone": "12345"})
    assert response.status_code == 422
    assert "phone" in errors_by_field(response)
    person.refresh_from_db()
    assert person.notes == ""
    assert person.living_status == c.LivingStatus.LIVING
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


# Households -------------------------------------------------------------------------------------


def test_household_list_detail_create_and_update(jinshan, people):
    HouseholdFactory(federation=jinshan.shihua, label="王志强户")
    client = session_client(jinshan.user("zhujing"))
    created = post(
        client,
        f"{API}/households",
        {"federation": jinshan.zhujing_village.pk, "label": "李秀英户", "address": "金山区朱泾镇待泾村5组12号"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["federation"] == {"id": jinshan.zhujing_village.pk, "name": "朱泾镇待泾村侨联小组"}
    assert body["address_masked"].endswith("****")
    assert "5组12号" not in created.content.decode()
    assert body["members"] == []

    household = Household.objects.get(pk=body["id"])
    Person.objects.filter(pk=people["village"].pk).update(household=household, household_relation="head")

    listed = client.get(f"{API}/households").json()
    assert [h["label"] for h in listed["items"]] == ["李秀英户"]
    assert client.get(f"{API}/households", {"q": "李"}).json()["count"] == 1
    assert client.get(f"{API}/households", {"q": "王"}).json()["count"] == 0

    detail = client.get(f"{API}/households/{household.pk}")
    assert detail.status_code == 200
    assert detail.json()["members"] == [
        {
            "id": people["village"].pk,
            "name": "李秀英",
            "category": {"code": "relative", "label": "侨眷"},
            "household_relation": "head",
            "is_archived": False,
        }
    ]

    updated = patch(client, f"{API}/households/{household.pk}", {"area": "待泾村5组"})
    assert updated.status_code == 200, updated.content
    household.refresh_from_db()
    assert household.area == "待泾村5组"
    assert household.label == "李秀英户"
    assert household.address.reveal() == "金山区朱泾镇待泾村5组12号"


def test_households_of_another_town_are_404_and_cannot_be_created(jinshan):
    other = HouseholdFactory(federation=jinshan.shihua, label="王志强户")
    client = session_client(jinshan.user("zhujing"))
    assert client.get(f"{API}/households/{other.pk}").status_code == 404
    assert patch(client, f"{API}/households/{other.pk}", {"label": "改名"}).status_code == 404
    response = post(client, f"{API}/households", {"federation": jinshan.shihua.pk, "label": "越界户"})
    assert response.status_code == 422
    assert "federation" in errors_by_field(response)
    response = post(client, f"{API}/households", {"federation": jinshan.zhujing.pk})
    errors = errors_by_field(response)
    assert list(errors) == ["label"]
    assert has_han(errors["label"])
    assert Household.objects.count() == 1
    other.refresh_from_db()
    assert other.label == "王志强户"
