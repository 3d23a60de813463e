"""``core.bulk.copy_insert``: rows written by COPY are the rows ``bulk_create`` writes."""

from __future__ import annotations

import pytest
from django.db import connection

from qiaolian.core.bulk import copy_insert
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person
from qiaolian.registry.services import _derive_keys
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "created_at", "updated_at", "id_number", "phone", "address"}  # encrypted: random nonce


def _persons(fed, count: int, offset: int) -> list[Person]:
    persons = PersonFactory.build_batch(count, federation=fed, hardship_types=[c.Hardship.ELDERLY])
    for i, person in enumerate(persons):
        person.name = f"张{'建国秀英志强'[i % 6]}{offset}"
        person.foreign_name = "Chang" if i % 2 else ""
        _derive_keys(person)
    return persons


def _plain(value) -> str:
    return value.reveal() if hasattr(value, "reveal") else str(value)


def _stored(ids) -> list[dict]:
    rows = Person.objects.filter(pk__in=ids).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in SKIPPED} for row in rows]


def test_copy_insert_writes_what_bulk_create_writes(jinshan):
    copied = _persons(jinshan.zhujing, 5, 1)
    created = _persons(jinshan.zhujing, 5, 1)
    for person, twin in zip(copied, created, strict=True):
        twin.id_number, twin.phone = person.id_number, person.phone
        twin.birth_date = person.birth_date
        _derive_keys(twin)
    before = set(Person.objects.values_list("pk", flat=True))
    assert copy_insert(Person, copied) == 5
    copied_ids = set(Person.objects.values_list("pk", flat=True)) - before
    # Read back and decrypted: the values went through the field's encryption.
    stored = sorted((p.id_number.reveal(), p.phone.reveal()) for p in Person.objects.filter(pk__in=copied_ids))
    assert stored == sorted((_plain(p.id_number), _plain(p.phone)) for p in copied)
    copied_rows = _stored(copied_ids)
    Person.objects.filter(pk__in=copied_ids).delete()
    Person.objects.bulk_create(created)
    created_rows = _stored([p.pk for p in created])
    assert copied_rows == created_rows
    assert copied_rows[0]["hardship_types"] == [c.Hardship.ELDERLY]
    assert copied_rows[0]["id_number_hash"] and copied_rows[0]["name_pinyin"]


def test_copy_insert_is_bulk_create_elsewhere_and_with_nothing_to_insert(jinshan):
    assert copy_insert(Person, []) == 0
    persons = _persons(jinshan.zhujing, 2, 2)
    copy_insert(Person, persons)
    if connection.vendor != "postgresql":
        assert all(p.pk for p in persons)  # bulk_create set them
    assert Person.objects.filter(name__in=[p.name for p in persons]).count() == 2
