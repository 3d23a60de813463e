"""Factories for registry records. Persons get valid synthetic resident ID numbers."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from qiaolian.core.validators import id_check_digit
from qiaolian.registry import choices as c
from qiaolian.registry.models import Household, OverseasTie, Person
from qiaolian.registry.services import _derive_keys

_serial = itertools.count(1)


def resident_id(birth: dt.date, *, male: bool = True, area: str = "310228", serial: int | None = None) -> str:
    """A valid 18-digit number for ``birth`` (synthetic: the sequence code is arbitrary)."""
    n = next(_serial) if serial is None else serial
    seq = (n * 2) % 1000
    seq = seq + 1 if male else seq  # odd for men, even for women
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + id_check_digit(body)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Iterator(["张建国", "李秀英", "王志强", "陈美玲", "刘德华", "黄丽娟", "周文博", "吴晓梅"])
    sex = c.Sex.MALE
    birth_date = factory.Sequence(lambda n: dt.date(1950, 1, 1) + dt.timedelta(days=97 * n))
    id_type = c.IdType.RESIDENT_ID
    id_number = factory.LazyAttribute(lambda o: resident_id(o.birth_date, male=o.sex == c.Sex.MALE))
    category = c.Category.RELATIVE
    phone = factory.Sequence(lambda n: f"+86138{n % 100000000:08d}")
    address = "上海市金山区朱泾镇人民路1号"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        person = model_class(*args, **kwargs)
        _derive_keys(person)
        person.save()
        return person


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    label = factory.Sequence(lambda n: f"测试户{n}")
    address = "上海市金山区朱泾镇东林街2号"


class OverseasTieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OverseasTie

    name = "张明"
    relation = c.RelativeRelation.SON
    status = c.RelativeStatus.OVERSEAS_CHINESE
    country = "US"
    city = "旧金山"
