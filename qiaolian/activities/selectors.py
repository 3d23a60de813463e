"""Reads of activities, campaigns and participation, limited to what the user may see.

The counting functions are the ones reports use: activities, distinct participants and reach,
grouped by project, kind, campaign, federation or year, from the records and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from qiaolian.activities.models import (
    Activity,
    Attachment,
    Brand,
    Campaign,
    Photo,
    Registration,
    Session,
    SessionAttendance,
    Status,
)
from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs.models import Federation, PartnerFederation, Station


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


# Activities ---------------------------------------------------------------------------------


def activity_scope(*, user) -> QuerySet[Activity]:
    if not _allowed(user, "activities.view_activity"):
        return Activity.objects.none()
    return Activity.objects.visible_to(user).select_related("federation", "campaign", "brand")


@dataclass
class ActivityFilters:
    query: str = ""
    project: str = ""
    kind: str = ""
    campaign_id: int | None = None
    brand_id: int | None = None
    federation_id: int | None = None
    federation_own_only: bool = False  # that federation's own activities, not those below it
    station_id: int | None = None
    partner_id: int | None = None
    mode: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    year: int | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def activity_list(*, user, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    f = filters or ActivityFilters()
    qs = activity_scope(user=user)
    if f.query:
        qs = qs.filter(Q(title__contains=f.query) | Q(place__contains=f.query))
    for field in ("project", "kind", "mode", "status"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.campaign_id:
        qs = qs.filter(campaign_id=f.campaign_id)
    if f.brand_id:
        qs = qs.filter(brand_id=f.brand_id)
    if f.federation_id and f.federation_own_only:
        qs = qs.filter(federation_id=f.federation_id)
    elif f.federation_id:
        # the federation and everything below it, as everywhere else
        path = Federation.objects.filter(pk=f.federation_id).values_list("path", flat=True).first() or "!"
        qs = qs.filter(federation__path__startswith=path)
    if f.station_id:
        qs = qs.filter(stations__id=f.station_id)
    if f.partner_id:
        qs = qs.filter(partners__id=f.partner_id)
    if f.year:
        qs = qs.filter(
            starts_at__gte=_day_start(dt.date(f.year, 1, 1)), starts_at__lt=_day_start(dt.date(f.year + 1, 1, 1))
        )
    if f.date_from:
        qs = qs.filter(starts_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(starts_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return qs


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """What list rows show beside each activity: registered and checked-in participants.

    Counted per row by a subquery rather than by joining and grouping: a page of 25 activities
    then costs 25 index lookups, where a join counted the registrations of every activity before
    the page was cut (36 ms of the 70 ms activity list in the load test).
    """
    return qs.annotate(
        registered=_registrations_of_row(),
        present=_registrations_of_row(checked_in_at__isnull=False),
    )


def _registrations_of_row(**conditions) -> Coalesce:
    counted = (
        Registration.objects.filter(activity=OuterRef("pk"), **conditions)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def activity_get(*, user, pk: int) -> Activity:
    return activity_scope(user=user).get(pk=pk)


def activity_month(*, user, year: int, month: int, filters: ActivityFilters | None = None) -> list[Activity]:
    """The activities that start in a month, for the calendar."""
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    qs = activity_list(user=user, filters=filters).filter(
        starts_at__gte=_day_start(first), starts_at__lt=_day_start(following)
    )
    return list(qs.order_by("starts_at", "id")[:1000])


def activity_years(*, user) -> list[int]:
    years = activity_scope(user=user).annotate(y=ExtractYear("starts_at")).values_list("y", flat=True).distinct()
    return sorted({y for y in years if y}, reverse=True)


# Participation ------------------------------------------------------------------------------


def registration_scope(*, user) -> QuerySet[Registration]:
    if not _allowed(user, "activities.view_activity") and not _allowed(user, "activities.check_in"):
        return Registration.objects.none()
    return Registration.objects.visible_to(user).select_related("activity", "activity__federation", "person")


def registration_get(*, user, pk: int) -> Registration:
    return registration_scope(user=user).get(pk=pk)


def registration_by_code(*, user, code: str) -> Registration | None:
    """The registration a check-in code belongs to, if the user may see it."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return registration_scope(user=user).filter(code=code).first()


def activity_registrations(*, user, activity: Activity) -> QuerySet[Registration]:
    return registration_scope(user=user).filter(activity=activity).order_by("role", "name", "id")


def activity_sessions(*, user, activity: Activity) -> QuerySet[Session]:
    return Session.objects.visible_to(user).filter(activity=activity)


def activity_attendance(*, user, activity: Activity) -> set[tuple[int, int]]:
    return set(
        SessionAttendance.objects.visible_to(user)
        .filter(session__activity=activity)
        .values_list("session_id", "registration_id")
    )


def activity_photos(*, user, activity: Activity) -> QuerySet[Photo]:
    return Photo.objects.visible_to(user).filter(activity=activity)


def activity_attachments(*, user, activity: Activity) -> QuerySet[Attachment]:
    return Attachment.objects.visible_to(user).filter(activity=activity)


def photo_get(*, user, pk: int) -> Photo:
    if not _allowed(user, "activities.view_activity"):
        raise Photo.DoesNotExist
    return Photo.objects.visible_to(user).select_related("activity").get(pk=pk)


def attachment_get(*, user, pk: int) -> Attachment:
    if not _allowed(user, "activities.view_activity"):
        raise Attachment.DoesNotExist
    return Attachment.objects.visible_to(user).select_related("activity").get(pk=pk)


def registered_count(*, activity: Activity, exclude_pk: int | None = None) -> int:
    """Seats taken (for the capacity rule; counts every registration, whoever may see it)."""
    qs = Registration.objects.filter(activity=activity)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def person_participation(*, user, person_id: int) -> QuerySet[Registration]:
    """A person's full history of taking part, newest first.

    Taking part belongs to the person's record: whoever may see the person sees every activity
    they joined, including the district's (only the activity's title, date and kind; opening
    the activity still needs the activity to be in the user's jurisdiction)."""
    from qiaolian.registry.selectors import person_scope

    if not _allowed(user, "activities.view_activity") or not person_scope(user=user).filter(pk=person_id).exists():
        return Registration.objects.none()
    return (
        Registration.objects.filter(person_id=person_id)
        .select_related("activity__campaign", "activity__federation")
        .order_by("-activity__starts_at", "-id")
    )


# Campaigns and brands -----------------------------------------------------------------------


def _ancestor_ids(user) -> list[int]:
    federation = getattr(user, "federation", None)
    if federation is None:
        return []
    return [int(part) for part in federation.path.split("/") if part]


def campaign_scope(*, user) -> QuerySet[Campaign]:
    """A user's own campaigns and those their federation runs under (a town files its events
    under the district's 侨法宣传月)."""
    if not _allowed(user, "activities.view_campaign") or scope_for(user).is_empty:
        return Campaign.objects.none()
    own = Campaign.objects.visible_to(user).values("pk")
    return Campaign.objects.filter(Q(pk__in=own) | Q(federation_id__in=_ancestor_ids(user))).select_related(
        "federation", "brand"
    )


def campaign_list(*, user, year: int | None = None, project: str = "") -> QuerySet[Campaign]:
    qs = campaign_scope(user=user)
    if year:
        qs = qs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    if project:
        qs = qs.filter(project=project)
    return qs


def campaign_get(*, user, pk: int) -> Campaign:
    return campaign_scope(user=user).get(pk=pk)


def campaign_can_change(*, user, campaign: Campaign) -> bool:
    return _allowed(user, "activities.change_campaign") and scope_for(user).allows(campaign.federation_id)


def brand_choices() -> QuerySet[Brand]:
    return Brand.objects.filter(is_active=True)


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.annotate(activity_count=Count("activities")).order_by("sort_order", "name")


def brand_get(*, pk: int) -> Brand:
    return Brand.objects.get(pk=pk)


def co_federation_choices() -> QuerySet[Federation]:
    """Any active federation may co-organize; only names are shown."""
    return Federation.objects.filter(is_active=True).order_by("path")


def partner_choices() -> QuerySet[PartnerFederation]:
    return PartnerFederation.objects.filter(is_active=True)


def station_choices(*, user) -> QuerySet[Station]:
    return Station.objects.visible_to(user).select_related("federation").order_by("federation__path", "name")


# Counting -----------------------------------------------------------------------------------

GROUPINGS = {
    "project": "project",
    "kind": "kind",
    "campaign": "campaign_id",
    "federation": "federation_id",
    "year": "year",
    "mode": "mode",
}


@dataclass(frozen=True)
class Tally:
    key: object
    activities: int
    participants: int
    registrations: int
    audience: int
    online_views: int

    @property
    def reach(self) -> int:
        return self.audience + self.online_views


def _counted(user, filters: ActivityFilters | None) -> QuerySet[Activity]:
    """Activities that took place (cancelled ones do not count)."""
    return activity_list(user=user, filters=filters).exclude(status=Status.CANCELLED)


def activity_tally(*, user, by: str, filters: ActivityFilters | None = None) -> list[Tally]:
    """Activities, distinct participants, registrations and reach per group.

    Participants are distinct ``participant_key`` values (a person from the registry, or a named
    cadre or guest), counted once per group however many activities they joined in it.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    field = GROUPINGS[by]
    activities = _counted(user, filters)
    if by == "year":
        activities = activities.annotate(year=ExtractYear("starts_at"))
    ids = activities.values("pk")
    heads = {
        row[field]: row
        for row in activities.order_by()
        .values(field)
        .annotate(
            n=Count("pk"),
            audience_sum=Coalesce(Sum("audience"), 0),
            views_sum=Coalesce(Sum("online_views"), 0),
        )
    }
    regs = Registration.objects.filter(activity__in=ids)
    if by == "year":
        regs = regs.annotate(year=ExtractYear("activity__starts_at"))
        reg_field = "year"
    else:
        reg_field = f"activity__{field}"
    people = {
        row[reg_field]: row
        for row in regs.order_by()
        .values(reg_field)
        .annotate(participants=Count("participant_key", distinct=True), registrations=Count("pk"))
    }
    result = []
    for key, row in heads.items():
        p = people.get(key, {})
        result.append(
            Tally(
                key=key,
                activities=row["n"],
                participants=p.get("participants", 0),
                registrations=p.get("registrations", 0),
                audience=row["audience_sum"],
                online_views=row["views_sum"],
            )
        )
    return sorted(result, key=lambda t: (t.key is None, str(t.key)))


def activity_totals(*, user, filters: ActivityFilters | None = None) -> Tally:
    activities = _counted(user, filters)
    head = activities.aggregate(
        n=Count("pk"), audience_sum=Coalesce(Sum("audience"), 0), views_sum=Coalesce(Sum("online_views"), 0)
    )
    people = Registration.objects.filter(activity__in=activities.values("pk")).aggregate(
        participants=Count("participant_key", distinct=True), registrations=Count("pk")
    )
    return Tally(
        key=None,
        activities=head["n"],
        participants=people["participants"],
        registrations=people["registrations"],
        audience=head["audience_sum"],
        online_views=head["views_sum"],
    )
