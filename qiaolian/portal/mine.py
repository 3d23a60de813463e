"""The "my" pages of a signed-in portal user: reads limited to the user's own records and the
writes a portal user makes for themselves (a profile change for review, a registration, a camp
application, a request that opens a case, a data download, a deletion request).

Every read here filters on the account first: a record of another account does not exist for
the user (404 at the page). The staff services of activities, liaison and casework check staff
permissions and jurisdiction; a portal user has neither, so the self-service writes live here,
reuse those apps' own checks (codes, duplicate keys, the camp's age and guardian rules, the case
types' required fields, numbering and deadlines) and are audited with the portal user as actor.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.accounts.models import Role
from qiaolian.activities.models import Activity, Registration
from qiaolian.activities.models import Status as ActivityStatus
from qiaolian.activities.selectors import registered_count
from qiaolian.activities.services import new_code, participant_key
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create
from qiaolian.casework.models import Case, CaseNote, CaseType, State
from qiaolian.casework.services import case_open_from_portal
from qiaolian.core import crypto
from qiaolian.core.masking import Kind, mask
from qiaolian.core.validators import normalize_document_number, parse_phone
from qiaolian.liaison.models import GUARDIAN_CONSENT_AGE, Camp, Enrolment
from qiaolian.liaison.services import age_on, enrolment_check
from qiaolian.orgs.models import Federation
from qiaolian.portal.models import (
    Consent,
    ConsentPurpose,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    PortalProfile,
    PrivacyNotice,
    ProfileChange,
    ReviewStatus,
)

# Fields a portal user may ask to change (staff review them first). The address is not among
# them: the portal never collects it.
PROFILE_FIELDS = ("display_name", "phone", "email", "birth_date", "country", "city")

# A case's state said plainly to the person who asked.
CASE_STATE_TEXT = {
    State.RECEIVED: gettext_lazy("已收到您的申请，正在安排办理"),
    State.ASSIGNED: gettext_lazy("已安排工作人员办理"),
    State.IN_PROGRESS: gettext_lazy("正在办理"),
    State.REFERRED: gettext_lazy("已转交相关部门办理，等待答复"),
    State.RESOLVED: gettext_lazy("已办结"),
    State.FOLLOWED_UP: gettext_lazy("已办结并回访"),
    State.REJECTED: gettext_lazy("不予受理"),
}


def is_portal_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.PUBLIC)


def district() -> Federation:
    """The district federation (the tree's root): it receives what no town was chosen for."""
    root = Federation.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise ValidationError(_("系统尚未设置侨联组织，暂时无法受理。"))
    return root


def profile_for(user) -> PortalProfile:
    """The user's portal profile (made at sign-up; an account from before the portal gets an
    empty one)."""
    profile = PortalProfile.objects.select_related("federation", "person").filter(user=user).first()
    if profile is None:
        profile = PortalProfile.objects.create(user=user)
    return profile


def receiving_federation(profile: PortalProfile) -> Federation:
    return profile.federation or district()


# Reads: only the user's own records -----------------------------------------------------------


def my_registrations(*, user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(account=user)
        .select_related("activity", "activity__federation")
        .order_by("-activity__starts_at", "-id")
    )


def my_registration_get(*, user, pk: int) -> Registration:
    registration = my_registrations(user=user).filter(pk=pk).first()
    if registration is None:
        raise Http404("not found")
    return registration


def my_enrolments(*, user) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(account=user).select_related("camp", "camp__federation").order_by("-created_at")


def my_enrolment_get(*, user, pk: int) -> Enrolment:
    enrolment = my_enrolments(user=user).filter(pk=pk).first()
    if enrolment is None:
        raise Http404("not found")
    return enrolment


def my_cases(*, user) -> QuerySet[Case]:
    return Case.objects.filter(account=user).select_related("federation").order_by("-received_on", "-id")


def my_case_get(*, user, pk: int) -> Case:
    case = my_cases(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404("not found")
    return case


def case_visible_notes(*, case: Case) -> QuerySet[CaseNote]:
    """Only the notes staff marked as visible to the requester; internal notes never leave."""
    return CaseNote.objects.filter(case=case, is_visible_to_requester=True).order_by("created_at", "id")


def case_reply(case: Case) -> dict[str, Any]:
    """What the requester may read of the outcome: only once the case is closed."""
    if case.state not in (State.RESOLVED, State.FOLLOWED_UP, State.REJECTED):
        return {}
    if case.state == State.REJECTED:
        return {"text": case.rejection_reason, "on": case.closed_on or case.state_since}
    return {
        "text": case.resolution,
        "outcome": case.get_outcome_display() if case.outcome else "",
        "on": case.closed_on or case.state_since,
    }


def my_entries(*, user) -> QuerySet:
    from qiaolian.contests.models import Entry

    return Entry.objects.filter(account=user).select_related("contest", "category").order_by("-submitted_at")


def my_profile_changes(*, user) -> QuerySet[ProfileChange]:
    return ProfileChange.objects.filter(user=user).order_by("-created_at", "-id")


def my_data_requests(*, user) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(user=user).order_by("-created_at", "-id")


def pending_deletion(*, user) -> DataRequest | None:
    return my_data_requests(user=user).filter(kind=DataRequestKind.DELETE, status=DataRequestStatus.RECEIVED).first()


def open_activities() -> QuerySet[Activity]:
    """Activities published on the portal that take registrations now."""
    return Activity.objects.filter(is_published=True, status=ActivityStatus.OPEN).select_related("federation")


def open_camps(*, today: dt.date | None = None) -> QuerySet[Camp]:
    """Camps that have not started yet take applications."""
    today = today or timezone.localdate()
    return Camp.objects.filter(starts_on__gt=today).select_related("federation").order_by("starts_on", "id")


def home_counts(*, user) -> dict[str, int]:
    return {
        "registrations": my_registrations(user=user).count(),
        "enrolments": my_enrolments(user=user).count(),
        "cases": my_cases(user=user).count(),
        "open_cases": my_cases(user=user)
        .exclude(state__in=(State.RESOLVED, State.FOLLOWED_UP, State.REJECTED))
        .count(),
        "entries": my_entries(user=user).count(),
        "pending_changes": my_profile_changes(user=user).filter(status=ReviewStatus.PENDING).count(),
    }


# Profile changes -------------------------------------------------------------------------------


def _current_profile_values(profile: PortalProfile) -> dict[str, Any]:
    user = profile.user
    return {
        "display_name": user.display_name,
        "phone": profile.phone.reveal() if profile.phone else "",
        "email": (user.email or "").lower(),
        "birth_date": profile.birth_date.isoformat() if profile.birth_date else "",
        "country": str(profile.country.code) if profile.country else "",
        "city": profile.city,
    }


def profile_change_display(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """A change request as (label, value) rows, personal data masked."""
    labels = {
        "display_name": _("姓名"),
        "phone": _("手机号码"),
        "email": _("电子邮箱"),
        "birth_date": _("出生日期"),
        "country": _("居住国家/地区"),
        "city": _("城市"),
    }
    rows = []
    for name in PROFILE_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name == "phone":
            value = (value or {}).get("masked", "") if isinstance(value, dict) else ""
        elif name == "country" and value:
            from django_countries import countries

            value = countries.name(value) or value
        rows.append((labels[name], value or _("（清空）")))
    return rows


def profile_change_compare(changes: dict[str, Any], profile: PortalProfile | None) -> list[tuple[str, str, str]]:
    """(label, current value, requested value) rows for the reviewer, personal data masked."""
    requested = profile_change_display(changes)
    if profile is None:
        return [(label, "", value) for label, value in requested]
    current = _current_profile_values(profile)
    if current["phone"]:
        current["phone"] = {"masked": mask(Kind.PHONE, current["phone"])}
    shown = dict(profile_change_display({k: current[k] for k in changes if current.get(k)}))
    return [(label, shown.get(label, ""), value) for label, value in requested]


def check_contacts(user, *, email: str, phone: str) -> None:
    """The account keeps a way to sign in, and a new e-mail address or phone number is not
    another account's (sign-in finds the account by them)."""
    from qiaolian.core.protected import lookup_hash

    if not email and not phone:
        raise ValidationError({"email": _("电子邮箱和手机号码至少保留一项，用于登录和接收验证码。")})
    user_model = get_user_model()
    if email and user_model.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("该电子邮箱已被其他账号使用。")})
    if phone:
        taken = PortalProfile.objects.filter(phone_hash=lookup_hash(Kind.PHONE, phone)).exclude(user_id=user.pk)
        if taken.exists():
            raise ValidationError({"phone": _("该手机号码已被其他账号使用。")})


def changed_phone(changes: dict[str, Any]) -> str:
    """The new phone number of a change request in plain form (for the services applying it)."""
    value = changes.get("phone")
    if not isinstance(value, dict) or not value.get("token"):
        return ""
    return crypto.decrypt(value["token"])


@transaction.atomic
def profile_change_request(*, user, data: dict[str, Any]) -> ProfileChange:
    """Ask staff to change the profile. Nothing of the profile, the account or the registry
    changes now; the request keeps only the fields that differ (a new phone number encrypted)."""
    if not is_portal_user(user):
        raise Http404("not found")
    profile = profile_for(user)
    current = _current_profile_values(profile)
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif value is None:
            value = ""
        else:
            value = str(getattr(value, "code", value)).strip()
        if name == "phone" and value:
            try:
                value = parse_phone(value)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None
        if name == "email":
            value = value.lower()
        if value == current[name]:
            continue
        if name == "phone":
            changes[name] = {"token": crypto.encrypt(value), "masked": mask(Kind.PHONE, value)} if value else {}
        else:
            changes[name] = value
    if not changes:
        raise ValidationError(_("您填写的内容与现有资料相同，没有需要修改的内容。"))
    check_contacts(
        user,
        email=changes.get("email", current["email"]),
        phone=changed_phone(changes) if "phone" in changes else current["phone"],
    )
    change = ProfileChange(user=user, federation=receiving_federation(profile), changes=changes)
    audited_create(user, change, federation_id=change.federation_id)
    return change


# Activity registration ------------------------------------------------------------------------


@transaction.atomic
def registration_self_add(*, user, activity: Activity) -> Registration:
    """Register oneself for a published activity that takes registrations: as the registry
    person once staff linked the account, else by the account's name. Duplicates and a full
    activity are refused with the activities service's messages."""
    if not is_portal_user(user):
        raise Http404("not found")
    activity = Activity.objects.select_for_update().filter(pk=activity.pk).first()  # serializes the capacity
    if activity is None or not activity.is_published:
        raise Http404("not found")
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(_("该活动目前不接受报名。"))
    profile = profile_for(user)
    person = profile.person
    name = (person.name if person is not None else user.display_name or "").strip()
    if not name:
        raise ValidationError(_("请先在“我的资料”中填写姓名。"))
    if Registration.objects.filter(activity=activity, account=user).exists():
        raise ValidationError(_("您已报名本活动，请勿重复报名。"))
    key = participant_key(person_id=getattr(person, "pk", None), name=name, organization="")
    existing = Registration.objects.filter(activity=activity, participant_key=key).first()
    if existing is not None:
        raise ValidationError(
            _("%(name)s 已登记参加本活动（%(role)s，登记于 %(at)s），请勿重复登记。")
            % {
                "name": name,
                "role": existing.get_role_display(),
                "at": timezone.localtime(existing.created_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if activity.capacity is not None and registered_count(activity=activity) >= activity.capacity:
        raise ValidationError(_("名额已满（%(n)s 人），不能再登记。") % {"n": activity.capacity})
    registration = Registration(
        activity=activity,
        person=person,
        name=name,
        participant_key=key,
        code=new_code(),
        account=user,
        created_by=user,
    )
    audited_create(user, registration, federation_id=activity.federation_id)
    return registration


# Camp applications ----------------------------------------------------------------------------

ENROLMENT_FIELDS = (
    "name",
    "foreign_name",
    "sex",
    "birth_date",
    "country",
    "city",
    "school",
    "chinese_level",
    "languages",
    "guardian_name",
    "guardian_relation",
    "guardian_consent",
    "passport_number",
)


@transaction.atomic
def enrolment_self_add(*, user, camp: Camp, data: dict[str, Any], today: dt.date | None = None) -> Enrolment:
    """Apply to a camp that has not started, for oneself or one's child. The camp's rules apply
    as for staff (age at the start, the guardian's consent under 14, no duplicate); the
    guardian's consent is recorded as a consent of this account when a privacy notice exists."""
    if not is_portal_user(user):
        raise Http404("not found")
    camp = Camp.objects.select_for_update().filter(pk=camp.pk).first()
    today = today or timezone.localdate()
    if camp is None or camp.starts_on <= today:
        raise Http404("not found")
    unknown = set(data) - set(ENROLMENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段在此不能填写或修改。") for name in sorted(unknown)})
    data = dict(data)
    passport = data.get("passport_number")
    data["passport_number"] = normalize_document_number(passport) or None if isinstance(passport, str) else None
    data["name"] = (data.get("name") or "").strip()
    data["guardian_name"] = (data.get("guardian_name") or "").strip()
    data["guardian_consent"] = bool(data.get("guardian_consent"))
    enrolment = Enrolment(camp=camp, created_by=user, account=user, **data)
    enrolment_check(camp, enrolment)
    audited_create(user, enrolment, federation_id=camp.federation_id)
    if enrolment.guardian_consent and age_on(enrolment.birth_date, camp.starts_on) < GUARDIAN_CONSENT_AGE:
        notice = PrivacyNotice.objects.filter(published_at__lte=timezone.now()).first()
        if notice is not None:
            consent = Consent(
                user=user,
                notice=notice,
                purpose=ConsentPurpose.GUARDIAN,
                separate=True,
                given_by=enrolment.guardian_name,
                given_at=timezone.now(),
            )
            audited_create(user, consent, federation_id=camp.federation_id)
    return enrolment


# Requests that open a case -----------------------------------------------------------------------

# What the portal offers, and the case type and type field each one opens.
REQUEST_KINDS = {
    "aid": (CaseType.AID_REQUEST, "hardship_type"),
    "rights": (CaseType.RIGHTS, "category"),
    "consultation": (CaseType.CONSULTATION, "consultation_topic"),
    "suggestion": (CaseType.SUGGESTION, "suggestion_topic"),
}


def request_submit(*, user, kind: str, title: str, description: str, topic: str, phone: str = "") -> Case:
    """A request for help (帮扶申请, 侨益维护, 咨询) or a suggestion (建言) from the portal opens a
    case received online by the account's federation (the district when none was chosen), with
    the same numbering, type rules and deadline as a case opened by staff (casework's
    ``case_open_from_portal``)."""
    if not is_portal_user(user):
        raise Http404("not found")
    if kind not in REQUEST_KINDS:
        raise ValidationError({"kind": _("请选择申请类型。")})
    case_type, topic_field = REQUEST_KINDS[kind]
    profile = profile_for(user)
    if not (profile.person.name if profile.person_id else user.display_name):
        raise ValidationError(_("请先在“我的资料”中填写姓名。"))
    return case_open_from_portal(
        account=user,
        federation=receiving_federation(profile),
        data={
            "type": case_type,
            "title": title,
            "description": description,
            "person": profile.person,
            "requester_name": profile.person.name if profile.person_id else user.display_name,
            "requester_phone": phone or (profile.phone.reveal() if profile.phone else ""),
            topic_field: topic,
        },
    )


# Data download ---------------------------------------------------------------------------------


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _masked(value) -> str:
    return value.masked if value else ""


def my_data(*, user) -> dict[str, Any]:
    """Everything the portal keeps about the user, built only from the user's own records.
    Protected values (phone, passport) appear masked, as everywhere outside a reveal."""
    profile = profile_for(user)
    cases = []
    for case in my_cases(user=user):
        reply = case_reply(case)
        cases.append(
            {
                "number": case.number,
                "type": case.get_type_display(),
                "title": case.title,
                "description": case.description,
                "received_on": _day(case.received_on),
                "status": str(CASE_STATE_TEXT.get(case.state, case.get_state_display())),
                "reply": reply.get("text", ""),
                "closed_on": _day(reply.get("on")) if reply else "",
                "notes": [
                    {"at": _day(n.created_at), "text": n.body}
                    for n in case_visible_notes(case=case).only("body", "created_at")
                ],
            }
        )
    return {
        "exported_at": _day(timezone.now()),
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "date_joined": _day(user.date_joined),
            "last_login": _day(user.last_login),
        },
        "profile": {
            "phone": _masked(profile.phone),
            "birth_date": _day(profile.birth_date),
            "country": str(profile.country.name) if profile.country else "",
            "city": profile.city,
            "language": profile.language,
            "federation": profile.federation.name if profile.federation_id else "",
            "linked_to_registry": profile.person_id is not None,
            "guardian_name": profile.guardian_name,
            "guardian_relation": profile.guardian_relation,
            "guardian_contact": _masked(profile.guardian_contact),
            "deletion_requested_at": _day(profile.deletion_requested_at),
        },
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "notice_version": c.notice.version,
                "separate": c.separate,
                "given_by": c.given_by,
                "given_at": _day(c.given_at),
                "withdrawn_at": _day(c.withdrawn_at),
            }
            for c in Consent.objects.filter(user=user).select_related("notice")
        ],
        "registrations": [
            {
                "activity": r.activity.title,
                "starts_at": _day(r.activity.starts_at),
                "place": r.activity.place,
                "name": r.name,
                "code": r.code,
                "registered_at": _day(r.created_at),
                "checked_in_at": _day(r.checked_in_at),
            }
            for r in my_registrations(user=user)
        ],
        "camp_enrolments": [
            {
                "camp": e.camp.title,
                "starts_on": _day(e.camp.starts_on),
                "name": e.name,
                "foreign_name": e.foreign_name,
                "birth_date": _day(e.birth_date),
                "country": str(e.country.name) if e.country else "",
                "city": e.city,
                "school": e.school,
                "guardian_name": e.guardian_name,
                "guardian_consent": e.guardian_consent,
                "passport_number": _masked(e.passport_number),
                "status": e.get_status_display(),
                "applied_at": _day(e.created_at),
            }
            for e in my_enrolments(user=user)
        ],
        "contest_entries": [
            {
                "contest": e.contest.title,
                "category": e.category.name,
                "code": e.code,
                "title": e.title,
                "description": e.description,
                "author": e.author_name,
                "status": e.get_status_display(),
                "award": e.get_award_display() if e.award else "",
                "submitted_at": _day(e.submitted_at),
            }
            for e in my_entries(user=user)
        ],
        "requests": cases,
        "profile_changes": [
            {
                "requested_at": _day(c.created_at),
                "changes": dict(profile_change_display(c.changes)),
                "status": c.get_status_display(),
                "note": c.note,
            }
            for c in my_profile_changes(user=user)
        ],
        "data_requests": [
            {
                "kind": r.get_kind_display(),
                "detail": r.detail,
                "status": r.get_status_display(),
                "reason": r.reason,
                "requested_at": _day(r.created_at),
            }
            for r in my_data_requests(user=user)
        ],
    }


def my_data_export(*, user, fmt: str = "json") -> bytes:
    """The download of :func:`my_data` as JSON or as a workbook (one sheet per part), written to
    the audit log as an export."""
    if not is_portal_user(user):
        raise Http404("not found")
    data = my_data(user=user)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=Action.EXPORT,
            target=user,
            federation_id=getattr(profile_for(user), "federation_id", None),
            data={"what": "portal_my_data", "format": fmt},
        )
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    return _workbook(data)


def _workbook(data: dict[str, Any]) -> bytes:
    from qiaolian.core.tabular import export_workbook

    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    for part, value in data.items():
        if part == "exported_at":
            continue
        sheet = book.add_worksheet(part[:31])
        rows = value if isinstance(value, list) else [value]
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        for c, name in enumerate(columns):
            sheet.write(0, c, name, bold)
            sheet.set_column(c, c, 18)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(columns):
                cell = row.get(name, "")
                if isinstance(cell, list | dict):
                    cell = json.dumps(cell, ensure_ascii=False)
                sheet.write(r, c, cell)
    book.close()
    return buffer.getvalue()


# Deletion --------------------------------------------------------------------------------------


@transaction.atomic
def deletion_request(*, user, password: str, detail: str = "") -> DataRequest:
    """Ask for the account to be closed and its personal data deleted (PIPL Art. 47). The
    password confirms it is the account holder; the account stays usable until staff fulfil
    the request."""
    if not is_portal_user(user):
        raise Http404("not found")
    user_model = get_user_model()
    fresh = user_model.objects.select_for_update().get(pk=user.pk)
    if not fresh.check_password(password or ""):
        raise ValidationError({"password": _("密码不正确。")})
    if pending_deletion(user=fresh) is not None:
        raise ValidationError(_("您已提交注销申请，工作人员办理前无需重复提交。"))
    profile = profile_for(fresh)
    request = DataRequest(
        user=fresh,
        account_label=fresh.username,
        federation=receiving_federation(profile),
        kind=DataRequestKind.DELETE,
        detail=(detail or "").strip(),
    )
    audited_create(fresh, request, federation_id=request.federation_id)
    profile.deletion_requested_at = timezone.now()
    profile.save(update_fields=["deletion_requested_at", "updated_at"])
    return request
