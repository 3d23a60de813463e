"""Reads of 社情民意 and research reports, limited to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from qiaolian.accounts.models import Role
from qiaolian.advocacy.models import OpinionReport, OpinionStatus, ResearchReport


@dataclass
class OpinionFilters:
    query: str = ""
    year: int | None = None
    status: str = ""
    category: str = ""
    author: str = ""


def opinion_scope(*, user) -> QuerySet[OpinionReport]:
    """Reports the user may see: their federation's subtree; a CPPCC member sees their own."""
    if not (user and user.has_perm("advocacy.view_opinion")):
        return OpinionReport.objects.none()
    qs = OpinionReport.objects.visible_to(user)
    if user.role == Role.CPPCC_MEMBER:
        qs = qs.filter(author_user=user)
    return qs.select_related("federation", "author_user")


def opinion_list(*, user, filters: OpinionFilters | None = None) -> QuerySet[OpinionReport]:
    f = filters or OpinionFilters()
    qs = opinion_scope(user=user)
    if f.query:
        qs = qs.filter(Q(title__contains=f.query) | Q(author_name__startswith=f.query))
    if f.year:
        qs = qs.filter(Q(submitted_on__year=f.year) | Q(submitted_on__isnull=True, created_at__year=f.year))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.author:
        qs = qs.filter(author_name=f.author)
    return qs


def opinion_get(*, user, pk: int) -> OpinionReport:
    return opinion_scope(user=user).get(pk=pk)


SUBMITTED_STATES = (OpinionStatus.SUBMITTED, OpinionStatus.ADOPTED, OpinionStatus.NOT_ADOPTED)


def opinion_counts_by_year(*, user) -> list[dict]:
    """Per year of submission: submitted, adopted (by level) and with a leader's instruction."""
    rows = (
        opinion_scope(user=user)
        .filter(status__in=SUBMITTED_STATES, submitted_on__isnull=False)
        .annotate(year=ExtractYear("submitted_on"))
        .order_by()
        .values("year")
        .annotate(
            submitted=Count("id"),
            adopted=Count("id", filter=Q(status=OpinionStatus.ADOPTED)),
            district=Count("id", filter=Q(status=OpinionStatus.ADOPTED, adoption_level="district")),
            city=Count("id", filter=Q(status=OpinionStatus.ADOPTED, adoption_level="city")),
            national=Count("id", filter=Q(status=OpinionStatus.ADOPTED, adoption_level="national")),
            instructed=Count("id", filter=Q(instruction_on__isnull=False)),
        )
        .order_by("year")
    )
    return list(rows)


def opinion_counts_by_author(*, user, year: int | None = None) -> list[dict]:
    qs = opinion_scope(user=user).filter(status__in=SUBMITTED_STATES)
    if year:
        qs = qs.filter(submitted_on__year=year)
    return list(
        qs.order_by()
        .values("author_name", "author_kind")
        .annotate(submitted=Count("id"), adopted=Count("id", filter=Q(status=OpinionStatus.ADOPTED)))
        .order_by("-submitted", "author_name")
    )


def research_list(*, user, year: int | None = None, query: str = "") -> QuerySet[ResearchReport]:
    if not (user and user.has_perm("advocacy.view_research")):
        return ResearchReport.objects.none()
    qs = ResearchReport.objects.visible_to(user).select_related("federation")
    if year:
        qs = qs.filter(completed_on__year=year)
    if query:
        qs = qs.filter(Q(title__contains=query) | Q(authors__contains=query) | Q(keywords__contains=query))
    return qs


def research_get(*, user, pk: int) -> ResearchReport:
    return research_list(user=user).get(pk=pk)
