"""Writes to overseas associations, contacts and youth camps: checked, atomic, audited.

Camp applications follow DOMAIN.md W11: applied (guardian consent) → screened (age at the
camp's start) → admitted / waitlisted / declined → attended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.validators import normalize_document_number, parse_phone
from qiaolian.liaison.models import (
    GUARDIAN_CONSENT_AGE,
    Attendance,
    Camp,
    CampSession,
    Enrolment,
    EnrolmentStatus,
    FollowUp,
    Interaction,
    OverseasAssociation,
    OverseasContact,
)
from qiaolian.liaison.selectors import camp_admitted_count
from qiaolian.registry.selectors import person_scope

ADMITTING = (EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _federation(actor, data: dict[str, Any]):
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    return federation


# Associations -------------------------------------------------------------------------------


@transaction.atomic
def association_create(*, actor, data: dict[str, Any]) -> OverseasAssociation:
    require_perm(actor, "liaison.change_association")
    federation = _federation(actor, data)
    association = OverseasAssociation(created_by=actor, **{**data, "federation": federation})
    audited_create(actor, association, federation_id=federation.pk)
    return association


@transaction.atomic
def association_update(*, actor, association: OverseasAssociation, data: dict[str, Any]) -> OverseasAssociation:
    require_perm(actor, "liaison.change_association")
    require_in_scope(actor, association.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    audited_update(actor, association, data, federation_id=association.federation_id)
    return association


# Contacts -----------------------------------------------------------------------------------


def _check_contact(actor, data: dict[str, Any], federation) -> dict[str, Any]:
    data = dict(data)
    person = data.get("person")
    if person is not None and not person_scope(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("所选侨情库人员不存在或不在您的管辖范围内。")})
    association = data.get("association")
    if association is not None:
        require_in_scope(actor, association.federation_id)
    phone = data.get("phone")
    if isinstance(phone, str):
        phone = phone.strip()
        if phone:
            try:
                data["phone"] = parse_phone(phone)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None
        else:
            data.pop("phone")  # empty on edit: keep what is stored
    return data


@transaction.atomic
def contact_create(*, actor, data: dict[str, Any]) -> OverseasContact:
    require_perm(actor, "liaison.change_contact")
    federation = _federation(actor, data)
    data = _check_contact(actor, data, federation)
    contact = OverseasContact(created_by=actor, **{**data, "federation": federation})
    audited_create(actor, contact, federation_id=federation.pk)
    return contact


@transaction.atomic
def contact_update(*, actor, contact: OverseasContact, data: dict[str, Any]) -> OverseasContact:
    require_perm(actor, "liaison.change_contact")
    require_in_scope(actor, contact.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    data = _check_contact(actor, data, contact.federation)
    audited_update(actor, contact, data, federation_id=contact.federation_id)
    return contact


@transaction.atomic
def interaction_add(
    *, actor, contact: OverseasContact, occurred_on: dt.date, kind: str, summary: str, today: dt.date | None = None
) -> Interaction:
    """Log a contact; the contact's association gets it as its latest contact date."""
    require_perm(actor, "liaison.change_contact")
    require_in_scope(actor, contact.federation_id)
    if occurred_on > (today or dt.date.today()):
        raise ValidationError({"occurred_on": _("联系日期不能晚于今天。")})
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写内容摘要。")})
    interaction = Interaction(contact=contact, occurred_on=occurred_on, kind=kind, summary=summary.strip(), staff=actor)
    audited_create(actor, interaction, federation_id=contact.federation_id)
    association = contact.association
    if association is not None and (association.last_contact_on or dt.date.min) < occurred_on:
        association.last_contact_on = occurred_on
        association.save(update_fields=["last_contact_on", "updated_at"])
    return interaction


@transaction.atomic
def follow_up_add(*, actor, contact: OverseasContact, due_on: dt.date, what: str) -> FollowUp:
    require_perm(actor, "liaison.change_contact")
    require_in_scope(actor, contact.federation_id)
    if not (what or "").strip():
        raise ValidationError({"what": _("请填写跟进事项。")})
    follow_up = FollowUp(contact=contact, due_on=due_on, what=what.strip())
    audited_create(actor, follow_up, federation_id=contact.federation_id)
    return follow_up


@transaction.atomic
def follow_up_complete(*, actor, follow_up: FollowUp, done_on: dt.date | None = None) -> FollowUp:
    require_perm(actor, "liaison.change_contact")
    require_in_scope(actor, follow_up.contact.federation_id)
    if follow_up.done:
        raise ValidationError(_("该跟进事项已完成。"))
    audited_update(
        actor,
        follow_up,
        {"done": True, "done_on": done_on or dt.date.today()},
        federation_id=follow_up.contact.federation_id,
    )
    return follow_up


# Camps --------------------------------------------------------------------------------------


def _check_camp(camp: Camp) -> None:
    if camp.starts_on and camp.ends_on and camp.ends_on < camp.starts_on:
        raise ValidationError({"ends_on": _("结营日期不能早于开营日期。")})
    if camp.min_age is not None and camp.max_age is not None and camp.max_age < camp.min_age:
        raise ValidationError({"max_age": _("最大年龄不能小于最小年龄。")})
    if camp.capacity is not None and camp.capacity < 1:
        raise ValidationError({"capacity": _("录取名额至少为 1。")})


@transaction.atomic
def camp_create(*, actor, data: dict[str, Any]) -> Camp:
    require_perm(actor, "liaison.change_camp")
    federation = _federation(actor, data)
    camp = Camp(created_by=actor, **{**data, "federation": federation})
    audited_create(actor, camp, federation_id=federation.pk, before_save=_check_camp)
    return camp


@transaction.atomic
def camp_update(*, actor, camp: Camp, data: dict[str, Any]) -> Camp:
    require_perm(actor, "liaison.change_camp")
    require_in_scope(actor, camp.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)

    def check(instance: Camp) -> None:
        _check_camp(instance)
        taken = camp_admitted_count(camp=instance)
        if instance.capacity is not None and instance.capacity < taken:
            raise ValidationError({"capacity": _("已录取 %(n)s 人，录取名额不能少于已录取人数。") % {"n": taken}})

    audited_update(actor, camp, data, federation_id=camp.federation_id, before_save=check)
    return camp


@transaction.atomic
def session_add(*, actor, camp: Camp, date: dt.date, topic: str) -> CampSession:
    require_perm(actor, "liaison.change_camp")
    require_in_scope(actor, camp.federation_id)
    if not camp.starts_on <= date <= camp.ends_on:
        raise ValidationError(
            {"date": _("活动日期应在营期内（%(start)s 至 %(end)s）。") % {"start": camp.starts_on, "end": camp.ends_on}}
        )
    if not (topic or "").strip():
        raise ValidationError({"topic": _("请填写主题。")})
    session = CampSession(camp=camp, date=date, topic=topic.strip())
    audited_create(actor, session, federation_id=camp.federation_id)
    return session


def _check_capacity(camp: Camp, *, exclude_pk: int | None = None) -> None:
    taken = camp_admitted_count(camp=camp, exclude_pk=exclude_pk)
    if taken >= camp.capacity:
        raise ValidationError(
            {"status": _("录取名额已满（%(capacity)s 人），不能再录取；可列入候补。") % {"capacity": camp.capacity}}
        )


def enrolment_check(camp: Camp, enrolment: Enrolment) -> None:
    """The camp's rules for one application (age, guardian consent, duplicates, capacity)."""
    birth = enrolment.birth_date
    if birth is None:
        raise ValidationError({"birth_date": _("请填写出生日期。")})
    age = age_on(birth, camp.starts_on)
    if not camp.min_age <= age <= camp.max_age:
        raise ValidationError(
            {
                "birth_date": _(
                    "按出生日期，开营时（%(start)s）年龄为 %(age)s 岁，不在本营 %(min)s–%(max)s 岁的范围内。"
                )
                % {"start": camp.starts_on, "age": age, "min": camp.min_age, "max": camp.max_age}
            }
        )
    if age < GUARDIAN_CONSENT_AGE and not enrolment.guardian_consent:
        raise ValidationError(
            {
                "guardian_consent": _(
                    "开营时未满 %(n)s 周岁，须取得监护人同意（《个人信息保护法》第三十一条），请勾选“监护人同意”。"
                )
                % {"n": GUARDIAN_CONSENT_AGE}
            }
        )
    if age < GUARDIAN_CONSENT_AGE and not enrolment.guardian_name.strip():
        raise ValidationError({"guardian_name": _("未满 14 周岁的营员请填写监护人姓名。")})
    duplicate = Enrolment.objects.filter(camp=camp, name=enrolment.name, birth_date=birth)
    if enrolment.pk:
        duplicate = duplicate.exclude(pk=enrolment.pk)
    if duplicate.exists():
        raise ValidationError(
            {
                "birth_date": _("本营已有同名且出生日期相同的报名（%(name)s，%(birth)s），请勿重复报名。")
                % {"name": enrolment.name, "birth": birth}
            }
        )
    if enrolment.status in ADMITTING:
        _check_capacity(camp, exclude_pk=enrolment.pk)


@transaction.atomic
def enrolment_add(*, actor, camp: Camp, data: dict[str, Any]) -> Enrolment:
    require_perm(actor, "liaison.change_camp")
    require_in_scope(actor, camp.federation_id)
    camp = Camp.objects.select_for_update().get(pk=camp.pk)  # serializes admissions per camp
    data = dict(data)
    data.pop("camp", None)
    passport = data.get("passport_number")
    if isinstance(passport, str):
        data["passport_number"] = normalize_document_number(passport) or None
    data["name"] = (data.get("name") or "").strip()
    enrolment = Enrolment(camp=camp, created_by=actor, **data)
    enrolment_check(camp, enrolment)
    audited_create(actor, enrolment, federation_id=camp.federation_id)
    return enrolment


@transaction.atomic
def enrolment_set_status(*, actor, enrolment: Enrolment, status: str) -> Enrolment:
    require_perm(actor, "liaison.change_camp")
    camp = Camp.objects.select_for_update().get(pk=enrolment.camp_id)
    require_in_scope(actor, camp.federation_id)
    if status not in EnrolmentStatus.values:
        raise ValidationError({"status": _("请选择状态。")})
    if status in ADMITTING and enrolment.status not in ADMITTING:
        _check_capacity(camp, exclude_pk=enrolment.pk)
    audited_update(actor, enrolment, {"status": status}, federation_id=camp.federation_id)
    return enrolment


@transaction.atomic
def attendance_record(*, actor, camp: Camp, present: set[tuple[int, int]]) -> dict[str, int]:
    """Make the camp's attendance exactly ``present`` ((session id, enrolment id) pairs).
    Pairs naming another camp's session or enrolment are refused."""
    require_perm(actor, "liaison.change_camp")
    require_in_scope(actor, camp.federation_id)
    sessions = set(CampSession.objects.filter(camp=camp).values_list("pk", flat=True))
    enrolments = set(Enrolment.objects.filter(camp=camp).values_list("pk", flat=True))
    if any(s not in sessions or e not in enrolments for s, e in present):
        raise ValidationError(_("出勤记录中有不属于本营的活动或营员。"))
    stored = set(Attendance.objects.filter(session__camp=camp).values_list("session_id", "enrolment_id"))
    added, removed = present - stored, stored - present
    if removed:
        for session_id, enrolment_id in removed:
            Attendance.objects.filter(session_id=session_id, enrolment_id=enrolment_id).delete()
    Attendance.objects.bulk_create([Attendance(session_id=s, enrolment_id=e) for s, e in sorted(added)])
    if added or removed:
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=camp,
            federation_id=camp.federation_id,
            data={"attendance": {"added": len(added), "removed": len(removed), "total": len(present)}},
        )
    return {"added": len(added), "removed": len(removed)}
