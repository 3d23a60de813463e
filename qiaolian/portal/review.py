"""Staff review of what portal users send: profile changes (applied to the account, the profile
and, once the account is linked, the registry person), the link between an account and a
registry person (made only after staff verified who it is), and data-subject requests (a
deletion anonymizes the account and detaches it from the federation's records).

Reads start from ``visible_to(user)`` on the record's federation; writes check the permission
``portal.review_accounts`` and the jurisdiction, run in one transaction and are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.accounts.services import account_scrub
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_update
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.portal.mine import changed_phone, check_contacts
from qiaolian.portal.models import (
    Consent,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    PortalProfile,
    ProfileChange,
    ReviewStatus,
    VerificationCode,
)

PERM = "portal.review_accounts"

# Where an approved change goes in the registry once the account is linked. The city has no
# place of its own on a person and the display name is the account's, not the registered name.
PERSON_FIELDS = {"phone": "phone", "email": "email", "birth_date": "birth_date", "country": "residence_country"}


def _allowed(user) -> bool:
    return bool(user and user.has_perm(PERM))


def _profile_scope_q(user) -> Q | None:
    """Accounts without a federation are the district's (the root sees everything)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.is_empty:
        return None
    return Q(federation_id__in=scope.federation_ids)


# Reads -----------------------------------------------------------------------------------------


def change_scope(*, user) -> QuerySet[ProfileChange]:
    if not _allowed(user):
        return ProfileChange.objects.none()
    return ProfileChange.objects.visible_to(user).select_related("user", "federation", "reviewed_by")


def change_list(*, user, status: str = "") -> QuerySet[ProfileChange]:
    qs = change_scope(user=user)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    return qs


def change_get(*, user, pk: int) -> ProfileChange:
    change = change_scope(user=user).filter(pk=pk).first()
    if change is None:
        raise Http404("not found")
    return change


def account_scope(*, user) -> QuerySet[PortalProfile]:
    condition = _profile_scope_q(user) if _allowed(user) else None
    if condition is None:
        return PortalProfile.objects.none()
    return (
        PortalProfile.objects.filter(condition)
        .select_related("user", "federation", "person", "person_linked_by")
        .order_by("-created_at", "-id")
    )


def account_list(*, user, query: str = "", linked: str = "") -> QuerySet[PortalProfile]:
    qs = account_scope(user=user)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(user__username__icontains=query) | Q(user__display_name__icontains=query) | Q(user__email__iexact=query)
        )
    if linked == "yes":
        qs = qs.filter(person__isnull=False)
    elif linked == "no":
        qs = qs.filter(person__isnull=True)
    return qs


def account_get(*, user, pk: int) -> PortalProfile:
    profile = account_scope(user=user).filter(pk=pk).first()
    if profile is None:
        raise Http404("not found")
    return profile


def request_scope(*, user) -> QuerySet[DataRequest]:
    if not _allowed(user):
        return DataRequest.objects.none()
    return DataRequest.objects.visible_to(user).select_related("user", "federation", "handled_by")


def request_list(*, user, status: str = "") -> QuerySet[DataRequest]:
    qs = request_scope(user=user)
    if status in DataRequestStatus.values:
        qs = qs.filter(status=status)
    return qs


def request_get(*, user, pk: int) -> DataRequest:
    request = request_scope(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404("not found")
    return request


# Profile changes ---------------------------------------------------------------------------------


def _pending_change(actor, change: ProfileChange) -> ProfileChange:
    require_perm(actor, PERM)
    require_in_scope(actor, change.federation_id)
    change = ProfileChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ReviewStatus.PENDING:
        raise ValidationError(_("该申请已审核（%(status)s），不能再次审核。") % {"status": change.get_status_display()})
    return change


@transaction.atomic
def change_approve(*, actor, change: ProfileChange, note: str = "") -> ProfileChange:
    """Apply the change to the account and profile and, when the account is linked to a registry
    person, to that person through the registry's own service (its checks and audit)."""
    from qiaolian.registry.services import person_update

    change = _pending_change(actor, change)
    user = get_user_model().objects.select_for_update().get(pk=change.user_id)
    profile = PortalProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = PortalProfile.objects.create(user=user)
    values: dict[str, Any] = {}
    for name, value in change.changes.items():
        if name == "phone":
            values[name] = changed_phone(change.changes) or None
        elif name == "birth_date":
            values[name] = dt.date.fromisoformat(value) if value else None
        else:
            values[name] = value or ""
    check_contacts(
        user,
        email=values.get("email", user.email),
        phone=values["phone"] or "" if "phone" in values else (profile.phone.reveal() if profile.phone else ""),
    )
    user_data = {k: values[k] for k in ("display_name", "email") if k in values}
    profile_data = {k: values[k] for k in ("phone", "birth_date", "country", "city") if k in values}
    if user_data:
        audited_update(actor, user, user_data, federation_id=change.federation_id)
    if profile_data:
        audited_update(actor, profile, profile_data, federation_id=change.federation_id)
    if profile.person_id:
        person_data = {PERSON_FIELDS[k]: v for k, v in values.items() if k in PERSON_FIELDS}
        if person_data:
            person_update(actor=actor, person=profile.person, data=person_data)
    audited_update(
        actor,
        change,
        {
            "status": ReviewStatus.APPROVED,
            "note": (note or "").strip(),
            "reviewed_by": actor,
            "reviewed_at": timezone.now(),
        },
        federation_id=change.federation_id,
    )
    return change


@transaction.atomic
def change_reject(*, actor, change: ProfileChange, note: str) -> ProfileChange:
    change = _pending_change(actor, change)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写不予通过的理由，申请人会看到。")})
    audited_update(
        actor,
        change,
        {"status": ReviewStatus.REJECTED, "note": note, "reviewed_by": actor, "reviewed_at": timezone.now()},
        federation_id=change.federation_id,
    )
    return change


# Linking an account to a registry person -------------------------------------------------------


def _profile_in_scope(actor, profile: PortalProfile) -> None:
    require_perm(actor, PERM)
    if not account_scope(user=actor).filter(pk=profile.pk).exists():
        raise Http404("not found")


def person_candidates(*, user, profile: PortalProfile, query: str = "") -> QuerySet:
    """Registry persons within the user's jurisdiction that may be this account's holder."""
    from qiaolian.registry.selectors import PersonFilters, person_list

    query = (query or "").strip() or profile.user.display_name
    if not query:
        from qiaolian.registry.models import Person

        return Person.objects.none()
    return person_list(user=user, filters=PersonFilters(query=query))[:20]


@transaction.atomic
def account_link_person(*, actor, profile: PortalProfile, person) -> PortalProfile:
    """Record that staff verified this account belongs to ``person``."""
    from qiaolian.registry.selectors import person_scope

    _profile_in_scope(actor, profile)
    if person is None or not person_scope(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("所选侨情库人员不存在或不在您的管辖范围内。")})
    profile = PortalProfile.objects.select_for_update().get(pk=profile.pk)
    taken = PortalProfile.objects.filter(person=person).exclude(pk=profile.pk).first()
    if taken is not None:
        raise ValidationError(
            {"person": _("%(name)s 已关联门户账号 %(account)s。") % {"name": person.name, "account": taken.user}}
        )
    audited_update(
        actor,
        profile,
        {"person": person, "person_linked_by": actor, "person_linked_at": timezone.now()},
        federation_id=profile.federation_id or person.federation_id,
    )
    return profile


@transaction.atomic
def account_unlink_person(*, actor, profile: PortalProfile) -> PortalProfile:
    _profile_in_scope(actor, profile)
    profile = PortalProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.person_id is None:
        raise ValidationError(_("该账号尚未关联侨情库人员。"))
    audited_update(
        actor,
        profile,
        {"person": None, "person_linked_by": None, "person_linked_at": None},
        federation_id=profile.federation_id,
    )
    return profile


# Data-subject requests ---------------------------------------------------------------------------


def _open_request(actor, request: DataRequest) -> DataRequest:
    require_perm(actor, PERM)
    require_in_scope(actor, request.federation_id)
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataRequestStatus.RECEIVED:
        raise ValidationError(_("该申请已办结（%(status)s）。") % {"status": request.get_status_display()})
    return request


def _discard_uploads(user) -> None:
    """Unfinished chunked uploads of the account go too (rows and partial files, after commit)."""
    from qiaolian.contests.models import Upload

    ids = list(Upload.objects.filter(account=user).values_list("pk", flat=True))
    if ids:
        from qiaolian.contests.submission import uploads_discard

        transaction.on_commit(lambda: uploads_discard(ids))


def _anonymize(actor, user, request: DataRequest) -> dict[str, int]:
    """Close the account and remove its personal data; the federation's records (registrations,
    camp applications, cases, contest entries) stay as work records without the account."""
    from qiaolian.activities.models import Registration
    from qiaolian.casework.models import Case
    from qiaolian.contests.models import Entry
    from qiaolian.liaison.models import Enrolment

    now = timezone.now()
    detached = {
        "registrations": Registration.objects.filter(account=user).update(account=None),
        "enrolments": Enrolment.objects.filter(account=user).update(account=None),
        "cases": Case.objects.filter(account=user).update(account=None),
        "entries": Entry.objects.filter(account=user).update(account=None),
    }
    detached["consents_withdrawn"] = Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    detached["profile_changes_deleted"] = ProfileChange.objects.filter(user=user).delete()[0]
    VerificationCode.objects.filter(user=user).delete()
    _discard_uploads(user)
    profile = PortalProfile.objects.filter(user=user).first()
    if profile is not None:
        for name in ("phone", "guardian_contact", "birth_date", "person", "person_linked_by", "person_linked_at"):
            setattr(profile, name, None)
        profile.country = ""
        profile.city = ""
        profile.guardian_name = ""
        profile.guardian_relation = ""
        profile.save()
    before = snapshot(user, ["username", "email", "display_name", "first_name", "last_name", "is_active"])
    account_scrub(user)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=user,
        federation_id=request.federation_id,
        data={
            "anonymized": diff(before, snapshot(user, list(before))),
            "detached": detached,
            "data_request": request.pk,
        },
    )
    return detached


@transaction.atomic
def request_fulfil(*, actor, request: DataRequest, reason: str = "") -> DataRequest:
    """Carry out the request. For a deletion: anonymize and close the account, withdraw its
    consents and detach it from the records; the request itself is kept with its account label."""
    request = _open_request(actor, request)
    if request.kind == DataRequestKind.DELETE and request.user_id is not None:
        user = get_user_model().objects.select_for_update().get(pk=request.user_id)
        _anonymize(actor, user, request)
    audited_update(
        actor,
        request,
        {
            "status": DataRequestStatus.FULFILLED,
            "reason": (reason or "").strip(),
            "handled_by": actor,
            "handled_at": timezone.now(),
        },
        federation_id=request.federation_id,
    )
    return request


@transaction.atomic
def request_refuse(*, actor, request: DataRequest, reason: str) -> DataRequest:
    request = _open_request(actor, request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予办理的理由（依据的法律规定），申请人会看到。")})
    audited_update(
        actor,
        request,
        {"status": DataRequestStatus.REFUSED, "reason": reason, "handled_by": actor, "handled_at": timezone.now()},
        federation_id=request.federation_id,
    )
    if request.kind == DataRequestKind.DELETE and request.user_id is not None:
        PortalProfile.objects.filter(user_id=request.user_id).update(deletion_requested_at=None)
    return request
