"""Audit entries are kept at least 180 days and cannot be edited or deleted.

The application never deletes audit entries (there is no pruning path); the model refuses
save-after-insert and delete (qiaolian/audit/tests/test_chain.py), the database refuses UPDATE
(SQLite and PostgreSQL triggers, audit migration 0002) and DELETE (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.audit.services import audit_record, audit_verify
from qiaolian.privacy.checks import audit_retention_check


@pytest.mark.parametrize("days", [0, 30, 179, "365"])
def test_audit_retention_below_180_days_is_a_system_check_error(days):
    with override_settings(QIAOLIAN_AUDIT_RETENTION_DAYS=days):
        errors = audit_retention_check()
    assert [e.id for e in errors] == ["qiaolian.privacy.E001"]
    assert all(e.level == checks.ERROR for e in errors)


@pytest.mark.parametrize("days", [180, 365, 3650])
def test_audit_retention_of_180_days_or_more_passes(days):
    with override_settings(QIAOLIAN_AUDIT_RETENTION_DAYS=days):
        assert audit_retention_check() == []


def test_the_check_is_registered_with_django():
    with override_settings(QIAOLIAN_AUDIT_RETENTION_DAYS=90):
        ids = {m.id for m in checks.run_checks(tags=[checks.Tags.security])}
    assert "qiaolian.privacy.E001" in ids


def test_unknown_retention_override_is_a_system_check_error():
    from qiaolian.privacy.checks import retention_days_check

    with override_settings(QIAOLIAN_RETENTION_DAYS={"nonsense": 3, "closed_cases": -1}):
        assert {e.id for e in retention_days_check()} == {"qiaolian.privacy.E002", "qiaolian.privacy.E003"}


def _audit_routes() -> list[URLPattern]:
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif namespace == "audit":
                yield p

    return list(walk(get_resolver().url_patterns))


def test_staff_site_offers_no_edit_or_delete_of_audit_entries(client, jinshan):
    assert sorted(p.name for p in _audit_routes()) == ["entry_detail", "entry_list"]
    audit_record(actor=jinshan.user("admin"), action=Action.CHANGE)
    entry = AuditEntry.objects.order_by("-seq").first()
    client.force_login(jinshan.user("auditor"))
    for url in (reverse("audit:entry_list"), reverse("audit:entry_detail", args=[entry.seq])):
        assert client.get(url).status_code == 200
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (method, url)
    assert AuditEntry.objects.filter(pk=entry.pk, hash=entry.hash).exists()


def test_api_offers_no_write_operation_on_audit_entries():
    from qiaolian.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if "audit" in path:
            assert set(operations) <= {"get"}, (path, sorted(operations))


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_raw_update_and_delete_of_audit_entries(jinshan):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    audit_record(actor=jinshan.user("admin"), action=Action.CHANGE, data={"n": 1})
    for sql in ("UPDATE audit_auditentry SET actor_name = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert audit_verify().ok


@pytest.mark.django_db
def test_sqlite_refuses_raw_update_of_audit_entries(jinshan):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL test covers it there")
    audit_record(actor=jinshan.user("admin"), action=Action.CHANGE)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = 'x'")
