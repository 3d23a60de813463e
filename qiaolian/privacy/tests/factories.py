"""A richly linked person: a row in every place of the privacy policy, with the person's name and
phone copied where real work copies them (requester name, contact, author, household label …)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from qiaolian.accounts.models import Role
from qiaolian.activities.models import Activity, Registration, Session, SessionAttendance
from qiaolian.aid.models import HandOver, Nomination
from qiaolian.aid.tests.factories import winter
from qiaolian.casework.models import CaseAttachment, CaseNote
from qiaolian.casework.tests.factories import open_case
from qiaolian.contests.models import Objection, Score
from qiaolian.contests.tests.factories import contest_make, entry_make
from qiaolian.enterprises.models import Appeal, InvestmentLead, Visit
from qiaolian.enterprises.tests.factories import make_enterprise
from qiaolian.liaison.models import FollowUp, Interaction, OverseasContact
from qiaolian.linkage.models import CandidatePair
from qiaolian.linkage.services import persons_merge
from qiaolian.orgs import services as org_services
from qiaolian.portal.models import Consent, PortalProfile, PrivacyNotice
from qiaolian.registry.models import ImportBatch, ImportIssue, Person
from qiaolian.registry.tests.factories import HouseholdFactory, OverseasTieFactory, PersonFactory, resident_id
from qiaolian.testing import make_user

NAME = "欧阳思齐"
PHONE = "+8613700001234"


@dataclass
class Rich:
    person: Person
    id_hash: str
    phone_hash: str


def rich_person(js, *, federation=None, name: str = NAME, phone: str = PHONE) -> Rich:
    federation = federation or js.zhujing
    admin = js.user("admin")
    now = timezone.now()
    batch = ImportBatch.objects.create(federation=federation, created_by=admin, file_name="名单.xlsx", status="done")
    ImportIssue.objects.create(batch=batch, row_number=3, column="姓名", value=name, reason="疑似重复", is_warning=True)
    household = HouseholdFactory(federation=federation, label=f"{name}户")
    person = PersonFactory(
        federation=federation,
        name=name,
        birth_date=dt.date(1961, 3, 8),
        id_number=resident_id(dt.date(1961, 3, 8)),
        phone=phone,
        email="siqi@example.com",
        wechat="siqi61",
        household=household,
        household_relation="head",
        import_batch=batch,
        notes=f"{name}曾任侨资企业顾问",
    )
    # The registry: own overseas relatives, and another person's tie naming this person.
    OverseasTieFactory(person=person)
    other = PersonFactory(federation=federation, name="司马远")
    OverseasTieFactory(person=other, relative_person=person, name=name)
    # Organisation: a committee seat, a group membership, a mentoring pair.
    term = org_services.term_create(
        actor=admin, federation=federation, number=6, starts_on=dt.date(2022, 11, 1), ends_on=dt.date(2027, 10, 31)
    )
    seat = org_services.committee_member_add(actor=admin, term=term, name=name, role="vice_chair")
    type(seat).objects.filter(pk=seat.pk).update(person=person)
    group = org_services.group_create(actor=admin, federation=federation, name="侨界文艺队", kind="arts")
    org_services.group_member_add(actor=admin, group=group, name=name, person=person, role="成员")
    mentoring = org_services.group_create(actor=admin, federation=federation, name="青年结对", kind="mentoring")
    org_services.mentoring_pair_add(actor=admin, group=mentoring, mentor_person=person, mentee_name="小李")
    # Liaison: the person as an overseas contact, with its history, and a lead they introduced.
    contact = OverseasContact.objects.create(
        federation=federation, name=name, kind="talent", country="SG", person=person, phone=phone
    )
    Interaction.objects.create(
        contact=contact, occurred_on=dt.date(2024, 5, 1), kind="meeting", summary=f"与{name}座谈"
    )
    FollowUp.objects.create(contact=contact, due_on=dt.date(2024, 6, 1), what=f"回访{name}")
    InvestmentLead.objects.create(
        federation=federation, project="精密机械项目", investor_country="SG", industry="heavy",
        introduced_on=dt.date(2024, 5, 2), stage_on=dt.date(2024, 5, 2), introducer_contact=contact,
        introducer_name=name,
    )  # fmt: skip
    # Activities: a registration with an attended session.
    activity = Activity.objects.create(
        federation=federation, title="侨界学习会", kind="study", project="ningxin",
        starts_at=now, ends_at=now + dt.timedelta(hours=2),
    )  # fmt: skip
    registration = Registration.objects.create(
        activity=activity, person=person, name=name, participant_key=f"p{person.pk}", code="R00001"
    )
    session = Session.objects.create(activity=activity, starts_at=now, topic="政策宣讲")
    SessionAttendance.objects.create(session=session, registration=registration)
    # Enterprises and cases: the person's enterprise, a visit with an appeal that became a case.
    enterprise = make_enterprise(js, federation=federation, person=person, contact_name=name, contact_phone=phone)
    case = open_case(
        js,
        user="shihua" if federation == js.shihua else "zhujing",
        person=person,
        requester_name=name,
        requester_phone=phone,
        title=f"{name}老宅补偿诉求",
    )
    CaseNote.objects.create(case=case, body=f"{name}补充了材料")
    CaseAttachment.objects.create(case=case, title="身份证复印件", file=ContentFile(b"%PDF", name="id.pdf"))
    visit = Visit.objects.create(enterprise=enterprise, visited_on=dt.date(2024, 4, 1), notes="走访")
    Appeal.objects.create(
        visit=visit, enterprise=enterprise, topic="finance", title="贷款", description="延长贷款期限",
        raised_on=dt.date(2024, 4, 1), case=case,
    )  # fmt: skip
    # Aid: a nomination with its hand-over.
    nomination = Nomination.objects.create(
        campaign=winter(js), person=person, federation=federation, category=person.category,
        nominated_at=now, reason=f"{name}年老多病",
    )  # fmt: skip
    HandOver.objects.create(
        nomination=nomination, visited_on=dt.date(2024, 1, 20), visitors="王干事", recorded_at=now,
        received_by=name, photo=ContentFile(b"\x89PNG", name="p.png"),
    )  # fmt: skip
    # Contests: an entry with a score and an objection.
    contest = contest_make(federation=js.district)
    entry = entry_make(contest=contest, author_name=name, author_phone=phone)
    type(entry).objects.filter(pk=entry.pk).update(person=person)
    Score.objects.create(entry=entry, judge=js.user("judge"), criterion=contest.criteria.first(), value=8)
    Objection.objects.create(entry=entry, raised_by="某观众", reason="疑似非原创")
    # The portal: an account verified as this person, with its consent.
    account = make_user("siqi", Role.PUBLIC, None, display_name=name, email="siqi@example.com")
    PortalProfile.objects.create(user=account, phone=phone, person=person, federation=federation)
    notice = PrivacyNotice.objects.create(version="2026-1", text="隐私政策", text_en="Privacy", published_at=now)
    Consent.objects.create(user=account, notice=notice, purpose="privacy", given_by=name, given_at=now)
    # Record linkage: a candidate pair, and a duplicate merged into this person.
    lookalike = PersonFactory(federation=federation, name="欧阳思奇", id_number="")
    a, b = sorted((person.pk, lookalike.pk))
    CandidatePair.objects.create(person_a_id=a, person_b_id=b, match_weight=9.0, match_probability=0.9, reasons=[])
    duplicate = PersonFactory(federation=federation, name=name, id_number="", phone="")
    OverseasTieFactory(person=duplicate, name="欧阳明")  # moved to the survivor: a merge link
    persons_merge(actor=admin, survivor=person, merged=duplicate)
    person.refresh_from_db()
    return Rich(person=person, id_hash=person.id_number_hash, phone_hash=person.phone_hash)
