"""Data-subject requests: the export finds the person everywhere, erasure leaves no trace of them
outside the audit log, and both stay inside the user's jurisdiction."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import reverse

from qiaolian.activities.models import Registration
from qiaolian.aid.models import Nomination
from qiaolian.audit.models import AuditEntry
from qiaolian.audit.services import audit_verify
from qiaolian.casework.models import Case
from qiaolian.core.protected import ProtectedField
from qiaolian.privacy.anonymize import ERASED
from qiaolian.privacy.policy import POLICY
from qiaolian.privacy.services import person_erase, person_export
from qiaolian.privacy.tests.factories import NAME, PHONE, rich_person
from qiaolian.registry.models import Person
from qiaolian.testing import mark_recently_confirmed

pytestmark = pytest.mark.django_db

# The audit log keeps what was done to whom (Cybersecurity Law Art. 21, PIPL Art. 47 para. 2):
# it is append-only and not scanned. Nothing else may keep the person.
NOT_SCANNED = {"audit_auditentry"}


def _sign_in(client, user) -> None:
    client.force_login(user)
    mark_recently_confirmed(client)


def _export(client, person) -> tuple[dict, openpyxl.Workbook]:
    response = client.post(reverse("privacy:person_export", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("data.json")), openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx")))


def test_export_contains_rows_from_every_covered_model(client, jinshan):
    rich = rich_person(jinshan)
    _sign_in(client, jinshan.user("zhujing"))
    document, book = _export(client, rich.person)
    tables = document["tables"]
    missing = sorted({h.model for h in POLICY} - set(tables))
    assert not missing, f"the export has no rows of {missing}"
    assert set(book.sheetnames) == set(tables)
    me = tables["registry.Person"][0]
    assert me["name"] == NAME and me["phone"] == PHONE  # protected fields in plain text
    assert me["id_number"] == rich.person.id_number.reveal()
    assert "id_number_hash" not in me
    assert tables["casework.Case"][0]["requester_phone"] == PHONE


def test_export_is_audited_as_reveal_and_export(jinshan):
    rich = rich_person(jinshan)
    before = AuditEntry.objects.order_by("-seq").first().seq
    person_export(actor=jinshan.user("zhujing"), person=rich.person)
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == ["reveal", "export"]
    assert "phone" in entries[0].data["fields"]["registry.Person"]
    assert entries[1].data["rows"]["registry.Person"] == 1
    assert audit_verify().ok


def test_export_page_shows_counts_and_no_plain_data(client, jinshan):
    rich = rich_person(jinshan)
    _sign_in(client, jinshan.user("zhujing"))
    body = client.get(reverse("privacy:person_export", args=[rich.person.pk])).content.decode()
    assert "海外亲属" in body and PHONE not in body and rich.person.id_number.reveal() not in body


def _needles(rich) -> list[str]:
    needles = [NAME, rich.id_hash, rich.phone_hash]
    # JSON columns may store text with \\u escapes (SQLite): look for that spelling too.
    needles += [json.dumps(NAME)[1:-1]]
    return needles


def _text_columns():
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in NOT_SCANNED or model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, ProtectedField):
                continue  # ciphertext; the blind index beside it is scanned
            if isinstance(field, models.CharField | models.TextField | models.JSONField | models.FileField):
                yield table, field.column


def _rows_containing(needle: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            qn = connection.ops.quote_name
            cursor.execute(
                f"SELECT COUNT(*) FROM {qn(table)} WHERE CAST({qn(column)} AS TEXT) LIKE %s", [f"%{needle}%"]
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_scan_finds_the_person_before_erasure(jinshan):
    """The scan itself works: before erasure the name and hashes are found in many places."""
    rich = rich_person(jinshan)
    assert len(_rows_containing(NAME)) > 10
    assert "registry_person.id_number_hash" in _rows_containing(rich.id_hash)
    assert "registry_person.phone_hash" in _rows_containing(rich.phone_hash)


def test_after_erasure_no_row_contains_the_name_or_hashes(client, jinshan, django_capture_on_commit_callbacks):
    rich = rich_person(jinshan)
    _sign_in(client, jinshan.user("zhujing"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:person_erase", args=[rich.person.pk]), {"confirm_name": NAME})
    assert response.status_code == 302
    leftovers = {needle: _rows_containing(needle) for needle in _needles(rich)}
    assert not any(leftovers.values()), leftovers


def test_erasure_keeps_statistics_and_links(jinshan):
    rich = rich_person(jinshan)
    person = rich.person
    case = Case.objects.get(person=person)
    person_erase(actor=jinshan.user("admin"), person=person, confirm_name=NAME)
    person.refresh_from_db()
    assert person.name == ERASED and person.is_archived
    assert person.federation_id == jinshan.zhujing.pk and person.category and person.sex == "M"
    assert person.birth_date.year == 1961 and (person.birth_date.month, person.birth_date.day) == (1, 1)
    assert person.phone is None and person.id_number is None and person.household_id is None
    assert Registration.objects.filter(person=person).count() == 1
    assert Nomination.objects.filter(person=person).count() == 1
    case.refresh_from_db()
    assert case.type == "rights" and case.federation_id == jinshan.zhujing.pk and case.person_id is None
    assert not person.overseas_ties.exists()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "delete" and entry.target_id == str(person.pk) and NAME not in json.dumps(entry.data)
    assert audit_verify().ok


def test_erasure_requires_the_typed_name_and_changes_nothing_otherwise(client, jinshan):
    rich = rich_person(jinshan)
    _sign_in(client, jinshan.user("zhujing"))
    url = reverse("privacy:person_erase", args=[rich.person.pk])
    assert NAME in client.get(url).content.decode()
    response = client.post(url, {"confirm_name": "欧阳"})
    assert response.status_code == 200 and "不一致" in response.content.decode()
    rich.person.refresh_from_db()
    assert rich.person.name == NAME and rich.person.phone == PHONE


def test_erasure_is_atomic(jinshan, monkeypatch):
    from qiaolian.privacy import services

    rich = rich_person(jinshan)

    def broken(ctx, rows):
        raise RuntimeError("disk full")

    monkeypatch.setitem(services.HANDLERS, "person_anonymize", broken)
    with pytest.raises(RuntimeError):
        person_erase(actor=jinshan.user("admin"), person=rich.person, confirm_name=NAME)
    assert Case.objects.get(pk=Case.objects.get(person=rich.person).pk).requester_name == NAME
    assert rich.person.overseas_ties.exists()


@pytest.mark.parametrize("name", ["privacy:person_export", "privacy:person_erase"])
def test_town_user_cannot_export_or_erase_a_person_of_another_town(client, jinshan, name):
    rich = rich_person(jinshan, federation=jinshan.shihua)
    _sign_in(client, jinshan.user("zhujing"))
    url = reverse(name, args=[rich.person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm_name": NAME}).status_code == 404
    assert Person.objects.get(pk=rich.person.pk).name == NAME


@pytest.mark.parametrize("role", ["station", "leader", "auditor"])
def test_roles_without_the_permission_are_refused(client, jinshan, role):
    person = rich_person(jinshan).person
    client.force_login(jinshan.user(role))
    assert client.post(reverse("privacy:person_export", args=[person.pk])).status_code == 403


def test_person_page_links_to_export_and_erasure_only_for_permitted_users(client, jinshan):
    person = rich_person(jinshan).person
    detail = reverse("registry:person_detail", args=[person.pk])
    export = reverse("privacy:person_export", args=[person.pk])
    _sign_in(client, jinshan.user("zhujing"))
    assert export in client.get(detail).content.decode()
    client.force_login(jinshan.user("station"))
    body = client.get(detail).content.decode()
    assert export not in body and reverse("privacy:person_erase", args=[person.pk]) not in body


@pytest.mark.parametrize("name", ["privacy:person_export", "privacy:person_erase"])
def test_export_and_erasure_ask_for_the_password_again_first(client, jinshan, name):
    person = rich_person(jinshan).person
    client.force_login(jinshan.user("zhujing"))
    session = client.session
    session.pop("qiaolian_reauth_at", None)
    session.save()
    response = client.post(reverse(name, args=[person.pk]), {"confirm_name": NAME})
    assert response.status_code == 302 and "/accounts/confirm/" in response["Location"]
    assert Person.objects.get(pk=person.pk).name == NAME
    assert not AuditEntry.objects.filter(action="export", target_id=str(person.pk)).exists()
