"""Reads of organizations, limited to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs.models import (
    AssessmentScore,
    CommitteeMember,
    Election,
    ElectionDocument,
    Federation,
    Group,
    GroupMember,
    Level,
    MentoringPair,
    PartnerFederation,
    Station,
    StationAssessment,
    Term,
)

TERM_WARNING_DAYS = 183  # a term is flagged six months before it ends (DOMAIN.md §2, W2)


def _allowed(user, perm: str) -> bool:
    return bool(user and user.has_perm(perm))


def federation_list(*, user) -> QuerySet[Federation]:
    if not _allowed(user, "orgs.view_federation"):
        return Federation.objects.none()
    return Federation.objects.visible_to(user).select_related("parent")


def federation_choices(*, user, levels: tuple[str, ...] | None = None) -> QuerySet[Federation]:
    """Federations a user may file records under (their own subtree, active ones)."""
    qs = Federation.objects.visible_to(user).filter(is_active=True)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.order_by("path")


def federation_tree(*, user) -> list[Federation]:
    """The visible federations in tree order with counts of what hangs below each."""
    return list(
        federation_list(user=user).annotate(
            station_count=Count("stations", distinct=True),
            person_count=Count("persons", filter=Q(persons__is_archived=False), distinct=True),
        )
    )


def federation_get(*, user, pk: int) -> Federation:
    return federation_list(user=user).get(pk=pk)


def station_list(*, user) -> QuerySet[Station]:
    if not _allowed(user, "orgs.view_station"):
        return Station.objects.none()
    return Station.objects.visible_to(user).select_related("federation")


def term_list(*, user) -> QuerySet[Term]:
    if not _allowed(user, "orgs.view_term"):
        return Term.objects.none()
    return Term.objects.visible_to(user).select_related("federation").prefetch_related("members")


def partner_list(*, user) -> QuerySet[PartnerFederation]:
    if not _allowed(user, "orgs.view_partner") or scope_for(user).is_empty:
        return PartnerFederation.objects.none()
    return PartnerFederation.objects.all()


def committee_member_get(*, user, pk: int) -> CommitteeMember | None:
    if not _allowed(user, "orgs.view_term"):
        return None
    return CommitteeMember.objects.visible_to(user).select_related("term").filter(pk=pk).first()


# Terms falling due and elections ----------------------------------------------------------------


def term_status(term: Term, today: dt.date) -> str:
    """The one rule for a term's state: "expired" once it has ended, "expiring" within six
    months of its end, "future" before it starts, otherwise "active"."""
    if term.ends_on < today:
        return "expired"
    if (term.ends_on - today).days <= TERM_WARNING_DAYS:
        return "expiring"
    if term.starts_on > today:
        return "future"
    return "active"


def is_election_due(term: Term, today: dt.date) -> bool:
    return term_status(term, today) in ("expiring", "expired")


@dataclass(frozen=True)
class TermRow:
    federation: Federation
    term: Term | None
    status: str  # term_status, or "none" for a federation without a term


def term_overview(*, user, today: dt.date) -> list[TermRow]:
    """Every visible federation with its latest term (highest number) and that term's status."""
    latest: dict[int, Term] = {}
    for term in term_list(user=user).order_by("federation__path", "-number"):
        latest.setdefault(term.federation_id, term)
    rows = []
    for federation in federation_list(user=user):
        term = latest.get(federation.pk)
        rows.append(TermRow(federation, term, term_status(term, today) if term else "none"))
    return rows


def elections_due(*, user, today: dt.date) -> list[TermRow]:
    """Federations whose latest term ends within six months or has ended, most urgent first."""
    rows = [row for row in term_overview(user=user, today=today) if row.term and is_election_due(row.term, today)]
    return sorted(rows, key=lambda row: (row.term.ends_on, row.federation.path))


def election_list(*, user, year: int | None = None, federation: Federation | None = None) -> QuerySet[Election]:
    """Elections the user may see; ``federation`` includes the federations below it."""
    if not _allowed(user, "orgs.view_term"):
        return Election.objects.none()
    qs = Election.objects.visible_to(user).select_related("federation", "term", "previous_term")
    if year:
        qs = qs.filter(held_on__year=year)
    if federation is not None:
        qs = qs.filter(federation__path__startswith=federation.path)
    return qs


def election_get(*, user, pk: int) -> Election | None:
    return election_list(user=user).prefetch_related("documents", "term__members").filter(pk=pk).first()


def election_years(*, user) -> list[int]:
    return sorted({d.year for d in election_list(user=user).dates("held_on", "year")}, reverse=True)


def election_document_get(*, user, pk: int) -> ElectionDocument | None:
    if not _allowed(user, "orgs.view_term"):
        return None
    return ElectionDocument.objects.visible_to(user).select_related("election").filter(pk=pk).first()


def election_federation_choices(*, user) -> QuerySet[Federation]:
    """Federations that hold elections (district and street/town/park), within the user's scope."""
    return federation_choices(user=user, levels=(Level.DISTRICT, Level.TOWN))


# Station assessments ---------------------------------------------------------------------------


def station_assessments(*, user, station: Station) -> QuerySet[StationAssessment]:
    """The station's assessments, newest first, with their scores."""
    if not _allowed(user, "orgs.view_station"):
        return StationAssessment.objects.none()
    scores = AssessmentScore.objects.select_related("item")
    return (
        StationAssessment.objects.visible_to(user)
        .filter(station=station)
        .prefetch_related(Prefetch("scores", queryset=scores))
        .order_by("-assessed_on", "-id")
    )


# Groups ----------------------------------------------------------------------------------------


def group_list(*, user, kind: str = "") -> QuerySet[Group]:
    if not _allowed(user, "orgs.view_group"):
        return Group.objects.none()
    qs = (
        Group.objects.visible_to(user)
        .select_related("federation", "partner")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            pair_count=Count("pairs", distinct=True),
        )
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def group_get(*, user, pk: int) -> Group | None:
    return group_list(user=user).filter(pk=pk).first()


def group_members(*, user, group: Group) -> QuerySet[GroupMember]:
    if not _allowed(user, "orgs.view_group"):
        return GroupMember.objects.none()
    return GroupMember.objects.visible_to(user).filter(group=group).select_related("person")


def group_pairs(*, user, group: Group) -> QuerySet[MentoringPair]:
    if not _allowed(user, "orgs.view_group"):
        return MentoringPair.objects.none()
    return MentoringPair.objects.visible_to(user).filter(group=group)


def group_member_get(*, user, pk: int) -> GroupMember | None:
    if not _allowed(user, "orgs.view_group"):
        return None
    return GroupMember.objects.visible_to(user).select_related("group").filter(pk=pk).first()


def mentoring_pair_get(*, user, pk: int) -> MentoringPair | None:
    if not _allowed(user, "orgs.view_group"):
        return None
    return MentoringPair.objects.visible_to(user).select_related("group").filter(pk=pk).first()


def group_person_choices(*, user, group: Group):
    """Registry persons who may be linked to a group's members: those the user sees under the
    group's federation."""
    from qiaolian.registry.selectors import person_scope

    return (
        person_scope(user=user)
        .filter(federation__path__startswith=group.federation.path)
        .only("id", "name", "birth_date")
        .order_by("name", "id")
    )
