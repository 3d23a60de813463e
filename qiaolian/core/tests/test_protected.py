import pytest
from django.db import connection
from django.template import Context, Template

from qiaolian.core.masking import Kind, mask
from qiaolian.core.protected import ProtectedValue, lookup_hash
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ID = "310228195003021238"


def test_id_numbers_and_phones_are_encrypted_at_rest(jinshan):
    person = PersonFactory(federation=jinshan.zhujing, id_number=ID, phone="+8613812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address FROM registry_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()
    assert ID not in raw[0] and "13812345678" not in raw[1] and "朱泾镇" not in raw[2]
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.id_number.reveal() == ID


def test_protected_values_render_masked_by_default(jinshan):
    person = PersonFactory(federation=jinshan.zhujing, id_number=ID, phone="+8613812345678")
    fresh = Person.objects.get(pk=person.pk)
    assert str(fresh.id_number) == "310228********1238"
    assert str(fresh.phone) == "138****5678"
    html = Template("{{ p.id_number }} {{ p.id_number.reveal }} {{ p.phone }}").render(Context({"p": fresh}))
    assert ID not in html and "13812345678" not in html


def test_exact_lookup_through_the_keyed_hash(jinshan):
    person = PersonFactory(federation=jinshan.zhujing, id_number=ID)
    found = Person.objects.get(id_number_hash=lookup_hash(Kind.ID_NUMBER, ID))
    assert found.pk == person.pk
    assert Person.objects.filter(id_number_hash=lookup_hash(Kind.ID_NUMBER, "310228195003021246")).count() == 0


def test_hash_follows_changes_and_clears_with_the_value(jinshan):
    person = PersonFactory(federation=jinshan.zhujing, id_number=ID)
    person.id_number = None
    person.save()
    assert Person.objects.get(pk=person.pk).id_number_hash is None


def test_ciphertext_cannot_be_filtered_directly():
    with pytest.raises(Exception):  # noqa: B017 - Django raises FieldError for an unsupported lookup
        list(Person.objects.filter(id_number=ID))


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        (Kind.ID_NUMBER, "31022819500302123X", "310228********123X"),
        (Kind.ID_NUMBER, "E12345678", "E******78"),
        (Kind.PHONE, "+8613812345678", "138****5678"),
        (Kind.PHONE, "+85291234567", "+852*****567"),
        (Kind.ADDRESS, "上海市金山区朱泾镇人民路1号", "上海市金山区****"),
    ],
)
def test_masking_rules(kind, value, masked):
    assert mask(kind, value) == masked


def test_protected_value_compares_by_plain_value():
    assert ProtectedValue(Kind.PHONE, plain="+8613812345678") == "+8613812345678"
