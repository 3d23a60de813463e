"""The REST API of organizations: federations and stations, under the same rules as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from qiaolian.accounts.services import api_token_create
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.orgs.models import Federation, Station, StationKind

API = "/api/v1"
MODEL_BACKEND = "qiaolian.accounts.backends.PasswordBackend"


def session_client(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def token_client(user) -> Client:
    _token, plain = api_token_create(actor=None, user=user)
    return Client(headers={"authorization": f"Bearer {plain}"})


def post(client: Client, url: str, data: dict):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: dict):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def errors_by_field(response) -> dict[str | None, str]:
    return {e["field"]: e["message"] for e in response.json()["detail"]}


@pytest.fixture
def stations(jinshan):
    return {
        "zhujing": Station.objects.create(name="朱泾侨之家", kind=StationKind.HOME, federation=jinshan.zhujing),
        "village": Station.objects.create(
            name="待泾村侨之家", kind=StationKind.HOME, federation=jinshan.zhujing_village
        ),
        "shihua": Station.objects.create(name="石化新侨驿站", kind=StationKind.NEW_OVERSEAS, federation=jinshan.shihua),
    }


# Federations ------------------------------------------------------------------------------------


def test_unauthenticated_federation_and_station_requests_are_401(jinshan):
    for url in (f"{API}/federations", f"{API}/federations/{jinshan.zhujing.pk}", f"{API}/stations"):
        assert Client().get(url).status_code == 401


def test_district_user_lists_every_federation_in_tree_order(jinshan):
    response = token_client(jinshan.user("leader")).get(f"{API}/federations")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["items"][0]["name"] == "金山区归国华侨联合会"
    town = next(f for f in body["items"] if f["name"] == "朱泾镇侨联")
    assert town["parent"] == {"id": jinshan.district.pk, "name": "金山区归国华侨联合会"}
    assert town["level"] == {"code": "town", "label": "街镇/园区级"}


def test_town_user_sees_only_own_federation_subtree(jinshan):
    client = session_client(jinshan.user("zhujing"))
    names = {f["name"] for f in client.get(f"{API}/federations").json()["items"]}
    assert names == {"朱泾镇侨联", "朱泾镇待泾村侨联小组"}
    assert client.get(f"{API}/federations/{jinshan.zhujing_village.pk}").status_code == 200
    assert client.get(f"{API}/federations/{jinshan.shihua.pk}").status_code == 404
    assert client.get(f"{API}/federations/{jinshan.district.pk}").status_code == 404


def test_federation_list_filters(jinshan):
    client = session_client(jinshan.user("staff"))
    assert client.get(f"{API}/federations", {"level": "community"}).json()["count"] == 1
    assert client.get(f"{API}/federations", {"parent": jinshan.district.pk}).json()["count"] == 2
    assert client.get(f"{API}/federations", {"q": "石化"}).json()["items"][0]["id"] == jinshan.shihua.pk
    response = client.get(f"{API}/federations", {"level": "province"})
    assert response.status_code == 422
    assert "level" in errors_by_field(response)


@pytest.mark.parametrize("role", ["judge", "cppcc", "auditor", "public"])
def test_roles_without_org_access_get_403(jinshan, role):
    client = token_client(jinshan.user(role))
    assert client.get(f"{API}/federations").status_code == 403
    assert client.get(f"{API}/federations/{jinshan.zhujing.pk}").status_code == 403
    assert client.get(f"{API}/stations").status_code == 403


def test_district_admin_creates_and_updates_a_federation(jinshan):
    client = session_client(jinshan.user("admin"))
    response = post(
        client,
        f"{API}/federations",
        {
            "name": "枫泾镇侨联",
            "short_name": "枫泾镇",
            "level": "town",
            "kind": "town",
            "code": "310116-FJ",
            "parent": jinshan.district.pk,
            "established_on": "2017-06-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"]["id"] == jinshan.district.pk
    assert body["is_active"] is True
    federation = Federation.objects.get(pk=body["id"])
    assert federation.path == f"{jinshan.district.path}{federation.pk:06d}/"
    assert AuditEntry.objects.filter(action=Action.CREATE, target_type="orgs.federation", target_id=str(federation.pk))

    updated = patch(client, f"{API}/federations/{federation.pk}", {"address": "枫泾镇新枫路1号"})
    assert updated.status_code == 200, updated.content
    assert updated.json()["address"] == "枫泾镇新枫路1号"
    federation.refresh_from_db()
    assert federation.name == "枫泾镇侨联"
    assert federation.established_on.isoformat() == "2017-06-01"


def test_federation_validation_names_the_field_in_chinese_and_writes_nothing(jinshan):
    client = session_client(jinshan.user("admin"))
    response = post(
        client,
        f"{API}/federations",
        {"name": "朱泾镇侨联", "short_name": "朱泾", "level": "town", "kind": "town", "code": "X-1"},
    )
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["name"] == "已有同名（同编码）的侨联组织。"
    response = patch(client, f"{API}/federations/{jinshan.district.pk}", {"parent": jinshan.zhujing.pk})
    assert response.status_code == 422
    assert "parent" in errors_by_field(response)
    response = patch(client, f"{API}/federations/{jinshan.zhujing.pk}", {"parent": jinshan.zhujing_village.pk})
    assert response.status_code == 422
    assert "parent" in errors_by_field(response)
    assert Federation.objects.count() == 4
    jinshan.zhujing.refresh_from_db()
    assert jinshan.zhujing.parent_id == jinshan.district.pk


def test_only_district_admin_changes_federations(jinshan):
    for key in ("staff", "zhujing", "leader"):
        client = session_client(jinshan.user(key))
        response = patch(client, f"{API}/federations/{jinshan.zhujing.pk}", {"notes": "x"})
        assert response.status_code == 403, key
        assert "权限" in response.json()["detail"]
    jinshan.zhujing.refresh_from_db()
    assert jinshan.zhujing.notes == ""


# Stations ---------------------------------------------------------------------------------------


def test_town_user_lists_and_opens_only_own_stations(jinshan, stations):
    client = session_client(jinshan.user("zhujing"))
    response = client.get(f"{API}/stations")
    assert response.status_code == 200
    assert {s["name"] for s in response.json()["items"]} == {"朱泾侨之家", "待泾村侨之家"}
    detail = client.get(f"{API}/stations/{stations['zhujing'].pk}").json()
    assert detail["federation"] == {"id": jinshan.zhujing.pk, "name": "朱泾镇侨联"}
    assert detail["kind"] == {"code": "home", "label": "侨之家"}
    assert client.get(f"{API}/stations/{stations['shihua'].pk}").status_code == 404
    assert patch(client, f"{API}/stations/{stations['shihua'].pk}", {"notes": "x"}).status_code == 404


def test_station_list_filters(jinshan, stations):
    client = session_client(jinshan.user("staff"))
    assert client.get(f"{API}/stations", {"kind": "new_overseas"}).json()["count"] == 1
    assert client.get(f"{API}/stations", {"federation": jinshan.zhujing.pk}).json()["count"] == 2
    assert client.get(f"{API}/stations", {"q": "待泾"}).json()["count"] == 1
    zhujing = session_client(jinshan.user("zhujing"))
    assert zhujing.get(f"{API}/stations", {"federation": jinshan.shihua.pk}).json()["count"] == 0


def test_town_user_creates_and_updates_a_station(jinshan, stations):
    client = token_client(jinshan.user("zhujing"))
    response = post(
        client,
        f"{API}/stations",
        {"name": "朱泾新侨驿站", "kind": "new_overseas", "federation": jinshan.zhujing.pk, "opened_on": "2021-05-04"},
    )
    assert response.status_code == 201, response.content
    station = Station.objects.get(pk=response.json()["id"])
    assert station.is_active is True
    assert AuditEntry.objects.filter(action=Action.CREATE, target_type="orgs.station", target_id=str(station.pk))

    updated = patch(client, f"{API}/stations/{station.pk}", {"contact_name": "陈美玲", "is_active": False})
    assert updated.status_code == 200, updated.content
    station.refresh_from_db()
    assert (station.contact_name, station.is_active, station.name) == ("陈美玲", False, "朱泾新侨驿站")


def test_station_validation_and_jurisdiction_write_nothing(jinshan, stations):
    client = session_client(jinshan.user("zhujing"))
    response = post(client, f"{API}/stations", {"name": "越界驿站", "kind": "home", "federation": jinshan.shihua.pk})
    assert response.status_code == 422
    assert "federation" in errors_by_field(response)
    response = post(client, f"{API}/stations", {"name": "朱泾侨之家", "kind": "home", "federation": jinshan.zhujing.pk})
    assert errors_by_field(response) == {"name": "该侨联下已有同名阵地。"}
    response = post(client, f"{API}/stations", {"kind": "shop"})
    errors = errors_by_field(response)
    assert errors["kind"].startswith("应为以下值之一")
    response = patch(client, f"{API}/stations/{stations['zhujing'].pk}", {"federation": jinshan.shihua.pk})
    assert "federation" in errors_by_field(response)
    assert Station.objects.count() == 3
    stations["zhujing"].refresh_from_db()
    assert stations["zhujing"].federation_id == jinshan.zhujing.pk


def test_station_manager_and_leader_read_stations_but_cannot_change_them(jinshan, stations):
    for key in ("station", "leader"):
        client = session_client(jinshan.user(key))
        assert client.get(f"{API}/stations").status_code == 200
        response = post(client, f"{API}/stations", {"name": "新站", "kind": "home", "federation": jinshan.zhujing.pk})
        assert response.status_code == 403, key
    assert Station.objects.count() == 3
