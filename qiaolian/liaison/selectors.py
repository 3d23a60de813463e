"""Reads of overseas associations, contacts and youth camps, limited to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django_countries import countries

from qiaolian.liaison.models import (
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


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


# Associations -------------------------------------------------------------------------------


def association_scope(*, user) -> QuerySet[OverseasAssociation]:
    if not _allowed(user, "liaison.view_association"):
        return OverseasAssociation.objects.none()
    return OverseasAssociation.objects.visible_to(user).select_related("federation")


@dataclass
class AssociationFilters:
    query: str = ""
    country: str = ""
    type: str = ""


def association_list(*, user, filters: AssociationFilters | None = None) -> QuerySet[OverseasAssociation]:
    f = filters or AssociationFilters()
    qs = association_scope(user=user)
    if f.query:
        qs = qs.filter(name__contains=f.query)
    if f.country:
        qs = qs.filter(country=f.country)
    if f.type:
        qs = qs.filter(type=f.type)
    return qs


def association_get(*, user, pk: int) -> OverseasAssociation:
    return association_scope(user=user).get(pk=pk)


def association_choices(*, user) -> QuerySet[OverseasAssociation]:
    """Associations a contact may be linked to (those the user may see)."""
    return association_scope(user=user).order_by("name", "id")


# Contacts -----------------------------------------------------------------------------------


def contact_scope(*, user) -> QuerySet[OverseasContact]:
    if not _allowed(user, "liaison.view_contact"):
        return OverseasContact.objects.none()
    return OverseasContact.objects.visible_to(user).select_related("federation", "association", "person")


@dataclass
class ContactFilters:
    query: str = ""
    country: str = ""
    kind: str = ""
    association_id: int | None = None


def contact_list(*, user, filters: ContactFilters | None = None) -> QuerySet[OverseasContact]:
    f = filters or ContactFilters()
    qs = contact_scope(user=user)
    if f.query:
        qs = qs.filter(Q(name__startswith=f.query) | Q(foreign_name__icontains=f.query))
    if f.country:
        qs = qs.filter(country=f.country)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.association_id:
        qs = qs.filter(association_id=f.association_id)
    return qs


def contact_get(*, user, pk: int) -> OverseasContact:
    return contact_scope(user=user).get(pk=pk)


def contact_interactions(*, user, contact: OverseasContact) -> QuerySet[Interaction]:
    if not _allowed(user, "liaison.view_contact"):
        return Interaction.objects.none()
    return Interaction.objects.visible_to(user).filter(contact=contact).select_related("staff")


def contact_follow_ups(*, user, contact: OverseasContact) -> QuerySet[FollowUp]:
    if not _allowed(user, "liaison.view_contact"):
        return FollowUp.objects.none()
    return FollowUp.objects.visible_to(user).filter(contact=contact)


def follow_up_scope(*, user) -> QuerySet[FollowUp]:
    if not _allowed(user, "liaison.view_contact"):
        return FollowUp.objects.none()
    return FollowUp.objects.visible_to(user).select_related("contact", "contact__federation")


def follow_ups_due(*, user, today: dt.date | None = None, within_days: int = 0) -> QuerySet[FollowUp]:
    """Open follow-ups due by ``today`` (plus ``within_days``), the oldest first."""
    day = (today or dt.date.today()) + dt.timedelta(days=within_days)
    return follow_up_scope(user=user).filter(done=False, due_on__lte=day).order_by("due_on", "id")


def follow_up_get(*, user, pk: int) -> FollowUp:
    return follow_up_scope(user=user).get(pk=pk)


# Camps --------------------------------------------------------------------------------------


def camp_scope(*, user) -> QuerySet[Camp]:
    if not _allowed(user, "liaison.view_camp"):
        return Camp.objects.none()
    return Camp.objects.visible_to(user).select_related("federation")


def camp_list(*, user, year: int | None = None) -> QuerySet[Camp]:
    qs = camp_scope(user=user).annotate(
        enrolled=Count("enrolments", distinct=True),
        admitted=Count(
            "enrolments",
            filter=Q(enrolments__status__in=(EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED)),
            distinct=True,
        ),
    )
    if year:
        qs = qs.filter(starts_on__year=year)
    return qs


def camp_get(*, user, pk: int) -> Camp:
    return camp_scope(user=user).get(pk=pk)


def camp_enrolments(*, user, camp: Camp) -> QuerySet[Enrolment]:
    if not _allowed(user, "liaison.view_camp"):
        return Enrolment.objects.none()
    return Enrolment.objects.visible_to(user).filter(camp=camp).order_by("name", "id")


def camp_sessions(*, user, camp: Camp) -> QuerySet[CampSession]:
    if not _allowed(user, "liaison.view_camp"):
        return CampSession.objects.none()
    return CampSession.objects.visible_to(user).filter(camp=camp)


def enrolment_get(*, user, pk: int) -> Enrolment:
    if not _allowed(user, "liaison.view_camp"):
        raise Enrolment.DoesNotExist
    return Enrolment.objects.visible_to(user).select_related("camp", "camp__federation").get(pk=pk)


def certificate_enrolments(*, user, camp: Camp) -> QuerySet[Enrolment]:
    """The campers of ``camp`` who get a completion certificate (结营证书): those who attended."""
    return (
        camp_enrolments(user=user, camp=camp)
        .filter(status=EnrolmentStatus.ATTENDED)
        .select_related("camp", "camp__federation")
    )


def camp_attendance(*, user, camp: Camp) -> set[tuple[int, int]]:
    """(session id, enrolment id) of every recorded presence in the camp."""
    if not _allowed(user, "liaison.view_camp"):
        return set()
    rows = Attendance.objects.visible_to(user).filter(session__camp=camp).values_list("session_id", "enrolment_id")
    return set(rows)


def camp_counts_by_country(*, user, camp: Camp) -> list[dict]:
    """Campers by country: enrolled, admitted (incl. attended) and attended, most first."""
    rows = (
        camp_enrolments(user=user, camp=camp)
        .order_by()
        .values("country")
        .annotate(
            enrolled=Count("id"),
            admitted=Count("id", filter=Q(status__in=(EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED))),
            attended=Count("id", filter=Q(status=EnrolmentStatus.ATTENDED)),
        )
    )
    out = [{**row, "country_name": countries.name(row["country"]) or row["country"]} for row in rows]
    return sorted(out, key=lambda r: (-r["enrolled"], r["country"]))


def camp_admitted_count(*, camp: Camp, exclude_pk: int | None = None) -> int:
    """Places taken (admitted or attended) in a camp; services use it for the capacity check."""
    qs = Enrolment.objects.filter(camp=camp, status__in=(EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()
