"""The API under generated input (schemathesis + hypothesis): every operation of the OpenAPI
document, called by users of several roles with requests generated from the document itself.

Checks on every response: no server error (5xx); the status code, content type and body are the
ones the document declares; no unmasked personal data outside ``/reveal``; and for a town user,
nothing from outside the town: every returned record reaches a federation in the user's
jurisdiction (records of another town are 404, never data).

Path parameters are drawn from the ids of real records (the user's town, another town) as well as
generated ones, so detail pages and writes are reached, not only 404s. Runs are reproducible
(``derandomize``); ``QIAOLIAN_FUZZ_EXAMPLES`` sets the examples per operation (default 20), e.g.
``QIAOLIAN_FUZZ_EXAMPLES=200 pytest -p no:xdist qiaolian/core/tests/test_api_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qiaolian.accounts.services import api_token_create
from qiaolian.api import api
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.tests.test_api_matrix import OPERATIONS, PREFIX, _records
from qiaolian.registry.tests.factories import HouseholdFactory, PersonFactory, resident_id

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("QIAOLIAN_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# admin: the district (sees everything); zhujing: a town's staff; leader: read-only district role;
# public: a portal user with no API rights (every operation is 403).
ROLES = {"admin": EXAMPLES, "zhujing": EXAMPLES, "leader": max(5, EXAMPLES // 4), "public": max(3, EXAMPLES // 5)}
# Operations that compute a whole report per request get fewer examples.
SLOW = {"GET /api/v1/reports/review": 5}
FEDERATION_KEYS = ("federation", "federation_id", "handling_federation", "handling_federation_id")

APP = get_wsgi_application()
# The document as /api/v1/openapi.json serves it (JSON: status codes as strings).
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
OPERATIONS_IN_SCHEMA = [result.ok() for result in SCHEMA.get_all_operations()]


def _path_kinds() -> dict[str, dict[str, str]]:
    """``{operation label: {path parameter: record kind}}`` from the permission matrix."""
    kinds: dict[str, dict[str, str]] = {}
    for (method, path), (_perm, kind, _body) in OPERATIONS.items():
        names = re.findall(r"{(\w+)}", path)
        if kind and names:
            kinds[f"{method.upper()} {PREFIX}{path}"] = {names[0]: kind}
    return kinds


PATH_KINDS = _path_kinds()


def _world(jinshan) -> dict[str, Any]:
    """Records of every kind in two towns, and a few more persons and households per town."""
    world = {"own": _records(jinshan, jinshan.zhujing, "朱泾"), "foreign": _records(jinshan, jinshan.shihua, "石化")}
    towns = (("朱泾", jinshan.zhujing), ("朱泾村", jinshan.zhujing_village), ("石化", jinshan.shihua))
    for t, (tag, federation) in enumerate(towns):
        for n in range(3):
            household = HouseholdFactory(federation=federation, label=f"{tag}{n}号户")
            PersonFactory(
                federation=federation,
                name=f"{tag}侨眷{n}",
                household=household,
                birth_date=dt.date(1950 + n, 3, 2),
                id_number=resident_id(dt.date(1950 + n, 3, 2), serial=300 + 10 * t + n),
                phone=f"+8613700{t}{n:05d}",
            )
    return world


def _secrets() -> set[str]:
    from qiaolian.registry.models import Person

    found = set()
    for person in Person.objects.all():
        for value in (person.id_number, person.phone):
            plain = value.reveal() if value else ""
            if plain:
                found.update({plain, plain.removeprefix("+86")})
    return found


def _federation_ids(record: dict[str, Any]) -> list[int]:
    ids = []
    for key in FEDERATION_KEYS:
        value = record.get(key)
        if isinstance(value, dict) and isinstance(value.get("id"), int):
            ids.append(value["id"])
        elif isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
    return ids


def _foreign_records(data: Any, allowed, *, label: str) -> list[str]:
    """Objects in a response whose federations are all outside the user's jurisdiction."""
    found = []
    if isinstance(data, list):
        for item in data:
            found += _foreign_records(item, allowed, label=label)
    elif isinstance(data, dict):
        ids = _federation_ids(data)
        if ids and not any(allowed(pk) for pk in ids):
            found.append(json.dumps(data, ensure_ascii=False)[:200])
        is_federation = label.split(" ", 1)[1].startswith(f"{PREFIX}/federations") and "level" in data
        if is_federation and isinstance(data.get("id"), int) and not allowed(data["id"]):
            found.append(json.dumps(data, ensure_ascii=False)[:200])
        for value in data.values():
            if isinstance(value, dict | list):
                found += _foreign_records(value, allowed, label=label)
    return found


def _fuzz_operation(operation, *, headers, pk_choices, examples, scope, secrets, failures: dict[str, str]) -> None:
    label = operation.label
    kinds = PATH_KINDS.get(label, {})
    town_only = not scope.everything

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(operation.as_strategy())
        for name, kind in kinds.items():
            if case.path_parameters and name in case.path_parameters and pk_choices.get(kind):
                generated = case.path_parameters[name]
                case.path_parameters[name] = data.draw(st.sampled_from([*pk_choices[kind], generated]))
        values = (case.path_parameters or {}).values()
        if any(isinstance(value, str) and ("?" in value or "#" in value) for value in values):
            reject()  # a path parameter cut short by a query or fragment is a different URL
        response = case.call(app=APP, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as exc:  # one report per operation, status and kind of failure
            names = ",".join(sorted({type(failure).__name__ for failure in exc.exceptions}))
            key = f"{label} [{response.status_code}] {names}"
            failures.setdefault(key, str(exc)[:1500])
        body = response.text
        if not label.endswith("/reveal") and any(secret in body for secret in secrets):
            failures.setdefault(f"{label} unmasked", body[:300])
        if town_only and response.status_code < 300 and "json" in response.headers.get("content-type", [""])[0]:
            leaked = _foreign_records(response.json(), scope.allows, label=label)
            if leaked or "石化" in body:
                failures.setdefault(f"{label} outside jurisdiction", "; ".join(leaked) or body[:300])

    run()


@pytest.fixture
def keep_test_connection():
    """Requests go straight to the WSGI application, not through Django's test client, so the
    request signals would close the database connection that holds the test's transaction (on
    PostgreSQL; SQLite's in-memory test database ignores it). Do what the test client does."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", list(ROLES))
def test_api_under_generated_requests(jinshan, role, caplog, keep_test_connection):
    caplog.set_level(logging.CRITICAL, logger="django.request")
    world = _world(jinshan)
    user = jinshan.user(role)
    _token, plain = api_token_create(actor=None, user=user, name="fuzz")
    headers = {"Authorization": f"Bearer {plain}"}
    pk_choices: dict[str, list[int]] = {}
    for records in world.values():
        for kind, record in records.items():
            pk_choices.setdefault(kind, []).append(record.pk)
    scope, secrets = scope_for(user), _secrets()
    failures: dict[str, str] = {}
    for operation in OPERATIONS_IN_SCHEMA:
        started = time.monotonic()
        _fuzz_operation(
            operation,
            headers=headers,
            pk_choices=pk_choices,
            examples=min(ROLES[role], SLOW.get(operation.label, ROLES[role])),
            scope=scope,
            secrets=secrets,
            failures=failures,
        )
        if os.environ.get("QIAOLIAN_FUZZ_TIMES"):
            print(f"{role} {operation.label}: {time.monotonic() - started:.1f}s")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


def test_openapi_component_names_name_one_schema_each():
    """The document keeps one component per class name: two apps' schemas of the same name (and
    different fields) would silently document one of them wrongly."""
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    components = api.get_openapi_schema()["components"]["schemas"]
    seen: dict[str, dict] = {}
    clashes = []
    for cls in set(subclasses(Schema)):
        if not cls.__module__.startswith("qiaolian.") or cls.__name__ not in components:
            continue
        fields = {name: str(field.annotation) for name, field in cls.model_fields.items()}
        if cls.__name__ in seen and seen[cls.__name__]["fields"] != fields:
            clashes.append(f"{cls.__name__}: {seen[cls.__name__]['module']} and {cls.__module__}")
        seen.setdefault(cls.__name__, {"fields": fields, "module": cls.__module__})
    assert not clashes, clashes


def test_the_jurisdiction_check_finds_a_record_of_another_town():
    allowed = {1, 2}.__contains__
    page = {"items": [{"id": 7, "federation": {"id": 2, "name": "朱泾镇侨联"}}, {"id": 8, "federation_id": 3}]}
    assert len(_foreign_records(page, allowed, label="GET /api/v1/cases")) == 1
    case = {"id": 9, "federation": {"id": 3, "name": "石化"}, "handling_federation": {"id": 1, "name": "区"}}
    assert _foreign_records(case, allowed, label="GET /api/v1/cases/{case_id}") == []
    assert len(_foreign_records({"items": [{"id": 3, "level": {}}]}, allowed, label="GET /api/v1/federations")) == 1
