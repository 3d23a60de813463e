"""The "my" pages of a portal user: profile changes for review, registrations with a QR ticket,
camp applications under the guardian rule, requests that open cases, replies, data download and
the deletion request."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from qiaolian.activities import services as activity_services
from qiaolian.activities.models import Registration
from qiaolian.audit.models import AuditEntry
from qiaolian.casework import services as case_services
from qiaolian.casework.models import Case
from qiaolian.liaison.models import Enrolment
from qiaolian.portal.models import Consent, DataRequest, PortalProfile, PrivacyNotice, ProfileChange
from qiaolian.portal.tests.matrix_review import make_portal_user, open_activity, open_camp
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(jinshan):
    return make_portal_user("lin", jinshan.zhujing, display_name="林海外", phone="+8613900001111", city="纽约")


def test_anonymous_goes_to_login_and_staff_have_no_my_pages(client, jinshan):
    response = client.get(reverse("portal:my_home"))
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("portal:my_home")).status_code == 403


def test_overview_counts_my_records(client, jinshan, member):
    client.force_login(member)
    response = client.get(reverse("portal:my_home"))
    assert response.status_code == 200
    assert "林海外" in response.content.decode()


def test_profile_change_creates_a_request_and_changes_nothing_yet(client, jinshan, member):
    client.force_login(member)
    page = client.get(reverse("portal:my_profile"))
    body = page.content.decode()
    assert "139****1111" in body and "13900001111" not in body
    response = client.post(
        reverse("portal:my_profile"),
        {"display_name": "林新名", "phone": "13911112222", "email": "lin@example.com", "city": "纽约", "country": "US"},
    )
    assert response.status_code == 302
    change = ProfileChange.objects.get(user=member)
    assert change.status == "pending" and change.federation == jinshan.zhujing
    assert set(change.changes) == {"display_name", "phone", "email", "country"}  # the city did not change
    assert change.changes["phone"]["masked"] == "139****2222"
    assert "13911112222" not in json.dumps(change.changes)  # the new number is stored encrypted
    member.refresh_from_db()
    profile = PortalProfile.objects.get(user=member)
    assert member.display_name == "林海外" and member.email == ""
    assert profile.phone.reveal() == "+8613900001111" and not profile.country
    listed = client.get(reverse("portal:my_profile")).content.decode()
    assert "林新名" in listed and "139****2222" in listed and "13911112222" not in listed
    assert AuditEntry.objects.filter(target_type="portal.profilechange", target_id=str(change.pk)).exists()


def test_profile_change_without_difference_is_refused(client, jinshan, member):
    client.force_login(member)
    response = client.post(reverse("portal:my_profile"), {"display_name": "林海外", "city": "纽约"})
    assert response.status_code == 422
    assert "没有需要修改的内容" in response.content.decode()
    assert not ProfileChange.objects.exists()


def test_profile_change_to_another_accounts_email_or_phone_is_refused(client, jinshan, member):
    make_portal_user("zhao", jinshan.zhujing, display_name="赵别人", phone="+8613955556666", email="zhao@example.com")
    client.force_login(member)
    taken = client.post(reverse("portal:my_profile"), {"display_name": "林海外", "email": "ZHAO@example.com"})
    assert taken.status_code == 422 and "已被其他账号使用" in taken.content.decode()
    phone = client.post(reverse("portal:my_profile"), {"display_name": "林海外", "phone": "13955556666"})
    assert phone.status_code == 422 and "已被其他账号使用" in phone.content.decode()
    assert not ProfileChange.objects.exists()


def test_self_registration_gives_a_ticket_with_a_qr_code(client, jinshan, member):
    activity = open_activity(jinshan)
    client.force_login(member)
    assert activity.title in client.get(reverse("portal:my_registrations")).content.decode()
    response = client.post(reverse("portal:activity_register", args=[activity.pk]))
    registration = Registration.objects.get(activity=activity)
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_ticket", args=[registration.pk])
    assert registration.account == member and registration.name == "林海外" and registration.person is None
    ticket = client.get(response["Location"]).content.decode()
    assert registration.code in ticket and "<svg" in ticket
    again = client.post(reverse("portal:activity_register", args=[activity.pk]))
    assert again.status_code == 422 and "请勿重复报名" in again.content.decode()
    assert Registration.objects.filter(activity=activity).count() == 1


def test_a_linked_account_registers_its_registry_person(client, jinshan, member):
    person = PersonFactory(federation=jinshan.zhujing, name="林国强")
    PortalProfile.objects.filter(user=member).update(person=person)
    activity = open_activity(jinshan)
    client.force_login(member)
    client.post(reverse("portal:activity_register", args=[activity.pk]))
    registration = Registration.objects.get(activity=activity)
    assert registration.person == person and registration.name == "林国强" and registration.account == member


def test_a_full_activity_refuses_with_the_services_message(client, jinshan, member):
    activity = open_activity(jinshan, capacity=1)
    activity_services.registration_add(actor=jinshan.user("admin"), activity=activity, name="先报名的人")
    client.force_login(member)
    response = client.post(reverse("portal:activity_register", args=[activity.pk]))
    assert response.status_code == 422 and "名额已满" in response.content.decode()
    assert not Registration.objects.filter(account=member).exists()


def test_unpublished_or_closed_activity_cannot_be_registered(client, jinshan, member):
    hidden = open_activity(jinshan, is_published=False)
    client.force_login(member)
    assert client.post(reverse("portal:activity_register", args=[hidden.pk])).status_code == 404
    assert not Registration.objects.exists()


def _enrol_data(**extra):
    today = timezone.localdate()
    return {
        "name": "林小宝",
        "foreign_name": "Leo Lin",
        "sex": "M",
        "birth_date": today.replace(year=today.year - 10).isoformat(),
        "country": "US",
        "city": "New York",
        "passport_number": "E12345678",
        **extra,
    }


def test_camp_application_for_a_child_needs_the_guardians_separate_consent(client, jinshan, member):
    camp = open_camp(jinshan)
    PrivacyNotice.objects.create(version="2026-1", text="隐私政策", text_en="Privacy", published_at=timezone.now())
    client.force_login(member)
    form = client.get(reverse("portal:camp_enrol", args=[camp.pk])).content.decode()
    assert 'name="guardian_consent"' in form and "checked" not in form.split('name="guardian_consent"')[1][:80]
    refused = client.post(reverse("portal:camp_enrol", args=[camp.pk]), _enrol_data(guardian_name="林海外"))
    assert refused.status_code == 422 and "监护人同意" in refused.content.decode()
    assert not Enrolment.objects.exists()
    response = client.post(
        reverse("portal:camp_enrol", args=[camp.pk]),
        _enrol_data(guardian_name="林海外", guardian_relation="父亲", guardian_consent="on"),
    )
    enrolment = Enrolment.objects.get(camp=camp)
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_camp", args=[enrolment.pk])
    assert enrolment.account == member and enrolment.guardian_consent and enrolment.status == "applied"
    assert enrolment.passport_number.reveal() == "E12345678"
    page = client.get(response["Location"]).content.decode()
    assert "E12345678" not in page and "E******78" in page
    consent = Consent.objects.get(user=member, purpose="guardian")
    assert consent.given_by == "林海外" and consent.separate


def test_camp_application_outside_the_age_range_is_refused(client, jinshan, member):
    camp = open_camp(jinshan)
    client.force_login(member)
    today = timezone.localdate()
    response = client.post(
        reverse("portal:camp_enrol", args=[camp.pk]),
        _enrol_data(birth_date=today.replace(year=today.year - 30).isoformat()),
    )
    assert response.status_code == 422 and "不在本营" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_camp_that_started_takes_no_applications(client, jinshan, member):
    camp = open_camp(jinshan, starts_on=dt.date(2020, 7, 1), ends_on=dt.date(2020, 7, 10))
    client.force_login(member)
    assert client.post(reverse("portal:camp_enrol", args=[camp.pk]), _enrol_data()).status_code == 404


def test_request_opens_a_case_received_online_by_my_federation(client, jinshan, member):
    client.force_login(member)
    response = client.post(
        reverse("portal:request_create"),
        {
            "kind": "consultation",
            "consultation_topic": "identity",
            "title": "归侨身份认定",
            "description": "请问如何办理。",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_request_detail", args=[case.pk])
    assert case.channel == "online" and case.type == "consultation" and case.consultation_topic == "identity"
    assert case.account == member and case.federation == jinshan.zhujing and case.state == "received"
    assert case.requester_name == "林海外" and case.requester_phone.reveal() == "+8613900001111"
    assert case.number.startswith("ZX") and case.events.count() == 1


def test_request_without_a_federation_goes_to_the_district_and_types_need_their_topic(client, jinshan):
    user = make_portal_user("wang", None, display_name="王侨胞")
    client.force_login(user)
    missing = client.post(reverse("portal:request_create"), {"kind": "aid", "title": "生活困难", "description": "x"})
    assert missing.status_code == 422 and not Case.objects.exists()
    client.post(
        reverse("portal:request_create"),
        {"kind": "suggestion", "suggestion_topic": "culture", "title": "建议", "description": "多办侨界文化活动。"},
    )
    case = Case.objects.get()
    assert case.federation == jinshan.district and case.type == "suggestion" and case.channel == "online"


def test_request_detail_shows_visible_notes_and_the_reply_never_internal_notes(client, jinshan, member):
    client.force_login(member)
    client.post(
        reverse("portal:request_create"),
        {"kind": "rights", "category": "property", "title": "老宅拆迁补偿", "description": "补偿未按侨房政策计算。"},
    )
    case = Case.objects.get()
    staff = jinshan.user("zhujing")
    case_services.note_add(actor=staff, case=case, body="已联系拆迁办，下周答复您。", is_visible_to_requester=True)
    case_services.note_add(actor=staff, case=case, body="内部：当事人情绪激动，注意沟通", is_visible_to_requester=False)
    url = reverse("portal:my_request_detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert "已联系拆迁办，下周答复您。" in body and "内部：当事人情绪激动" not in body
    assert "已收到您的申请" in body
    today = timezone.localdate()
    case = case_services.case_transition(actor=staff, case=case, to="assigned", assignee=staff, on=today)
    case = case_services.case_transition(actor=staff, case=case, to="in_progress", on=today)
    case_services.case_transition(
        actor=staff, case=case, to="resolved", outcome="solved", resolution="已按侨房政策重新核算补偿。", on=today
    )
    body = client.get(url).content.decode()
    assert "已按侨房政策重新核算补偿。" in body and "已办结" in body and "内部：" not in body


def test_data_download_contains_my_data_and_is_audited(client, jinshan, member):
    other = make_portal_user("zhao", jinshan.zhujing, display_name="赵别人", phone="+8613955556666")
    activity = open_activity(jinshan)
    client.force_login(other)
    client.post(reverse("portal:activity_register", args=[activity.pk]))
    client.post(
        reverse("portal:request_create"),
        {"kind": "suggestion", "suggestion_topic": "culture", "title": "赵的建议", "description": "赵的内容"},
    )
    client.force_login(member)
    client.post(reverse("portal:activity_register", args=[activity.pk]))
    client.post(
        reverse("portal:request_create"),
        {"kind": "consultation", "consultation_topic": "policy", "title": "林的咨询", "description": "林的内容"},
    )
    assert client.get(reverse("portal:my_data")).status_code == 200
    assert client.get(reverse("portal:my_data_download", args=["json"])).status_code == 405
    response = client.post(reverse("portal:my_data_download", args=["json"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["account"]["display_name"] == "林海外" and data["profile"]["phone"] == "139****1111"
    assert [r["name"] for r in data["registrations"]] == ["林海外"]
    assert [c["title"] for c in data["requests"]] == ["林的咨询"]
    assert "赵" not in text and "13900001111" not in text and "5555" not in text
    assert AuditEntry.objects.filter(action="export", actor=member).exists()
    workbook = client.post(reverse("portal:my_data_download", args=["xlsx"]))
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert "registrations" in sheets.sheetnames
    cells = [c.value for row in sheets["requests"].iter_rows() for c in row]
    assert "林的咨询" in cells and "赵的建议" not in cells


def test_deletion_request_needs_the_password_and_keeps_the_account_until_staff_act(client, jinshan, member):
    client.force_login(member)
    wrong = client.post(reverse("portal:my_delete"), {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 422 and "密码不正确" in wrong.content.decode()
    assert not DataRequest.objects.exists()
    unconfirmed = client.post(reverse("portal:my_delete"), {"password": PASSWORD})
    assert unconfirmed.status_code == 422 and not DataRequest.objects.exists()
    response = client.post(reverse("portal:my_delete"), {"password": PASSWORD, "confirm": "on", "detail": "不再使用"})
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert request.kind == "delete" and request.status == "received" and request.user == member
    assert request.federation == jinshan.zhujing and request.account_label == "lin"
    member.refresh_from_db()
    assert member.is_active and PortalProfile.objects.get(user=member).deletion_requested_at is not None
    page = client.get(reverse("portal:my_delete")).content.decode()
    assert "正在办理" in page and 'name="password"' not in page
    assert member.check_password(PASSWORD)  # signing in still works until staff fulfil the request
    again = client.post(reverse("portal:my_delete"), {"password": PASSWORD, "confirm": "on"})
    assert again.status_code == 422 and DataRequest.objects.count() == 1
