"""What the public portal shows to anyone: published news and activities, camps open for
enrolment, public contests and the gallery of awarded works. Nothing here carries participants,
contacts or anything else that is not meant for the public; each function filters on the
publication state itself, so a draft never reaches a public page."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from qiaolian.activities.models import Activity
from qiaolian.activities.models import Status as ActivityStatus
from qiaolian.contests.models import (
    PUBLIC_STATES,
    Award,
    Category,
    Contest,
    ContestStatus,
    Entry,
    EntryFile,
    EntryStatus,
)
from qiaolian.liaison.models import Camp
from qiaolian.portal.models import News

# News ---------------------------------------------------------------------------------------


def news_published() -> QuerySet[News]:
    return (
        News.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
        .select_related("federation", "activity")
        .order_by("-published_at", "-id")
    )


def news_get(*, pk: int) -> News:
    return news_published().get(pk=pk)


# Activities -----------------------------------------------------------------------------------


def activities_published() -> QuerySet[Activity]:
    """Activities the organizer chose to publish on the portal, not cancelled."""
    return (
        Activity.objects.filter(is_published=True)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("federation", "brand")
    )


def activities_upcoming() -> QuerySet[Activity]:
    return activities_published().filter(ends_at__gte=timezone.now()).order_by("starts_at", "id")


def activities_past() -> QuerySet[Activity]:
    return activities_published().filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")


def activity_get(*, pk: int) -> Activity:
    return activities_published().get(pk=pk)


# Camps --------------------------------------------------------------------------------------


def camps_open() -> QuerySet[Camp]:
    """Camps that have not started yet: open for enrolment."""
    return Camp.objects.filter(starts_on__gt=timezone.localdate()).select_related("federation").order_by("starts_on")


def camp_get(*, pk: int) -> Camp:
    return camps_open().prefetch_related("sessions").get(pk=pk)


# Contests -----------------------------------------------------------------------------------


def contests_public() -> QuerySet[Contest]:
    return (
        Contest.objects.filter(status__in=PUBLIC_STATES)
        .select_related("federation")
        .order_by("-year", "-opens_at", "-id")
    )


def contests_open() -> QuerySet[Contest]:
    return contests_public().filter(status=ContestStatus.OPEN).order_by("closes_at", "id")


def contest_get(*, pk: int) -> Contest:
    return (
        contests_public()
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order", "id")))
        .get(pk=pk)
    )


# Gallery ------------------------------------------------------------------------------------

HIDDEN_ENTRY_STATES = (EntryStatus.INELIGIBLE, EntryStatus.WITHDRAWN)
AWARD_ORDER = Case(
    *[When(award=a, then=Value(i)) for i, a in enumerate(Award.values)],
    default=Value(99),
    output_field=IntegerField(),
)


def gallery_entries(*, contest_id: int | None = None) -> QuerySet[Entry]:
    """Awarded entries of contests whose results are final (揭晓). Author name and country are
    part of the published result; contacts never are."""
    qs = (
        Entry.objects.filter(contest__status=ContestStatus.FINAL)
        .exclude(award="")
        .exclude(status__in=HIDDEN_ENTRY_STATES)
        .select_related("contest", "category")
        .prefetch_related(Prefetch("files", queryset=EntryFile.objects.order_by("order", "id")))
        .annotate(award_order=AWARD_ORDER)
        .order_by("-contest__year", "contest_id", "award_order", "rank", "code")
    )
    if contest_id:
        qs = qs.filter(contest_id=contest_id)
    return qs


def gallery_contests() -> QuerySet[Contest]:
    return contests_public().filter(status=ContestStatus.FINAL)


def gallery_entry_get(*, pk: int) -> Entry:
    return gallery_entries().get(pk=pk)


PUBLIC_VARIANTS = ("web", "thumbnail")


def gallery_file_get(*, pk: int, variant: str) -> EntryFile:
    """A published copy (``web`` or ``thumbnail``, never ``original``) of a file of an awarded
    entry in a final contest; anything else does not exist for the public."""
    if variant not in PUBLIC_VARIANTS:
        raise EntryFile.DoesNotExist
    file = (
        EntryFile.objects.select_related("entry__contest")
        .filter(entry__contest__status=ContestStatus.FINAL)
        .exclude(entry__award="")
        .exclude(entry__status__in=HIDDEN_ENTRY_STATES)
        .get(pk=pk)
    )
    if not getattr(file, variant):
        raise EntryFile.DoesNotExist
    return file


# Staff: portal content --------------------------------------------------------------------


def news_scope(*, user) -> QuerySet[News]:
    """News the staff user may manage: their federation's and those below it."""
    if not (user and user.has_perm("portal.manage_content")):
        return News.objects.none()
    return News.objects.visible_to(user).select_related("federation", "activity", "created_by")


def news_staff_get(*, user, pk: int) -> News:
    return news_scope(user=user).get(pk=pk)


def privacy_notices(*, user):
    from qiaolian.portal.models import PrivacyNotice

    if not (user and user.has_perm("portal.manage_privacy_notice")):
        return PrivacyNotice.objects.none()
    return PrivacyNotice.objects.order_by("-published_at", "-id")


def consent_counts() -> dict[int, int]:
    """How many accounts consented to each notice version (privacy purpose)."""
    from django.db.models import Count

    from qiaolian.portal.models import Consent, ConsentPurpose

    rows = (
        Consent.objects.filter(purpose=ConsentPurpose.PRIVACY)
        .values("notice_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {r["notice_id"]: r["n"] for r in rows}


# The signed-in portal user's own records ------------------------------------------------------
# Everything below takes the account and returns only rows that belong to it: another user's id
# finds nothing (a 404 in the views), never someone else's record.


def public_contest_categories(contest: Contest) -> QuerySet[Category]:
    return Category.objects.filter(contest=contest).order_by("order", "id")


def public_category(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk, contest__status__in=PUBLIC_STATES).select_related("contest").first()


def my_entries(user) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(account=user)
        .select_related("contest", "category")
        .prefetch_related("files")
        .order_by("-submitted_at", "-id")
    )


def my_entry_files(user) -> QuerySet[EntryFile]:
    return EntryFile.objects.filter(entry__account=user).select_related("entry")


def account_pending_verification(pk: int | None):
    """The account waiting for its sign-up code (kept in the session by its id)."""
    from qiaolian.accounts.models import User

    return User.objects.filter(pk=pk, is_active=False).select_related("portal_profile").first() if pk else None


def account_active(pk: int | None):
    from qiaolian.accounts.models import User

    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def profile_of(user_id: int | None):
    from qiaolian.portal.models import PortalProfile

    if not user_id:
        return None
    return PortalProfile.objects.filter(user_id=user_id).select_related("user", "person").first()
