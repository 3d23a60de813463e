"""Staff review of portal accounts: profile changes applied or rejected, accounts linked to
registry persons, deletion requests fulfilled by anonymizing and detaching; all within the
reviewer's jurisdiction."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from qiaolian.activities.models import Registration
from qiaolian.audit.models import AuditEntry
from qiaolian.casework.models import Case
from qiaolian.liaison.models import Enrolment
from qiaolian.portal import mine
from qiaolian.portal.models import Consent, DataRequest, PortalProfile, PrivacyNotice, ProfileChange
from qiaolian.portal.tests.matrix_review import make_portal_user, open_activity, open_camp
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(jinshan):
    return make_portal_user("lin", jinshan.zhujing, display_name="林海外", phone="+8613900001111")


def _change(user, **data):
    base = {"display_name": user.display_name, "city": ""}
    return mine.profile_change_request(user=user, data={**base, **data})


def test_approving_a_change_applies_it_to_the_account_profile_and_linked_person(client, jinshan, member):
    person = PersonFactory(federation=jinshan.zhujing, name="林国强", phone="+8613700000000", email="")
    PortalProfile.objects.filter(user=member).update(person=person)
    change = _change(member, display_name="林新名", phone="13911112222", email="lin@example.com", city="纽约")
    client.force_login(jinshan.user("zhujing"))
    listing = client.get(reverse("portal_staff:change_list")).content.decode()
    assert reverse("portal_staff:change_detail", args=[change.pk]) in listing
    detail = client.get(reverse("portal_staff:change_detail", args=[change.pk])).content.decode()
    assert "139****2222" in detail and "13911112222" not in detail
    assert "139****1111" in detail and "13900001111" not in detail  # the current number beside it, masked
    response = client.post(reverse("portal_staff:change_approve", args=[change.pk]), {"note": ""})
    assert response.status_code == 302
    change.refresh_from_db()
    member.refresh_from_db()
    profile = PortalProfile.objects.get(user=member)
    person.refresh_from_db()
    assert change.status == "approved" and change.reviewed_by == jinshan.user("zhujing")
    assert member.display_name == "林新名" and member.email == "lin@example.com"
    assert profile.phone.reveal() == "+8613911112222" and profile.city == "纽约"
    assert person.phone.reveal() == "+8613911112222" and person.email == "lin@example.com"
    assert person.name == "林国强"  # the registered name is not the account's display name
    assert AuditEntry.objects.filter(target_type="registry.person", target_id=str(person.pk), action="change").exists()
    again = client.post(reverse("portal_staff:change_approve", args=[change.pk]))
    assert again.status_code == 200 and "已审核" in again.content.decode()


def test_rejecting_a_change_needs_a_note_and_applies_nothing(client, jinshan, member):
    change = _change(member, display_name="林新名")
    client.force_login(jinshan.user("staff"))
    refused = client.post(reverse("portal_staff:change_reject", args=[change.pk]), {"note": ""})
    assert refused.status_code == 200 and "请填写不予通过的理由" in refused.content.decode()
    client.post(reverse("portal_staff:change_reject", args=[change.pk]), {"note": "姓名与证件不符"})
    change.refresh_from_db()
    member.refresh_from_db()
    assert change.status == "rejected" and change.note == "姓名与证件不符"
    assert member.display_name == "林海外"
    client.force_login(member)
    assert "姓名与证件不符" in client.get(reverse("portal:my_profile")).content.decode()


def test_staff_link_an_account_to_a_person_after_verifying_and_can_unlink(client, jinshan, member):
    person = PersonFactory(federation=jinshan.zhujing, name="林海外")
    foreign = PersonFactory(federation=jinshan.shihua, name="林海外")
    profile = PortalProfile.objects.get(user=member)
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("portal_staff:account_detail", args=[profile.pk])).content.decode()
    assert f'value="{person.pk}"' in page and f'value="{foreign.pk}"' not in page
    unverified = client.post(reverse("portal_staff:account_link", args=[profile.pk]), {"person": person.pk})
    assert unverified.status_code == 200 and "请先核实身份" in unverified.content.decode()
    outside = client.post(
        reverse("portal_staff:account_link", args=[profile.pk]), {"person": foreign.pk, "verified": "on"}
    )
    assert outside.status_code == 200
    profile.refresh_from_db()
    assert profile.person is None
    client.post(reverse("portal_staff:account_link", args=[profile.pk]), {"person": person.pk, "verified": "on"})
    profile.refresh_from_db()
    assert profile.person == person and profile.person_linked_by == jinshan.user("zhujing")
    assert profile.person_linked_at is not None
    assert AuditEntry.objects.filter(target_type="portal.portalprofile", target_id=str(profile.pk)).exists()
    client.post(reverse("portal_staff:account_unlink", args=[profile.pk]))
    profile.refresh_from_db()
    assert profile.person is None and profile.person_linked_at is None


def test_fulfilling_a_deletion_anonymizes_the_account_and_detaches_its_records(client, jinshan, member):
    notice = PrivacyNotice.objects.create(version="2026-1", text="隐私", text_en="Privacy", published_at=timezone.now())
    Consent.objects.create(user=member, notice=notice, purpose="privacy", given_by="林海外", given_at=timezone.now())
    registration = mine.registration_self_add(user=member, activity=open_activity(jinshan))
    today = timezone.localdate()
    enrolment = mine.enrolment_self_add(
        user=member,
        camp=open_camp(jinshan),
        data={"name": "林海外", "birth_date": today.replace(year=today.year - 16), "country": "US"},
    )
    case = mine.request_submit(user=member, kind="consultation", title="咨询", description="政策咨询", topic="policy")
    _change(member, display_name="林新名")
    request = mine.deletion_request(user=member, password=PASSWORD)
    client.force_login(jinshan.user("zhujing"))
    listing = client.get(reverse("portal_staff:request_list")).content.decode()
    assert reverse("portal_staff:request_detail", args=[request.pk]) in listing
    response = client.post(reverse("portal_staff:request_fulfil", args=[request.pk]), {"reason": "已按申请注销"})
    assert response.status_code == 302
    member.refresh_from_db()
    profile = PortalProfile.objects.get(user=member)
    assert not member.is_active and not member.has_usable_password()
    assert member.username == f"deleted-{member.pk}" and member.email == "" and member.display_name == ""
    assert profile.phone is None and profile.city == "" and profile.person is None
    assert not Consent.objects.filter(user=member, withdrawn_at__isnull=True).exists()
    assert not ProfileChange.objects.filter(user=member).exists()
    # the federation's records stay, without the account
    assert Registration.objects.get(pk=registration.pk).account is None
    assert Enrolment.objects.get(pk=enrolment.pk).account is None
    assert Case.objects.get(pk=case.pk).account is None
    request.refresh_from_db()
    assert request.status == "fulfilled" and request.account_label == "lin" and request.handled_by is not None
    entry = AuditEntry.objects.get(action="delete", target_type="accounts.user", target_id=str(member.pk))
    assert entry.data["detached"]["registrations"] == 1 and entry.data["detached"]["cases"] == 1


def test_refusing_a_deletion_needs_a_reason_and_keeps_the_account(client, jinshan, member):
    request = mine.deletion_request(user=member, password=PASSWORD)
    client.force_login(jinshan.user("staff"))
    assert client.post(reverse("portal_staff:request_refuse", args=[request.pk]), {"reason": ""}).status_code == 200
    client.post(reverse("portal_staff:request_refuse", args=[request.pk]), {"reason": "存在未结案件，依法暂缓"})
    request.refresh_from_db()
    member.refresh_from_db()
    assert request.status == "refused" and member.is_active and member.username == "lin"
    assert PortalProfile.objects.get(user=member).deletion_requested_at is None


def test_town_staff_cannot_see_another_towns_changes_requests_or_accounts(client, jinshan, member):
    change = _change(member, display_name="林新名")
    request = mine.deletion_request(user=member, password=PASSWORD)
    profile = PortalProfile.objects.get(user=member)
    client.force_login(jinshan.user("shihua"))
    assert (
        reverse("portal_staff:change_detail", args=[change.pk])
        not in client.get(reverse("portal_staff:change_list")).content.decode()
    )
    assert (
        reverse("portal_staff:request_detail", args=[request.pk])
        not in client.get(reverse("portal_staff:request_list")).content.decode()
    )
    assert "林海外" not in client.get(reverse("portal_staff:account_list")).content.decode()
    for name, pk in (
        ("portal_staff:change_detail", change.pk),
        ("portal_staff:request_detail", request.pk),
        ("portal_staff:account_detail", profile.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    for name, pk in (
        ("portal_staff:change_approve", change.pk),
        ("portal_staff:request_fulfil", request.pk),
        ("portal_staff:account_unlink", profile.pk),
    ):
        assert client.post(reverse(name, args=[pk])).status_code == 404
    change.refresh_from_db()
    request.refresh_from_db()
    assert change.status == "pending" and request.status == "received"
    # the district sees the town's, and an account without a federation is the district's only
    nobody = make_portal_user("wang", None, display_name="王无镇")
    client.force_login(jinshan.user("staff"))
    assert client.get(reverse("portal_staff:change_detail", args=[change.pk])).status_code == 200
    assert "王无镇" in client.get(reverse("portal_staff:account_list")).content.decode()
    client.force_login(jinshan.user("zhujing"))
    assert "王无镇" not in client.get(reverse("portal_staff:account_list")).content.decode()
    assert client.get(reverse("portal_staff:account_detail", args=[nobody.portal_profile.pk])).status_code == 404


def test_roles_without_review_rights_are_refused(client, jinshan, member):
    for role in ("station", "leader", "judge", "public"):
        client.force_login(jinshan.user(role))
        assert client.get(reverse("portal_staff:change_list")).status_code == 403
    assert DataRequest.objects.count() == 0
