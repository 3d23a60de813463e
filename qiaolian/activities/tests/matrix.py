"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py)."""

import datetime as dt
import io
import types

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qiaolian.activities import services
from qiaolian.activities.models import Brand
from qiaolian.testing import Route

ROUTES = {
    "activities:activity_list": Route("activities.view_activity"),
    "activities:activity_create": Route("activities.change_activity"),
    "activities:calendar": Route("activities.view_activity"),
    "activities:stats": Route("activities.view_activity"),
    "activities:activity_detail": Route("activities.view_activity", "activity"),
    "activities:activity_edit": Route("activities.change_activity", "activity"),
    "activities:activity_transition": Route("activities.change_activity", "activity", "post"),
    "activities:activity_step": Route("activities.change_activity", "activity", "post", ("report",)),
    "activities:person_search": Route("activities.register", "activity"),
    "activities:checkin": Route("activities.check_in", "activity"),
    "activities:registration_ticket": Route("activities.register", "registration"),
    "activities:registration_remove": Route("activities.register", "registration", "post"),
    "activities:checkin_code": Route("activities.check_in", "registration_code"),
    "activities:photo_file": Route("activities.view_activity", "photo"),
    "activities:photo_remove": Route("activities.change_activity", "photo", "post"),
    "activities:attachment_file": Route("activities.view_activity", "attachment"),
    "activities:person_participation": Route("registry.view_person", "person"),
    "activities:campaign_list": Route("activities.view_campaign"),
    "activities:campaign_create": Route("activities.change_campaign"),
    "activities:campaign_detail": Route("activities.view_campaign", "campaign"),
    "activities:campaign_edit": Route("activities.change_campaign", "campaign"),
    "activities:brand_list": Route("activities.view_campaign"),
    "activities:brand_create": Route("activities.manage_brands"),
    "activities:brand_edit": Route("activities.manage_brands", "brand"),
}

API_OPERATIONS = {
    ("get", "/activities"): ("activities.view_activity", None, None),
    ("get", "/activities/stats"): ("activities.view_activity", None, None),
    ("get", "/activities/{activity_id}"): ("activities.view_activity", "activity", None),
    ("get", "/activities/{activity_id}/participations"): ("activities.view_activity", "activity", None),
    ("post", "/activities/{activity_id}/checkin"): ("activities.check_in", "activity", {"code": "AAAA3333"}),
    ("get", "/campaigns"): ("activities.view_campaign", None, None),
    ("get", "/campaigns/{campaign_id}"): ("activities.view_campaign", "campaign", None),
}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("matrix.png", buffer.getvalue(), content_type="image/png")


def records(js, federation, tag, admin) -> dict:
    campaign = services.campaign_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}2021年侨法宣传月",
            "project": "huiqiao",
            "starts_on": dt.date(2021, 3, 1),
            "ends_on": dt.date(2021, 3, 31),
        },
    )
    start = timezone.make_aware(dt.datetime(2021, 3, 15, 9))
    activity = services.activity_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}侨法宣传咨询",
            "kind": "law",
            "project": "huiqiao",
            "campaign": campaign,
            "mode": "offline",
            "place": f"{tag}社区",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
        },
    )
    registration = services.registration_add(actor=admin, activity=activity, name=f"{tag}参与者")
    photo = services.photo_add(actor=admin, activity=activity, image=_png(), caption="合影")
    attachment = services.attachment_add(
        actor=admin, activity=activity, file=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4", "application/pdf")
    )
    brand = Brand.objects.create(name=f"{tag}品牌", project="ningxin")
    return {
        "campaign": campaign,
        "activity": activity,
        "registration": registration,
        "registration_code": types.SimpleNamespace(pk=registration.code),
        "photo": photo,
        "attachment": attachment,
        "brand": brand,
    }
