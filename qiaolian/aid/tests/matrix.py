"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py). Record kinds are prefixed where another app already uses the plain name
(activities has a ``campaign``)."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qiaolian.aid import services
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.testing import Route

ROUTES = {
    "aid:campaign_list": Route("aid.view_campaign"),
    "aid:campaign_create": Route("aid.change_campaign"),
    "aid:stats": Route("aid.view_campaign"),
    "aid:campaign_detail": Route("aid.view_campaign", "aid_campaign"),
    "aid:campaign_edit": Route("aid.change_campaign", "aid_campaign"),
    "aid:campaign_transition": Route("aid.change_campaign", "aid_campaign", "post"),
    "aid:standard_add": Route("aid.change_campaign", "aid_campaign", "post"),
    "aid:standard_remove": Route("aid.change_campaign", "aid_standard", "post"),
    "aid:nominate": Route("aid.nominate", "aid_campaign"),
    "aid:person_search": Route("aid.nominate", "aid_campaign"),
    "aid:bulk_approve": Route("aid.approve", "aid_campaign", "post"),
    "aid:bulk_handover": Route("aid.hand_over", "aid_campaign", "post"),
    "aid:sheet": Route("aid.export_sheet", "aid_campaign", "get", ("xlsx",)),
    "aid:nomination_list": Route("aid.view_nomination"),
    "aid:nomination_detail": Route("aid.view_nomination", "nomination"),
    "aid:nomination_approve": Route("aid.approve", "nomination", "post"),
    "aid:nomination_decide": Route("aid.approve", "nomination", "post"),
    "aid:nomination_withdraw": Route("aid.nominate", "nomination", "post"),
    "aid:handover": Route("aid.hand_over", "nomination"),
    "aid:handover_file": Route("aid.view_nomination", "handover", "get", ("photo",)),
    "aid:person_aid": Route("aid.view_nomination", "person"),
    "aid:donation_list": Route("aid.view_donation"),
    "aid:donation_create": Route("aid.change_donation"),
    "aid:donation_detail": Route("aid.view_donation", "donation"),
    "aid:donation_edit": Route("aid.change_donation", "donation"),
    "aid:allocation_add": Route("aid.change_donation", "donation", "post"),
    "aid:allocation_remove": Route("aid.change_donation", "allocation", "post"),
}

API_OPERATIONS = {
    ("get", "/aid/campaigns"): ("aid.view_campaign", None, None),
    ("get", "/aid/campaigns/{aid_campaign_id}"): ("aid.view_campaign", "aid_campaign", None),
    ("get", "/aid/nominations"): ("aid.view_nomination", None, None),
    ("post", "/aid/nominations"): ("aid.nominate", None, {}),
    ("get", "/aid/nominations/{nomination_id}"): ("aid.view_nomination", "nomination", None),
    ("post", "/aid/nominations/{nomination_id}/approve"): ("aid.approve", "nomination", {}),
    ("post", "/aid/nominations/{nomination_id}/handover"): ("aid.hand_over", "nomination", {}),
    ("get", "/aid/handovers"): ("aid.view_nomination", None, None),
    ("get", "/aid/stats"): ("aid.view_campaign", None, None),
    ("get", "/aid/donations"): ("aid.view_donation", None, None),
    ("post", "/aid/donations"): ("aid.change_donation", None, {}),
    ("get", "/aid/donations/{donation_id}"): ("aid.view_donation", "donation", None),
    ("post", "/aid/donations/{donation_id}/allocations"): ("aid.change_donation", "donation", {}),
}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 60, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("visit.png", buffer.getvalue(), content_type="image/png")


def records(js, federation, tag, admin) -> dict:
    campaign = services.campaign_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}2021年冬送温暖",
            "kind": "winter",
            "starts_on": dt.date(2021, 12, 1),
            "ends_on": dt.date(2022, 1, 31),
            "budget": Decimal("10000"),
        },
    )
    standard = services.standard_add(
        actor=admin, campaign=campaign, data={"label": "困难归侨侨眷", "amount": Decimal("800"), "goods": "大米一袋"}
    )

    def needy(name: str, year: int):
        return PersonFactory(
            federation=federation,
            name=name,
            birth_date=dt.date(year, 3, 3),
            is_in_hardship=True,
            hardship_types=["elderly", "ill"],
        )

    served = services.nomination_create(actor=admin, campaign=campaign, person=needy(f"{tag}高龄侨眷", 1935))
    services.nomination_approve(actor=admin, nomination=served)
    handover = services.handover_record(
        actor=admin,
        nomination=served,
        data={"visited_on": dt.date(2021, 12, 20), "visitors": "王主席", "cash_amount": 800, "photo": _png()},
    )
    pending = services.nomination_create(actor=admin, campaign=campaign, person=needy(f"{tag}困难归侨", 1938))
    donation = services.donation_create(
        actor=admin,
        data={
            "federation": federation,
            "donor_name": f"{tag}旅美同乡会",
            "donor_kind": "association",
            "received_on": dt.date(2021, 11, 10),
            "kind": "money",
            "amount": Decimal("50000"),
        },
    )
    allocation = services.allocation_add(
        actor=admin,
        donation=donation,
        data={"campaign": campaign, "allocated_on": dt.date(2021, 12, 1), "amount": Decimal("5000")},
    )
    return {
        "aid_campaign": campaign,
        "aid_standard": standard,
        "nomination": pending,
        "handover": handover,
        "donation": donation,
        "allocation": allocation,
    }
