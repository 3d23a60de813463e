"""The API's permission matrix: every operation in the OpenAPI document × every role ×
own / foreign / absent record. An operation without an entry here fails the test."""

from __future__ import annotations

import datetime as dt

import pytest

from qiaolian.accounts.services import api_token_create
from qiaolian.api import api
from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs import services as org_services
from qiaolian.registry.tests.factories import HouseholdFactory, PersonFactory, resident_id
from qiaolian.testing import app_matrices

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "zhujing", "shihua", "station", "leader", "judge", "cppcc", "auditor", "public"]
PREFIX = "/api/v1"
ABSENT = 987654

# (method, path) → (permission, record kind the path names or None, JSON body)
OPERATIONS: dict[tuple[str, str], tuple[str, str | None, dict | None]] = {
    ("get", "/persons"): ("registry.view_person", None, None),
    ("post", "/persons"): ("registry.change_person", None, {}),
    ("get", "/persons/{person_id}"): ("registry.view_person", "person", None),
    ("patch", "/persons/{person_id}"): ("registry.change_person", "person", {}),
    ("post", "/persons/{person_id}/reveal"): ("registry.reveal_person", "person", {"field": "id_number"}),
    ("get", "/households"): ("registry.view_household", None, None),
    ("post", "/households"): ("registry.change_household", None, {}),
    ("get", "/households/{household_id}"): ("registry.view_household", "household", None),
    ("patch", "/households/{household_id}"): ("registry.change_household", "household", {}),
    ("get", "/federations"): ("orgs.view_federation", None, None),
    ("post", "/federations"): ("orgs.change_federation", None, {}),
    ("get", "/federations/{federation_id}"): ("orgs.view_federation", "federation", None),
    ("patch", "/federations/{federation_id}"): ("orgs.change_federation", "federation", {}),
    ("get", "/stations"): ("orgs.view_station", None, None),
    ("post", "/stations"): ("orgs.change_station", None, {}),
    ("get", "/stations/{station_id}"): ("orgs.view_station", "station", None),
    ("patch", "/stations/{station_id}"): ("orgs.change_station", "station", {}),
}


# Apps after the foundation keep their part beside their tests: ``API_OPERATIONS`` in
# ``<app>/tests/matrix.py`` (and their records from ``records``).
APP_MATRICES = app_matrices()
for _module in APP_MATRICES:
    OPERATIONS.update(getattr(_module, "API_OPERATIONS", {}))


def _operations_in_openapi() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = set()
    for path, item in schema["paths"].items():
        for method in item:
            found.add((method, path.removeprefix(PREFIX)))
    return found


def test_every_api_operation_is_in_the_matrix():
    public = {("get", "/openapi.json"), ("get", "/docs")}
    missing = _operations_in_openapi() - set(OPERATIONS) - public
    assert not missing, f"API operations without a matrix entry: {sorted(missing)}"


def _records(js, federation, tag):
    admin = js.user("admin")
    extra = {}
    for module in APP_MATRICES:
        extra.update(module.records(js, federation, tag, admin))
    return {
        **extra,
        "federation": federation,
        "person": PersonFactory(
            federation=federation,
            name=f"{tag}人员",
            birth_date=dt.date(1956, 6, 6),
            id_number=resident_id(dt.date(1956, 6, 6)),
            phone=f"+86139111{len(tag):05d}",
        ),
        "household": HouseholdFactory(federation=federation),
        "station": org_services.station_create(actor=admin, federation=federation, name=f"{tag}侨之家", kind="home"),
    }


def _expected(user, perm, kind, records) -> set[int]:
    if not user.has_perm(perm):
        return {403}
    if kind is None:
        return {200, 201, 422}
    if records is None or not scope_for(user).allows(records["federation"].pk):
        return {404}
    return {200, 201, 422}


@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix(client, jinshan, role):
    world = {"own": _records(jinshan, jinshan.zhujing, "朱泾"), "foreign": _records(jinshan, jinshan.shihua, "石化")}
    user = jinshan.user(role)
    _token, plain = api_token_create(actor=None, user=user, name="matrix")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    secrets = {world["own"]["person"].id_number.reveal(), world["own"]["person"].phone.reveal()}
    failures = []
    for (method, path), (perm, kind, body) in sorted(OPERATIONS.items()):
        cases = [("own", world["own"]), ("foreign", world["foreign"]), ("absent", None)] if kind else [("-", None)]
        for label, records in cases:
            pk = records[kind].pk if records else ABSENT
            url = PREFIX + path.replace("{" + f"{kind}_id" + "}", str(pk)) if kind else PREFIX + path
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            response = getattr(client, method)(url, **kwargs, **auth)
            want = _expected(user, perm, kind, records)
            if response.status_code not in want:
                failures.append(
                    f"{role} {method.upper()} {path} [{label}]: expected {sorted(want)}, got {response.status_code}"
                )
            if not path.endswith("/reveal") and any(s in response.content.decode() for s in secrets):
                failures.append(f"{role} {method.upper()} {path} [{label}]: unmasked personal data")
        anonymous = getattr(client, method)(
            PREFIX + path.replace("{" + f"{kind}_id" + "}", "1"),
            **({"content_type": "application/json", "data": body} if body else {}),
        )
        if anonymous.status_code != 401:
            failures.append(f"anonymous {method.upper()} {path}: expected 401, got {anonymous.status_code}")
    assert not failures, "\n".join(failures)
