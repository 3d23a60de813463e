"""Reads of organizations, limited to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs.models import CommitteeMember, Federation, PartnerFederation, Station, Term


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
