"""Reads of hardship aid, limited to what the user may see.

The counting functions (``aid_tally``, ``campaign_totals``) are the ones the statistics page, the
campaign page, the API and reports use: recipients, households and amounts from the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from qiaolian.aid.models import (
    APPROVED_STATES,
    OPEN_STATES,
    Allocation,
    Campaign,
    Donation,
    HandOver,
    Nomination,
    NominationStatus,
    Standard,
)
from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs.models import Federation, Level

ZERO = Decimal("0")


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


def _ancestor_ids(user) -> list[int]:
    federation = getattr(user, "federation", None)
    if federation is None:
        return []
    return [int(part) for part in federation.path.split("/") if part]


def _subtree_path(federation_id: int | None) -> str | None:
    if not federation_id:
        return None
    return Federation.objects.filter(pk=federation_id).values_list("path", flat=True).first()


# Campaigns ----------------------------------------------------------------------------------


def campaign_scope(*, user) -> QuerySet[Campaign]:
    """A user's own campaigns and those their federation works under (a town nominates for the
    district's 冬送温暖)."""
    if not _allowed(user, "aid.view_campaign") or scope_for(user).is_empty:
        return Campaign.objects.none()
    own = Campaign.objects.visible_to(user).values("pk")
    return Campaign.objects.filter(Q(pk__in=own) | Q(federation_id__in=_ancestor_ids(user))).select_related(
        "federation", "brand"
    )


def campaign_list(*, user, year: int | None = None, kind: str = "", status: str = "") -> QuerySet[Campaign]:
    qs = campaign_scope(user=user)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def campaign_get(*, user, pk: int) -> Campaign:
    return campaign_scope(user=user).get(pk=pk)


def campaign_can_change(*, user, campaign: Campaign) -> bool:
    return _allowed(user, "aid.change_campaign") and scope_for(user).allows(campaign.federation_id)


def campaign_years(*, user) -> list[int]:
    return sorted(set(campaign_scope(user=user).values_list("year", flat=True)), reverse=True)


def campaign_choices(*, user) -> QuerySet[Campaign]:
    """Campaigns a donation may be allocated to (those the user may see and that are not archived)."""
    return campaign_scope(user=user).exclude(status="archived").order_by("-starts_on", "-id")


def campaign_standards(*, campaign: Campaign) -> list[Standard]:
    """A campaign's standards (they are the campaign's terms, seen by whoever sees the campaign)."""
    return list(Standard.objects.filter(campaign=campaign).order_by("-amount", "id"))


def standard_get(*, user, pk: int) -> Standard:
    if not _allowed(user, "aid.view_campaign"):
        raise Standard.DoesNotExist
    return Standard.objects.visible_to(user).select_related("campaign").get(pk=pk)


def budget_used(*, campaign: Campaign) -> Decimal:
    """The amount approved in the whole campaign (for the budget rule: counts every approved
    nomination, whoever may see it)."""
    total = Nomination.objects.filter(campaign=campaign, status__in=APPROVED_STATES).aggregate(
        s=Coalesce(Sum("amount"), ZERO)
    )["s"]
    return total or ZERO


def donated_to(*, campaign: Campaign) -> Decimal:
    """Donations allocated to the campaign (a figure of the campaign, shown to whoever sees it)."""
    return Allocation.objects.filter(campaign=campaign).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"] or ZERO


# Nominations --------------------------------------------------------------------------------


def nomination_scope(*, user) -> QuerySet[Nomination]:
    if not _allowed(user, "aid.view_nomination"):
        return Nomination.objects.none()
    return Nomination.objects.visible_to(user).select_related(
        "campaign", "person", "federation", "household", "standard", "decided_by", "nominated_by", "handover"
    )


@dataclass
class NominationFilters:
    campaign_id: int | None = None
    federation_id: int | None = None
    status: str = ""
    statuses: tuple[str, ...] = ()
    query: str = ""
    year: int | None = None


def nomination_list(*, user, filters: NominationFilters | None = None) -> QuerySet[Nomination]:
    f = filters or NominationFilters()
    qs = nomination_scope(user=user)
    if f.campaign_id:
        qs = qs.filter(campaign_id=f.campaign_id)
    if f.federation_id:
        qs = qs.filter(federation__path__startswith=_subtree_path(f.federation_id) or "!")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.statuses:
        qs = qs.filter(status__in=f.statuses)
    if f.year:
        qs = qs.filter(campaign__year=f.year)
    if f.query:
        from qiaolian.registry.selectors import search_filter

        cond = search_filter(f.query)
        if cond is not None:
            qs = qs.filter(person__in=_persons_matching(cond))
    return qs


def _persons_matching(cond: Q):
    from qiaolian.registry.models import Person

    return Person.objects.filter(cond).values("pk")


def nomination_get(*, user, pk: int) -> Nomination:
    return nomination_scope(user=user).get(pk=pk)


def nominations_for_approval(*, user, campaign: Campaign, ids: list[int]) -> list[Nomination]:
    """The nominations picked on the list page, as far as the user may see them."""
    return list(nomination_scope(user=user).filter(campaign=campaign, pk__in=ids).order_by("pk"))


def nominated_person_ids(*, campaign: Campaign, person_ids: list[int]) -> set[int]:
    """Which of these persons already have an open nomination in the campaign."""
    return set(
        Nomination.objects.filter(campaign=campaign, person_id__in=person_ids, status__in=OPEN_STATES).values_list(
            "person_id", flat=True
        )
    )


def handover_get(*, user, pk: int) -> HandOver:
    if not _allowed(user, "aid.view_nomination"):
        raise HandOver.DoesNotExist
    return HandOver.objects.visible_to(user).select_related("nomination__person", "nomination__campaign").get(pk=pk)


def handover_list(*, user, campaign_id: int | None = None, federation_id: int | None = None) -> QuerySet[HandOver]:
    if not _allowed(user, "aid.view_nomination"):
        return HandOver.objects.none()
    qs = HandOver.objects.visible_to(user).select_related(
        "nomination__person", "nomination__campaign", "nomination__federation"
    )
    if campaign_id:
        qs = qs.filter(nomination__campaign_id=campaign_id)
    if federation_id:
        qs = qs.filter(nomination__federation__path__startswith=_subtree_path(federation_id) or "!")
    return qs


def person_aid(*, user, person_id: int) -> QuerySet[Nomination]:
    """A person's aid history, newest first: every nomination for them, whichever federation
    nominated them, for whoever may see the person (opening a campaign still needs access)."""
    from qiaolian.registry.selectors import person_scope

    if not _allowed(user, "aid.view_nomination") or not person_scope(user=user).filter(pk=person_id).exists():
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(person_id=person_id)
        .select_related("campaign", "federation", "handover")
        .order_by("-campaign__starts_on", "-id")
    )


def sheet_nominations(*, user, campaign: Campaign, federation_id: int | None = None) -> QuerySet[Nomination]:
    """Who is on the sign-off sheet (签收表): the approved and delivered nominations."""
    filters = NominationFilters(campaign_id=campaign.pk, federation_id=federation_id, statuses=APPROVED_STATES)
    return (
        nomination_list(user=user, filters=filters)
        .select_related("handover")
        .order_by("federation__path", "person__name_pinyin", "id")
    )


def candidate_list(*, user, campaign: Campaign, limit: int = 300) -> list:
    """Persons the user may nominate for the campaign who meet its rules and have no open
    nomination in it yet, in the order of their federation and name."""
    from qiaolian.aid.eligibility import eligibility_problems
    from qiaolian.registry.selectors import person_scope

    if not _allowed(user, "aid.nominate"):
        return []
    qs = person_scope(user=user).filter(living_status="living", federation__path__startswith=campaign.federation.path)
    if campaign.requires_hardship:
        qs = qs.filter(is_in_hardship=True)
    if campaign.categories:
        qs = qs.filter(category__in=campaign.categories)
    taken = Nomination.objects.filter(campaign=campaign, status__in=OPEN_STATES).values("person_id")
    qs = qs.exclude(pk__in=taken).select_related("federation", "household").order_by("federation__path", "name_pinyin")
    found = []
    for person in qs.iterator(chunk_size=500):
        if not eligibility_problems(campaign, person):
            found.append(person)
            if len(found) >= limit:
                break
    return found


# Donations ----------------------------------------------------------------------------------


def donation_scope(*, user) -> QuerySet[Donation]:
    if not _allowed(user, "aid.view_donation"):
        return Donation.objects.none()
    return Donation.objects.visible_to(user).select_related("federation", "association")


def donation_list(*, user, year: int | None = None, kind: str = "", query: str = "") -> QuerySet[Donation]:
    qs = donation_scope(user=user).annotate(allocated=Coalesce(Sum("allocations__amount"), ZERO))
    if year:
        qs = qs.filter(received_on__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(donor_name__contains=query) | Q(purpose__contains=query) | Q(goods__contains=query))
    return qs


def donation_get(*, user, pk: int) -> Donation:
    return donation_scope(user=user).get(pk=pk)


def donation_allocations(*, user, donation: Donation) -> QuerySet[Allocation]:
    return Allocation.objects.visible_to(user).filter(donation=donation).select_related("campaign")


def allocated_total(*, donation: Donation) -> Decimal:
    """Everything allocated from the donation (for the rule that allocations never exceed it)."""
    return Allocation.objects.filter(donation=donation).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"] or ZERO


def allocation_get(*, user, pk: int) -> Allocation:
    if not _allowed(user, "aid.view_donation"):
        raise Allocation.DoesNotExist
    return Allocation.objects.visible_to(user).select_related("donation", "campaign").get(pk=pk)


def campaign_allocations(*, user, campaign: Campaign) -> QuerySet[Allocation]:
    """Donations that went into a campaign, as far as the user may see the donations."""
    if not _allowed(user, "aid.view_donation"):
        return Allocation.objects.none()
    return Allocation.objects.visible_to(user).filter(campaign=campaign).select_related("donation")


def donation_totals(*, user, year: int | None = None) -> dict[str, Decimal | int]:
    qs = donation_scope(user=user)
    if year:
        qs = qs.filter(received_on__year=year)
    head = qs.aggregate(n=Count("pk"), received=Coalesce(Sum("amount"), ZERO))
    allocated = Allocation.objects.filter(donation__in=qs.values("pk")).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    return {
        "count": head["n"],
        "received": head["received"],
        "allocated": allocated,
        "left": head["received"] - allocated,
    }


def association_choices(*, user):
    from qiaolian.liaison.selectors import association_scope

    return association_scope(user=user).order_by("name", "id")


# Counting -----------------------------------------------------------------------------------

GROUPINGS = {
    "campaign": "campaign_id",
    "federation": "federation_id",
    "town": "federation_id",
    "category": "category",
    "year": "campaign__year",
    "kind": "campaign__kind",
    "status": "status",
}


@dataclass
class AidTally:
    key: object
    nominated: int = 0  # open nominations (pending, deferred, approved, delivered)
    approved: int = 0  # approved or delivered: the recipients
    households: int = 0  # distinct households among the recipients (a person without one counts alone)
    amount: Decimal = ZERO  # approved amount
    delivered: int = 0
    cash: Decimal = ZERO  # cash handed over
    pending: int = 0
    persons: int = 0  # distinct recipients (a person helped in two campaigns counts once)
    keys: set = field(default_factory=set, repr=False)
    people: set = field(default_factory=set, repr=False)


def _counted(user, campaign_id: int | None, year: int | None, federation_id: int | None) -> QuerySet[Nomination]:
    """Nominations a figure is computed from: visible to the user (through ``aid.view_campaign``:
    leaders see the figures, not the names)."""
    if not _allowed(user, "aid.view_campaign"):
        return Nomination.objects.none()
    qs = Nomination.objects.visible_to(user).filter(status__in=OPEN_STATES)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if year:
        qs = qs.filter(campaign__year=year)
    if federation_id:
        qs = qs.filter(federation__path__startswith=_subtree_path(federation_id) or "!")
    return qs


def town_of(federation_paths: dict[int, str]) -> dict[int, int]:
    """Each federation's town-level federation (itself for a town or the district, its ancestor
    for a community group): the tree's second level."""
    out = {}
    for pk, path in federation_paths.items():
        parts = [int(p) for p in path.split("/") if p]
        out[pk] = parts[1] if len(parts) >= 2 else parts[0] if parts else pk
    return out


def aid_tally(
    *,
    user,
    by: str,
    campaign_id: int | None = None,
    year: int | None = None,
    federation_id: int | None = None,
) -> list[AidTally]:
    """Nominated, approved (recipients), households, approved amount, delivered and cash handed
    over, per campaign, federation, town (community groups counted in their town), category,
    year, kind or status."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    column = GROUPINGS[by]
    rows = list(
        _counted(user, campaign_id, year, federation_id)
        .order_by()
        .values_list(column, "status", "household_id", "person_id", "campaign_id", "amount", "handover__cash_amount")
    )
    towns: dict[int, int] = {}
    if by == "town":
        ids = {row[0] for row in rows}
        towns = town_of(dict(Federation.objects.filter(pk__in=ids).values_list("pk", "path")))
    tallies: dict[object, AidTally] = {}
    for key, status, household_id, person_id, camp, amount, cash in rows:
        if by == "town":
            key = towns.get(key, key)
        t = tallies.setdefault(key, AidTally(key=key))
        t.nominated += 1
        if status in APPROVED_STATES:
            t.approved += 1
            t.amount += amount or ZERO
            t.keys.add((camp, f"h{household_id}" if household_id else f"p{person_id}"))
            t.people.add(person_id)
        else:
            t.pending += 1
        if status == NominationStatus.DELIVERED:
            t.delivered += 1
            t.cash += cash or ZERO
    for t in tallies.values():
        t.households = len(t.keys)
        t.persons = len(t.people)
    return sorted(tallies.values(), key=lambda t: (t.key is None, str(t.key)))


def aid_totals(
    *, user, campaign_id: int | None = None, year: int | None = None, federation_id: int | None = None
) -> AidTally:
    total = AidTally(key=None)
    for t in aid_tally(user=user, by="campaign", campaign_id=campaign_id, year=year, federation_id=federation_id):
        total.people |= t.people
        total.nominated += t.nominated
        total.approved += t.approved
        total.amount += t.amount
        total.delivered += t.delivered
        total.cash += t.cash
        total.pending += t.pending
        total.households += t.households  # households are counted per campaign, so they add up
    total.persons = len(total.people)
    return total


@dataclass(frozen=True)
class CampaignBudget:
    budget: Decimal
    used: Decimal
    donated: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget - self.used

    @property
    def percent(self) -> int:
        return min(100, round(self.used * 100 / self.budget)) if self.budget else 0


def campaign_budget(*, campaign: Campaign) -> CampaignBudget:
    return CampaignBudget(
        budget=campaign.budget, used=budget_used(campaign=campaign), donated=donated_to(campaign=campaign)
    )


def federation_names(*, ids) -> dict[int, str]:
    """Short names of federations for labelling figures (names of organizations, not personal)."""
    return {f.pk: f.short_name or f.name for f in Federation.objects.filter(pk__in=list(ids))}


def town_choices(*, user) -> QuerySet[Federation]:
    """The town-level federations (and the district) a user may pick for a sign-off sheet."""
    return Federation.objects.visible_to(user).filter(level__in=[Level.DISTRICT, Level.TOWN]).order_by("path")
