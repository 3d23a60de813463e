"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py)."""

import datetime as dt

from qiaolian.liaison import services
from qiaolian.testing import Route

ROUTES = {
    "liaison:association_list": Route("liaison.view_association"),
    "liaison:association_create": Route("liaison.change_association"),
    "liaison:association_detail": Route("liaison.view_association", "association"),
    "liaison:association_edit": Route("liaison.change_association", "association"),
    "liaison:contact_list": Route("liaison.view_contact"),
    "liaison:contact_create": Route("liaison.change_contact"),
    "liaison:contact_detail": Route("liaison.view_contact", "contact"),
    "liaison:contact_edit": Route("liaison.change_contact", "contact"),
    "liaison:contact_action": Route("liaison.change_contact", "contact", "post", ("interaction",)),
    "liaison:followup_list": Route("liaison.view_contact"),
    "liaison:followup_complete": Route("liaison.change_contact", "followup", "post"),
    "liaison:camp_list": Route("liaison.view_camp"),
    "liaison:camp_create": Route("liaison.change_camp"),
    "liaison:camp_detail": Route("liaison.view_camp", "camp"),
    "liaison:camp_edit": Route("liaison.change_camp", "camp"),
    "liaison:enrolment_create": Route("liaison.change_camp", "camp"),
    "liaison:camp_action": Route("liaison.change_camp", "camp", "post", ("attendance",)),
    "liaison:enrolment_status": Route("liaison.change_camp", "enrolment", "post"),
    "liaison:camp_certificates": Route("liaison.view_camp", "camp"),
    "liaison:enrolment_certificate": Route("liaison.view_camp", "enrolment"),
}

API_OPERATIONS = {
    ("get", "/associations"): ("liaison.view_association", None, None),
    ("get", "/contacts"): ("liaison.view_contact", None, None),
    ("get", "/camps"): ("liaison.view_camp", None, None),
    ("get", "/camps/{camp_id}"): ("liaison.view_camp", "camp", None),
    ("get", "/camps/{camp_id}/enrolments"): ("liaison.view_camp", "camp", None),
}


def records(js, federation, tag, admin) -> dict:
    association = services.association_create(
        actor=admin,
        data={"federation": federation, "name": f"{tag}美国同乡会", "type": "hometown", "country": "US"},
    )
    contact = services.contact_create(
        actor=admin,
        data={
            "federation": federation,
            "name": f"{tag}联系人",
            "kind": "talent",
            "country": "US",
            "association": association,
            "phone": "+14155550123" if tag == "朱泾" else "+14155550124",
        },
    )
    follow_up = services.follow_up_add(actor=admin, contact=contact, due_on=dt.date(2022, 1, 1), what="回访")
    camp = services.camp_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}寻根夏令营",
            "starts_on": dt.date(2019, 7, 10),
            "ends_on": dt.date(2019, 7, 20),
            "capacity": 10,
        },
    )
    services.session_add(actor=admin, camp=camp, date=dt.date(2019, 7, 11), topic="参观")
    enrolment = services.enrolment_add(
        actor=admin,
        camp=camp,
        data={
            "name": f"{tag}营员",
            "birth_date": dt.date(2005, 1, 1),
            "country": "US",
            "passport_number": "E12345678",
            "status": "admitted",
        },
    )
    return {"association": association, "contact": contact, "followup": follow_up, "camp": camp, "enrolment": enrolment}
