import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _without_append_only_trigger():
    """Tests that play the attacker first remove the database's guard (in their transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")


def _record(n, jinshan):
    for i in range(n):
        audit_record(actor=jinshan.user("staff"), action=Action.CHANGE, data={"i": i})


def test_entries_chain_and_verify(jinshan):
    _record(5, jinshan)
    report = audit_verify()
    assert report.ok
    assert report.checked == AuditEntry.objects.count()
    entries = list(AuditEntry.objects.order_by("seq"))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


def test_altering_an_entry_is_caught_at_that_entry(jinshan):
    _record(5, jinshan)
    victim = AuditEntry.objects.order_by("seq")[3]
    _without_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = 'someone-else' WHERE seq = %s", [victim.seq])
    report = audit_verify()
    assert not report.ok
    assert report.first_broken_seq == victim.seq
    assert "altered" in report.reason


def test_removing_an_entry_is_caught(jinshan):
    _record(5, jinshan)
    victim = AuditEntry.objects.order_by("seq")[2]
    _without_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])
    report = audit_verify()
    assert report.first_broken_seq == victim.seq


def test_cutting_off_the_newest_entries_is_caught(jinshan):
    _record(5, jinshan)
    last = AuditEntry.objects.order_by("-seq").first()
    _without_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [last.seq])
    report = audit_verify()
    assert not report.ok and "removed" in report.reason


def test_application_cannot_change_or_delete_entries(jinshan):
    _record(1, jinshan)
    entry = AuditEntry.objects.first()
    entry.actor_name = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_database_refuses_updates(jinshan):
    _record(1, jinshan)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = 'x'")


def test_entry_rolls_back_with_the_change_it_describes(jinshan):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=jinshan.user("staff"), action=Action.CHANGE)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok
