"""Records of every searched kind in two towns (朱泾 and 石化), written through the services as
pages and imports write them (persons partly through the import's bulk path)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from qiaolian.activities import services as activity_services
from qiaolian.casework.tests.factories import open_case
from qiaolian.core.validators import id_check_digit
from qiaolian.enterprises.tests.factories import credit_code, make_enterprise
from qiaolian.registry.models import Person
from qiaolian.registry.services import persons_bulk_create
from qiaolian.registry.tests.factories import PersonFactory


def resident_id_ending_in_x(birth: dt.date, area: str = "310228") -> str:
    for seq in range(1, 1000, 2):
        body = f"{area}{birth:%Y%m%d}{seq:03d}"
        if id_check_digit(body) == "X":
            return body + "X"
    raise AssertionError("no sequence gives the check digit X")


@dataclass
class Town:
    zhang_wei: Person
    chen: Person
    ouyang: Person
    enterprise: object
    case: object
    activity: object


def _activity(js, federation, title):
    start = timezone.make_aware(dt.datetime(2021, 3, 15, 9))
    return activity_services.activity_create(
        actor=js.user("admin"),
        data={
            "federation": federation,
            "title": title,
            "kind": "law",
            "project": "huiqiao",
            "mode": "offline",
            "place": "社区",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
        },
    )


def make_town(js, federation, *, user: str, area: str, phone: str, serial: int) -> Town:
    zhang = PersonFactory(
        federation=federation,
        name="张伟",
        id_number=resident_id_ending_in_x(dt.date(1960, 3, 1), area=area),
        phone=phone,
    )
    # the registry import's path: bulk_create, no save() signals
    made = [
        Person(federation=federation, name="陳國華", category="relative", id_number=None, phone=None),
        Person(federation=federation, name="欧阳明月", foreign_name="Mingyue Ouyang", category="returnee"),
    ]
    persons_bulk_create(actor=js.user("admin"), persons=made)
    chen = Person.objects.get(federation=federation, name="陳國華")
    ouyang = Person.objects.get(federation=federation, name="欧阳明月")
    enterprise = make_enterprise(
        js,
        user="admin",
        federation=federation,
        name="上海金山精密機械有限公司",
        credit_code=credit_code(serial),
        contact_phone=phone,
    )
    case = open_case(js, user=user, title="归侨老宅拆迁补偿争议", requester_phone=phone)
    activity = _activity(js, federation, "侨法宣传咨询进社区")
    return Town(zhang, chen, ouyang, enterprise, case, activity)


@pytest.fixture
def towns(jinshan):
    return {
        "zhujing": make_town(
            jinshan, jinshan.zhujing, user="zhujing", area="310228", phone="+8613912345678", serial=501
        ),
        "shihua": make_town(jinshan, jinshan.shihua, user="shihua", area="310116", phone="+8613987654321", serial=502),
    }
